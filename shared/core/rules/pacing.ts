/**
 * What one hand-over costs its send-from number's bucket: `segments` at `mps` message parts per
 * second, in whole milliseconds (rounded up, so pacing never runs ahead of the number's limit).
 */
export function paceInterval(pace: { mps: number; segments: number }): number {
  return Math.ceil((pace.segments / pace.mps) * 1000);
}
