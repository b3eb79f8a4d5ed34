/**
 * Exponential backoff with jitter: attempt 1 waits about baseMs, doubling up to
 * maxMs, each delay drawn from [d/2, d] so many centers (or one center's retries
 * after an outage) do not hammer a recovering database in lockstep.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const d = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(d / 2 + random() * (d / 2));
}
