// Deadlines: a request's deadline_ms bounds the handler's channel work. Past
// it the handler stops waiting on the SDK and reports end = "timeout".
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Resolves true when `work` settled in time, false when the deadline passed
 * first. `clock` gives milliseconds since handler entry; it is read after
 * `work` has started, since starting it may already take a while (a 16 MiB
 * slice of the seeded stream is made synchronously).
 */
export async function within(
  clock: () => number,
  deadlineMs: number | undefined,
  work: Promise<unknown>,
): Promise<boolean> {
  // Errors are recorded in the digest by the work itself; here only time counts.
  const settled = work.then(
    () => true,
    () => true,
  );
  // 0 (or absent) means no deadline of the worker's own: the caller's
  // trigger timeout is the only limit.
  if (!deadlineMs) return settled;
  const ac = new AbortController();
  const timer = sleep(Math.max(0, deadlineMs - clock()), false, { signal: ac.signal }).catch(
    () => false,
  );
  const inTime = await Promise.race([settled, timer]);
  ac.abort();
  return inTime;
}
