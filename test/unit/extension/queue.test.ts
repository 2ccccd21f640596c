import { describe, expect, it } from "vitest";
import { type QueuedChange, replay, replaysAs, type SendOutcome, withoutChangesOf } from "../../../extension/src/core/queue.js";

const change = (id: string, userId = "usr_megan", tenantId = "contoso"): QueuedChange => ({
  id,
  tenantId,
  userId,
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

describe("a queued change belongs to the admin who made it (the security review)", () => {
  const session = (tenant: string, user: string) => ({ me: { tenant: { id: tenant }, user: { id: user } } });

  it("is replayed only by that admin's session in that tenant, never another admin's", () => {
    const megan = session("contoso", "usr_megan");
    const lidia = session("contoso", "usr_lidia");
    expect(replaysAs(change("a"), [lidia, megan])).toBe(megan);
    expect(replaysAs(change("a"), [lidia])).toBeUndefined();
    expect(replaysAs(change("a"), [session("fabrikam", "usr_megan")])).toBeUndefined();
    // A change queued before changes kept their admin is replayed by nobody.
    expect(replaysAs({ ...change("a"), userId: undefined as unknown as string }, [megan, lidia])).toBeUndefined();
  });

  it("is dropped when that admin signs out of that tenant; other admins' and tenants' changes stay", () => {
    const queue = [change("a"), change("b", "usr_lidia"), change("c", "usr_megan", "fabrikam"), change("d")];
    expect(withoutChangesOf(queue, "contoso", "usr_megan").map((c) => c.id)).toEqual(["b", "c"]);
  });
});
