import { describe, expect, it } from "vitest";
import {
  backoffMs,
  maxAttempts,
  mergedAfterReplay,
  nextAttemptOf,
  type QueuedChange,
  replay,
  replaysAs,
  retried,
  type SendOutcome,
  withoutChangesOf,
} from "../../../extension/src/core/queue.js";

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
    const now = Date.parse("2026-12-05T12:00:00.000Z");
    const result = await replay(
      [change("a"), change("b"), change("c")],
      async (c) => {
        sent.push(c.id);
        return answers[c.id] === "unreachable" ? { change: c, result: "unreachable" } : { change: c, result: "done", summary: "ok" };
      },
      now,
    );
    expect(sent).toEqual(["a", "b"]);
    expect(result.remaining.map((c) => [c.id, c.attempts, c.nextAttemptAt])).toEqual([
      ["b", 1, "2026-12-05T12:00:30.000Z"],
      ["c", 0, undefined],
    ]);
  });

  it("a change that cannot be sent waits twice as long after each try, and is not tried before its time", async () => {
    expect([1, 2, 3, 4].map(backoffMs)).toEqual([30_000, 60_000, 120_000, 240_000]);
    const now = Date.parse("2026-12-05T12:00:00.000Z");
    const waiting = { ...change("a"), attempts: 2, nextAttemptAt: "2026-12-05T12:01:00.000Z" };
    const sent: string[] = [];
    const notDue = await replay(
      [waiting, change("b")],
      async (c) => {
        sent.push(c.id);
        return { change: c, result: "done", summary: "ok" };
      },
      now,
    );
    expect(sent).toEqual([]);
    expect(notDue.remaining).toEqual([waiting, change("b")]);
    expect(nextAttemptOf(notDue.remaining)).toBe(Date.parse("2026-12-05T12:01:00.000Z"));
    // A page that has just reached the backend sends it at once.
    const early = await replay([waiting], async (c) => ({ change: c, result: "done", summary: "ok" }), now, true);
    expect(early.outcomes.map((o) => o.change.id)).toEqual(["a"]);
    expect(early.remaining).toEqual([]);
    const due = await replay([waiting], async (c) => ({ change: c, result: "unreachable" }), now + 60_000);
    expect(due.remaining).toEqual([{ ...waiting, attempts: 3, nextAttemptAt: "2026-12-05T12:03:00.000Z" }]);
  });

  it(`after ${maxAttempts} tries a change is kept as failed and reported; the ones after it go on; Retry starts it afresh`, async () => {
    const last = { ...change("a"), attempts: maxAttempts - 1 };
    const result = await replay([last, change("b")], async (c) =>
      c.id === "a" ? { change: c, result: "unreachable" } : { change: c, result: "done", summary: "ok" },
    );
    const failed = { ...change("a"), attempts: maxAttempts, failed: true };
    expect(result.failed).toEqual([failed]);
    expect(result.remaining).toEqual([failed]);
    expect(result.outcomes.map((o) => o.change.id)).toEqual(["b"]);
    // A failed change is never sent again on its own.
    const sent: string[] = [];
    await replay(result.remaining, async (c) => {
      sent.push(c.id);
      return { change: c, result: "done", summary: "ok" };
    });
    expect(sent).toEqual([]);
    expect(nextAttemptOf(result.remaining)).toBeUndefined();
    expect(retried(result.remaining, "a")).toEqual([{ ...change("a"), attempts: 0 }]);
  });

  it("a refused change is reported and not kept: sending it again would be refused again", async () => {
    const result = await replay([change("a")], async (c) => ({ change: c, result: "refused", message: "No seats" }));
    expect(result.remaining).toEqual([]);
    expect(result.outcomes).toEqual([{ change: change("a"), result: "refused", message: "No seats" }]);
  });
});

describe("what a replay writes back", () => {
  it("never a stale change: one retried, discarded or queued meanwhile stays as it is now", () => {
    const sent = change("sent");
    const waiting = change("waiting");
    const retriedMeanwhile = { ...change("failed"), attempts: 5, failed: true };
    const discardedMeanwhile = { ...change("gone"), attempts: 5, failed: true };
    const read = [sent, retriedMeanwhile, discardedMeanwhile, waiting];
    const replayed = [retriedMeanwhile, discardedMeanwhile, { ...waiting, attempts: 1, nextAttemptAt: "2026-12-05T12:00:30.000Z" }];
    const now = [sent, { ...change("failed"), attempts: 0 }, waiting, change("new")];
    expect(mergedAfterReplay(read, replayed, now)).toEqual([
      { ...change("failed"), attempts: 0 },
      { ...waiting, attempts: 1, nextAttemptAt: "2026-12-05T12:00:30.000Z" },
      change("new"),
    ]);
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
