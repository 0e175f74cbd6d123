import { toSafeInteger } from '../common/money/minor-units.transformer';

/**
 * Typed row mapping for the tables that repositories query with raw SQL (where lock order or
 * round trips matter). A table map names each field's column and kind once; from it come the
 * SELECT list, the mapper from a pg row to a typed object (bigint → safe integer, char → trimmed)
 * and the column of a field for UPDATEs. Every map registers itself, and
 * `test/integration/schema-columns.test.ts` compares every registered column with
 * `information_schema`, so a renamed or retyped column fails a test, not production.
 */
export type ColumnKind =
  | 'uuid'
  | 'text'
  | 'char'
  | 'int'
  | 'bigint'
  | 'bool'
  | 'timestamptz'
  | 'jsonb'
  | 'text[]'
  | 'bigint[]';

/** One column: its name, kind, nullability, and (for typing only) the value it maps to. */
export interface Column<V = unknown, N extends boolean = boolean> {
  readonly name: string;
  readonly kind: ColumnKind;
  readonly nullable: N;
  /** Never set: carries the mapped value's type. */
  readonly value?: V;
}

type ValueOf<C> = C extends Column<infer V, infer N> ? (N extends true ? V | null : V) : never;

/** The typed object a table map produces. */
export type RowOf<M> = M extends TableMap<infer S> ? { [F in keyof S]: ValueOf<S[F]> } : never;

type Spec = Record<string, Column>;

function column<V>(kind: ColumnKind) {
  const notNull = <T extends V = V>(name: string): Column<T, false> => ({
    name,
    kind,
    nullable: false,
  });
  const nullable = <T extends V = V>(name: string): Column<T, true> => ({
    name,
    kind,
    nullable: true,
  });
  return Object.assign(notNull, { nullable });
}

/**
 * Column constructors: `col.bigint('amount_minor')`, `col.text<DonationStatus>('status')`, and
 * `.nullable` for a column that may be NULL: `col.text.nullable('checkout_url')`.
 */
export const col = {
  uuid: column<string>('uuid'),
  text: column<string>('text'),
  char: column<string>('char'),
  int: column<number>('int'),
  bigint: column<number>('bigint'),
  bool: column<boolean>('bool'),
  timestamptz: column<Date>('timestamptz'),
  jsonb: column<Record<string, unknown>>('jsonb'),
  textArray: column<string[]>('text[]'),
  bigintArray: column<number[]>('bigint[]'),
};

/** PostgreSQL's `information_schema.columns.data_type` (arrays: `udt_name`) for each kind. */
export const PG_TYPES: Record<ColumnKind, string[]> = {
  uuid: ['uuid'],
  text: ['text', 'character varying'],
  char: ['character'],
  int: ['integer', 'smallint'],
  bigint: ['bigint'],
  bool: ['boolean'],
  timestamptz: ['timestamp with time zone'],
  jsonb: ['jsonb'],
  'text[]': ['_text'],
  'bigint[]': ['_int8'],
};

const REGISTRY: TableMap<Spec>[] = [];

/** Every table map defined so far (the schema test imports the app module first). */
export function registeredTableMaps(): readonly TableMap<Spec>[] {
  return REGISTRY;
}

export class TableMap<S extends Spec> {
  constructor(
    readonly table: string,
    readonly spec: S,
  ) {}

  /** `col AS "field", …`, optionally qualified by a table alias (`d.amount_minor AS "amountMinor"`). */
  select(alias?: string): string {
    const prefix = alias ? `${alias}.` : '';
    return Object.entries(this.spec)
      .map(([field, c]) => `${prefix}${c.name} AS "${field}"`)
      .join(', ');
  }

  /** The SELECT list of some fields only (a projection), for `mapSome` with the same fields. */
  selectSome(fields: readonly (keyof S & string)[], alias?: string): string {
    const prefix = alias ? `${alias}.` : '';
    return fields.map((field) => `${prefix}${this.spec[field]!.name} AS "${field}"`).join(', ');
  }

  /** One field's value from a row of a join, selected under another name (`p.id AS "postingId"`). */
  value<F extends keyof S & string>(field: F, raw: unknown): RowOf<TableMap<S>>[F] {
    return convert(this.spec[field]!, raw) as RowOf<TableMap<S>>[F];
  }

  /** The column behind a field, for UPDATE … SET and WHERE clauses built from a patch. */
  column(field: keyof S & string): string {
    return this.spec[field]!.name;
  }

  /** One pg row (selected with `select()`) as a typed object. */
  map(row: Record<string, unknown>): RowOf<TableMap<S>> {
    const out: Record<string, unknown> = {};
    for (const [field, c] of Object.entries(this.spec)) {
      out[field] = convert(c, row[field]);
    }
    return out as RowOf<TableMap<S>>;
  }

  /** Only the fields a narrower SELECT returned (a projection of this table). */
  mapSome<F extends keyof S & string>(
    row: Record<string, unknown>,
    fields: readonly F[],
  ): Pick<RowOf<TableMap<S>>, F> {
    const out: Record<string, unknown> = {};
    for (const field of fields) out[field] = convert(this.spec[field]!, row[field]);
    return out as Pick<RowOf<TableMap<S>>, F>;
  }
}

function convert(c: Column, value: unknown): unknown {
  if (value === null || value === undefined) {
    if (!c.nullable) throw new Error(`column ${c.name} is NULL but mapped as NOT NULL`);
    return null;
  }
  if (c.kind === 'bigint') return toSafeInteger(value as string | number);
  if (c.kind === 'bigint[]') return (value as (string | number)[]).map((v) => toSafeInteger(v));
  if (c.kind === 'char') return (value as string).trim();
  return value;
}

/** Defines (and registers) the map of one table. */
export function defineTable<S extends Spec>(table: string, spec: S): TableMap<S> {
  const map = new TableMap(table, spec);
  REGISTRY.push(map);
  return map;
}
