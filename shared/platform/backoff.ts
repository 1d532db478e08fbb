/** Jittered exponential backoff (full jitter, capped at 1 s) between attempts after a conflict. */
export function backoff(attempt: number): Promise<void> {
  const ceiling = Math.min(1000, 20 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}
