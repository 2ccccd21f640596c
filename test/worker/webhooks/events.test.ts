/**
 * The notes of seats moved become events in the change's transaction (store/events.ts): each kind
 * of move — a subscription's seats given or taken, for one cause — its users in the order they
 * moved, at most 1,000 an event, the kinds in the order of their first move. Whether a change's
 * kinds lie together (one statement each, read by ranges) or interleave (read by a window), the
 * events are the same.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { emitLicenseEvents } from "../../../worker/src/store/events.js";
import { contoso, freshDemo, inStore } from "../support.js";

const change = {
  actor: { type: "system" as const, id: "test", displayName: "Test" },
  requestId: "req_test",
  now: "2026-12-06T00:00:00.000Z",
};
const bulk = (n: number) => `usr_bulk${String(n).padStart(4, "0")}`;

/** A note per user 1 … count of each kind, in `order`; then the events they make, as the outbox holds them. */
function eventsOf(
  kinds: { subscription: string; kind: "granted" | "revoked"; cause: string }[],
  count: number,
  order: "together" | "interleaved",
) {
  return inStore("contoso", (sql) => {
    sql.exec(
      `WITH RECURSIVE n(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM n WHERE value < ?1)
       INSERT INTO users (id, user_principal_name, display_name, external_id, created_at)
       SELECT printf('usr_bulk%04d', value), printf('bulk%04d@contoso.com', value), 'Bulk',
              CASE WHEN value % 2 = 0 THEN printf('ext-%04d', value) END, ?2 FROM n`,
      count,
      change.now,
    );
    const notes =
      order === "together"
        ? kinds.flatMap((kind) => Array.from({ length: count }, (_, i) => ({ ...kind, user: bulk(i + 1) })))
        : Array.from({ length: count }, (_, i) => kinds.map((kind) => ({ ...kind, user: bulk(i + 1) }))).flat();
    for (const note of notes) {
      sql.exec(
        `INSERT INTO license_changes (subscription_id, user_id, kind, cause) VALUES (?, ?, ?, ?)`,
        note.subscription,
        note.user,
        note.kind,
        note.cause,
      );
    }
    emitLicenseEvents(sql, change);
    const left = sql.exec(`SELECT COUNT(*) AS n FROM license_changes`).one().n;
    // Each entry names its event's type for the control plane; its body rides apart from that.
    const events = sql
      .exec<{ payload: string; body: string }>(`SELECT payload, body FROM outbox WHERE topic = 'webhook' ORDER BY seq`)
      .toArray()
      .map((row) => {
        const event = JSON.parse(row.body);
        expect(JSON.parse(row.payload)).toEqual({ topic: "webhook", subscriptionId: event.data.subscriptionId, type: event.type });
        return event;
      });
    return { left, events };
  });
}

describe("a change's notes of seats moved, as events", () => {
  beforeEach(freshDemo);

  const kinds = [
    { subscription: contoso.northwindNotes, kind: "revoked" as const, cause: "removedFromGroup" },
    { subscription: contoso.litwareChat, kind: "revoked" as const, cause: "removedFromGroup" },
    { subscription: contoso.litwareChat, kind: "granted" as const, cause: "waitingList" },
  ];
  const expected = kinds.flatMap(({ subscription, kind, cause }) =>
    [
      [1, 1000],
      [1001, 1200],
    ].map(([from, to]) => ({
      type: `license.${kind}`,
      subscriptionId: subscription,
      cause,
      users: Array.from({ length: to! - from! + 1 }, (_, i) => bulk(from! + i)),
    })),
  );
  const summary = (events: { type: string; data: Record<string, unknown> }[]) =>
    events.map((event) => ({
      type: event.type,
      subscriptionId: event.data.subscriptionId,
      cause: event.data.reason ?? event.data.via,
      users: (event.data.users as { id: string }[]).map((user) => user.id),
    }));

  it("kinds that lie together: each kind's users in order, 1,000 an event, the kinds in order; the notes are gone", async () => {
    const { left, events } = await eventsOf(kinds, 1200, "together");
    expect(summary(events)).toEqual(expected);
    expect(left).toBe(0);
  });

  it("kinds interleaved (members leaving a group licensed for two subscriptions): the same events", async () => {
    const { left, events } = await eventsOf(kinds, 1200, "interleaved");
    expect(summary(events)).toEqual(expected);
    expect(left).toBe(0);
  });

  it("each user is named with an externalId only when they have one", async () => {
    const { events } = await eventsOf(kinds.slice(0, 1), 2, "together");
    expect(events[0].data.users).toEqual([
      { id: bulk(1), userPrincipalName: "bulk0001@contoso.com" },
      { id: bulk(2), userPrincipalName: "bulk0002@contoso.com", externalId: "ext-0002" },
    ]);
  });
});
