import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor, pageOf } from "../../worker/src/cursor.js";
import { AppSeatsError } from "../../worker/src/errors.js";

describe("list cursors", () => {
  it("round-trip the sort key of the last item, URL-safe", () => {
    const key = ["2026-01-05T09:00:00.000Z", "user", "usr_contoso_adele"];
    const cursor = encodeCursor(key);
    expect(cursor).toMatch(/^[\w-]+$/);
    expect(decodeCursor(cursor, 3)).toEqual(key);
    expect(decodeCursor(encodeCursor(["waiting", 42]), 2)).toEqual(["waiting", 42]);
    expect(decodeCursor(undefined, 1)).toBeNull();
  });

  it("carry any text of a sort key, Traditional Chinese names among them", () => {
    const key = ["陳怡君", "usr_contoso_yijun"];
    const cursor = encodeCursor(key);
    expect(cursor).toMatch(/^[\w-]+$/);
    expect(decodeCursor(cursor, 2)).toEqual(key);
  });

  it("refuse anything they did not give out with InvalidRequest", () => {
    for (const bad of ["not-a-cursor", encodeCursor(["a"]), btoa("{}"), btoa('[{"x":1}]'), ""]) {
      expect(() => decodeCursor(bad, 2)).toThrowError(AppSeatsError);
    }
  });

  it("pages take one extra row to know that another page follows", () => {
    const rows = [1, 2, 3];
    expect(
      pageOf(
        rows,
        2,
        (n) => n * 10,
        (n) => [n],
      ),
    ).toEqual({ items: [10, 20], nextCursor: encodeCursor([2]) });
    expect(
      pageOf(
        rows,
        3,
        (n) => n,
        (n) => [n],
      ),
    ).toEqual({ items: [1, 2, 3], nextCursor: null });
  });
});
