/**
 * Rows read with their types checked, not cast: a query names the shape of its rows — each
 * column's kind — and every row read is checked against it, so that a column renamed or retyped
 * is an error at the read, naming the column, not a wrong value further on. For the stores'
 * SqlStorage (exec) and for D1's statements alike. The checks cost a typeof per value.
 */
export type Value = SqlStorageValue | undefined;

/** A column's kind: checks one value, answers it typed. */
export type Column<T> = (value: Value, column: string) => T;

const wrongKind = (column: string, kind: string, value: Value) =>
  new TypeError(`The column ${column} should be ${kind}, not ${value === null ? "null" : typeof value}.`);

export const text: Column<string> = (value, column) => {
  if (typeof value !== "string") throw wrongKind(column, "text", value);
  return value;
};

export const integer: Column<number> = (value, column) => {
  if (typeof value !== "number") throw wrongKind(column, "a number", value);
  return value;
};

/** An SQLite boolean (0 or 1), as a boolean. */
export const flag: Column<boolean> = (value, column) => integer(value, column) === 1;

/** A column that may be null. */
export const nullable =
  <T>(kind: Column<T>): Column<T | null> =>
  (value, column) =>
    value === null || value === undefined ? null : kind(value, column);

/** Text from a closed set (a state, a status, a role), checked against it. */
export const oneOf =
  <const T extends string>(...allowed: T[]): Column<T> =>
  (value, column) => {
    const read = text(value, column);
    if (!(allowed as string[]).includes(read)) throw new TypeError(`The column ${column} holds ${read}, not one of ${allowed.join(", ")}.`);
    return read as T;
  };

/** A JSON column (json_group_array, json_object), parsed; its shape is the query's own. */
export const json =
  <T>(): Column<T> =>
  (value, column) =>
    JSON.parse(text(value, column)) as T;

export type Shape = Record<string, Column<unknown>>;
export type RowOf<S extends Shape> = { [K in keyof S]: ReturnType<S[K]> };

/** Checks one row read against its shape. */
export function rowOf<S extends Shape>(shape: S, row: Record<string, Value>): RowOf<S> {
  const checked: Record<string, unknown> = {};
  for (const [column, kind] of Object.entries(shape)) checked[column] = kind(row[column], column);
  return checked as RowOf<S>;
}

// ---- A tenant store's SQL -------------------------------------------------------------------

/** Every row of a query, checked. */
export const all = <S extends Shape>(sql: SqlStorage, shape: S, query: string, ...params: SqlStorageValue[]): RowOf<S>[] =>
  sql
    .exec(query, ...params)
    .toArray()
    .map((row) => rowOf(shape, row));

/** The first row of a query, checked, or null. */
export function first<S extends Shape>(sql: SqlStorage, shape: S, query: string, ...params: SqlStorageValue[]): RowOf<S> | null {
  const cursor = sql.exec(query, ...params);
  const next = cursor.next();
  return next.done ? null : rowOf(shape, next.value);
}

/** The one row a query answers (an aggregate, a RETURNING of one insert), checked. */
export const one = <S extends Shape>(sql: SqlStorage, shape: S, query: string, ...params: SqlStorageValue[]): RowOf<S> =>
  rowOf(shape, sql.exec(query, ...params).one());

// ---- D1's statements --------------------------------------------------------------------------

/** Every row of a D1 statement, checked. */
export const d1All = async <S extends Shape>(statement: D1PreparedStatement, shape: S): Promise<RowOf<S>[]> =>
  (await statement.all<Record<string, Value>>()).results.map((row) => rowOf(shape, row));

/** The first row of a D1 statement, checked, or null. */
export async function d1First<S extends Shape>(statement: D1PreparedStatement, shape: S): Promise<RowOf<S> | null> {
  const row = await statement.first<Record<string, Value>>();
  return row === null ? null : rowOf(shape, row);
}
