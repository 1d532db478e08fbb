/** Jittered exponential backoff (full jitter, capped at 1 s) between attempts after a conflict. */
export function backoff(attempt: number): Promise<void> {
  const ceiling = Math.min(1000, 20 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}

/** Waits `ms` (a pacing slot, a throttle backoff). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
