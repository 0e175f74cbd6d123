import type { DataSource } from 'typeorm';

/** Where a string was found: a table's column, and in how many rows. */
export interface Finding {
  table: string;
  column: string;
  rows: number;
}

/**
 * Looks for each needle (case-insensitive, as a substring) in every text, varchar, json, jsonb
 * and array column of every table of the public schema (information_schema, so a column added
 * later is scanned too). Returns where each was found: empty means nowhere.
 */
export async function scanDatabase(
  dataSource: DataSource,
  needles: readonly string[],
): Promise<Record<string, Finding[]>> {
  const columns: { table: string; column: string }[] = await dataSource.query(
    `SELECT c.table_name AS "table", c.column_name AS "column"
     FROM information_schema.columns c
     JOIN information_schema.tables t
       ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
     WHERE c.table_schema = 'public'
       AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY')
     ORDER BY 1, 2`,
  );
  const found: Record<string, Finding[]> = {};
  for (const needle of needles) {
    found[needle] = [];
    for (const { table, column } of columns) {
      const [{ n }] = await dataSource.query(
        `SELECT count(*)::int AS n FROM "${table}" WHERE strpos(lower("${column}"::text), lower($1)) > 0`,
        [needle],
      );
      if (n > 0) found[needle].push({ table, column, rows: n });
    }
  }
  return found;
}

/** True when no needle was found anywhere. */
export const nowhere = (found: Record<string, Finding[]>) =>
  Object.fromEntries(Object.keys(found).map((needle) => [needle, []]));
