import { describe, expect, it } from "vitest";
import { flag, integer, json, nullable, oneOf, rowOf, text } from "../../worker/src/store/rows.js";

describe("rows read with their types checked", () => {
  const shape = {
    id: text,
    seats: integer,
    mail: nullable(text),
    enabled: flag,
    state: oneOf("active", "waiting"),
    via: json<{ id: string }[]>(),
  };

  it("answers each column typed, as the shape names it", () => {
    expect(
      rowOf(shape, { id: "usr_1", seats: 3, mail: null, enabled: 1, state: "waiting", via: '[{"id":"grp_1"}]', extra: "left out" }),
    ).toEqual({
      id: "usr_1",
      seats: 3,
      mail: null,
      enabled: true,
      state: "waiting",
      via: [{ id: "grp_1" }],
    });
  });

  it("refuses a value of another kind, naming the column, instead of passing it on", () => {
    expect(() => rowOf(shape, { id: 7, seats: 3, mail: null, enabled: 1, state: "active", via: "[]" })).toThrow(
      "The column id should be text, not number.",
    );
    expect(() => rowOf(shape, { id: "u", seats: null, mail: null, enabled: 1, state: "active", via: "[]" })).toThrow(
      "The column seats should be a number, not null.",
    );
    expect(() => rowOf(shape, { id: "u", seats: 1, mail: null, enabled: 1, state: "gone", via: "[]" })).toThrow(
      "The column state holds gone, not one of active, waiting.",
    );
    // A column the query does not answer at all (renamed, say) is refused like one of another kind, unless it may be null.
    expect(() => rowOf({ id: text }, {})).toThrow("The column id should be text, not undefined.");
    expect(rowOf({ mail: nullable(text) }, {})).toEqual({ mail: null });
  });
});
