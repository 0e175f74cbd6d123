import type { DataSource } from 'typeorm';

/**
 * Polls `check` until it returns a truthy value (which is returned), or fails after `timeoutMs`
 * naming `what` and the last value or error seen. The one way tests wait: never a fixed sleep.
 */
export async function waitUntil<T>(
  check: () => T | Promise<T>,
  what: string,
  { timeoutMs = 15_000, intervalMs = 25 } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) {
        return value;
      }
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what} (last: ${String(last)})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * Waits until some backend of this database is blocked on a lock held by `holderPid`
 * (pg_stat_activity shows it with wait_event_type = 'Lock'), and returns that backend's pid: the
 * proof that a race test's second transaction really reached the lock before the first commits.
 */
export async function waitForLockWaiter(
  dataSource: DataSource,
  holderPid: number,
  what: string,
): Promise<number> {
  return waitUntil(async () => {
    const rows: { pid: number }[] = await dataSource.query(
      `SELECT pid FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock'
          AND $1::int = ANY (pg_blocking_pids(pid))`,
      [holderPid],
    );
    return rows[0]?.pid;
  }, what);
}
