import { describe, expect, it } from "vitest";
import { type QueuedChange, replay, type SendOutcome } from "../../../extension/src/core/queue.js";

const change = (id: string): QueuedChange => ({
  id,
  tenantId: "contoso",
  licenseId: "sub",
  appName: "Northwind Notes",
  verb: "assign",
  principals: [{ type: "user", id: "u", displayName: "U" }],
  queuedAt: "2026-11-30T00:00:00.000Z",
  attempts: 0,
});

describe("replaying the offline queue", () => {
  it("sends every change in order and empties the queue", async () => {
    const sent: string[] = [];
    const result = await replay([change("a"), change("b")], async (c) => {
      sent.push(c.id);
      return { change: c, result: "done", summary: "ok" };
    });
    expect(sent).toEqual(["a", "b"]);
    expect(result.remaining).toEqual([]);
    expect(result.outcomes.map((o) => o.result)).toEqual(["done", "done"]);
  });

  it("stops at the first change still unreachable, keeping it and those after it, in order", async () => {
    const answers: Record<string, SendOutcome["result"]> = { a: "done", b: "unreachable", c: "done" };
    const sent: string[] = [];
    const result = await replay([change("a"), change("b"), change("c")], async (c) => {
      sent.push(c.id);
      return answers[c.id] === "unreachable" ? { change: c, result: "unreachable" } : { change: c, result: "done", summary: "ok" };
    });
    expect(sent).toEqual(["a", "b"]);
    expect(result.remaining.map((c) => [c.id, c.attempts])).toEqual([
      ["b", 1],
      ["c", 0],
    ]);
  });

  it("a refused change is reported and not kept: sending it again would be refused again", async () => {
    const result = await replay([change("a")], async (c) => ({ change: c, result: "refused", message: "No seats" }));
    expect(result.remaining).toEqual([]);
    expect(result.outcomes).toEqual([{ change: change("a"), result: "refused", message: "No seats" }]);
  });
});
