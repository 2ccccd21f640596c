import { describe, expect, it } from "vitest";
import { RecentCallers } from "../../worker/src/auth/recent-callers.js";

describe("the callers remembered lately", () => {
  it("forget a caller once it is older than the maximum age", () => {
    let now = 0;
    const recent = new RecentCallers<string>({ size: 10, maxAgeMs: 1000, now: () => now });
    recent.set("a", "Adele");
    now = 1000;
    expect(recent.get("a")).toBe("Adele");
    now = 1001;
    expect(recent.get("a")).toBeUndefined();
    // Forgotten for good: a younger clock does not bring it back.
    now = 0;
    expect(recent.get("a")).toBeUndefined();
  });

  it("keep at most `size`, dropping the least recently used first", () => {
    const recent = new RecentCallers<string>({ size: 2, maxAgeMs: 1000, now: () => 0 });
    recent.set("a", "Adele");
    recent.set("b", "Ben");
    expect(recent.get("a")).toBe("Adele"); // now b is the least recently used
    recent.set("c", "Carol");
    expect([recent.get("a"), recent.get("b"), recent.get("c")]).toEqual(["Adele", undefined, "Carol"]);
  });

  it("take a caller verified again as new, and forget one on request", () => {
    let now = 0;
    const recent = new RecentCallers<string>({ size: 10, maxAgeMs: 1000, now: () => now });
    recent.set("a", "Adele");
    now = 900;
    recent.set("a", "Adele Vance");
    now = 1500;
    expect(recent.get("a")).toBe("Adele Vance");
    recent.delete("a");
    expect(recent.get("a")).toBeUndefined();
  });
});
