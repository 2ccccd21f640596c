/** Opaque list cursors: the sort key of the last item, base64url JSON. A tampered cursor is 400. */
import { base64url } from "jose";
import { AppSeatsError } from "./errors.js";

export function encodeCursor(key: readonly (string | number)[]): string {
  return base64url.encode(JSON.stringify(key));
}

export function decodeCursor<T extends readonly (string | number)[]>(cursor: string | undefined, arity: T["length"]): T | null {
  if (cursor === undefined) return null;
  try {
    const key = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(base64url.decode(cursor))) as unknown;
    if (Array.isArray(key) && key.length === arity && key.every((part) => typeof part === "string" || typeof part === "number")) {
      return key as unknown as T;
    }
  } catch {
    // falls through to the error below
  }
  throw new AppSeatsError("InvalidRequest", "The cursor is not one this API gave out. Start again without it.", {
    issues: [{ path: "cursor", message: "is not a cursor this API gave out" }],
  });
}

/** Takes one more row than the page to know whether another page follows. */
export function pageOf<Row, Item>(rows: Row[], limit: number, toItem: (row: Row) => Item, keyOf: (row: Row) => (string | number)[]) {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { items: page.map(toItem), nextCursor: rows.length > limit && last ? encodeCursor(keyOf(last)) : null };
}
