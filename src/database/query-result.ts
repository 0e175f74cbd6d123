/**
 * TypeORM's `manager.query` answers UPDATE/DELETE … RETURNING on PostgreSQL with
 * `[rows, affectedCount]`, and INSERT/SELECT with the rows alone. These read either shape.
 */
function isUpdateResult(result: unknown): result is [unknown[], number] {
  return (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  );
}

/** The rows a statement returned. */
export function rowsOf<T = Record<string, unknown>>(result: unknown): T[] {
  if (isUpdateResult(result)) return result[0] as T[];
  return Array.isArray(result) ? (result as T[]) : [];
}

/** How many rows a statement changed (or returned). */
export function affectedRows(result: unknown): number {
  if (isUpdateResult(result)) return result[1];
  return Array.isArray(result) ? result.length : 0;
}
