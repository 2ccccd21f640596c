/**
 * What a vendor's webhook learns of a change (API.md, "Vendor webhooks"; R23): the change says why
 * seats move (`because`), the licenses' triggers note each seat given or taken (schema.ts, v2), and
 * before the change commits its notes become events in the outbox, each with its body
 * (webhook-bodies.ts) — at most 1,000 users each, in the order the seats moved. A change that
 * rolls back (a refusal, a preview) leaves none.
 */
import {
  type GrantPath,
  type RevokeReason,
  type Seats,
  type SubscriptionStatusName,
  type WebhookEvent,
  webhookLimits,
} from "@appseats/shared";
import type { StoreChange } from "./changes.js";
import { all, first, integer, one, oneOf, text } from "./rows.js";
import { addWebhookEvent } from "./webhook-bodies.js";

/** The tenant this store holds (tenant-store.ts fixes it at the first call). */
const tenantOfStore = (sql: SqlStorage) => one(sql, { tenant_id: text }, `SELECT tenant_id FROM store_tenant`).tenant_id;

/** Why the seats moved by the statements `moves` runs: how they were given, and why they were taken. */
export function because<T>(sql: SqlStorage, cause: { via?: GrantPath; reason?: RevokeReason }, moves: () => T): T {
  const [before] = all(sql, { via: oneOf("direct", "group", "waitingList"), reason: text }, `SELECT via, reason FROM change_cause`);
  sql.exec(`UPDATE change_cause SET via = COALESCE(?, via), reason = COALESCE(?, reason)`, cause.via ?? null, cause.reason ?? null);
  try {
    return moves();
  } finally {
    if (before) sql.exec(`UPDATE change_cause SET via = ?, reason = ?`, before.via, before.reason);
  }
}

/** A user as an event names them, built in SQL from the note `c` and its user `u`. */
const eventUser = `CASE WHEN u.external_id IS NULL
    THEN json_object('id', u.id, 'userPrincipalName', u.user_principal_name)
    ELSE json_object('id', u.id, 'userPrincipalName', u.user_principal_name, 'externalId', u.external_id) END`;

/** Where a run of notes of one kind of move starts: a subscription's seats given, or taken, for one cause. */
const runShape = { seq: integer, subscription_id: text, kind: oneOf("granted", "revoked"), cause: text };

/** Past this many runs of notes, the kinds are taken as interleaved. */
const mostRuns = 64;

/**
 * The notes in runs of one kind each, in order: found by reading the first note of a run, then
 * looking, in the order of the notes, for the first one of another kind (one pass over the notes,
 * without a sort). Null when some kind comes back after another, or there are too many runs.
 */
function runsOfNotes(sql: SqlStorage) {
  const runs: { subscription_id: string; kind: "granted" | "revoked"; cause: string; first: number; last: number }[] = [];
  const seen = new Set<string>();
  let head = first(sql, runShape, `SELECT seq, subscription_id, kind, cause FROM license_changes ORDER BY seq LIMIT 1`);
  while (head) {
    const key = JSON.stringify([head.subscription_id, head.kind, head.cause]);
    if (seen.has(key) || runs.length === mostRuns) return null;
    seen.add(key);
    const next = first(
      sql,
      runShape,
      `SELECT seq, subscription_id, kind, cause FROM license_changes
        WHERE seq > ?1 AND (subscription_id IS NOT ?2 OR kind IS NOT ?3 OR cause IS NOT ?4) ORDER BY seq LIMIT 1`,
      head.seq,
      head.subscription_id,
      head.kind,
      head.cause,
    );
    const last = next ? next.seq - 1 : one(sql, { last: integer }, `SELECT MAX(seq) AS last FROM license_changes`).last;
    runs.push({ subscription_id: head.subscription_id, kind: head.kind, cause: head.cause, first: head.seq, last });
    head = next;
  }
  return runs;
}

/**
 * The notes' events: each kind of move's users in the order they moved, at most `perEvent` an
 * event, the kinds in the order of their first move. Each statement usually moves one kind's seats,
 * so its notes lie together, in runs: then each event is one range of notes, read without a sort
 * (a 50,000-member group's 50 events in tens of milliseconds). Kinds interleaved — members leaving
 * a group licensed for several subscriptions — are numbered by a window over every note.
 */
function eventsOfNotes(sql: SqlStorage, perEvent: number) {
  const runs = runsOfNotes(sql);
  if (runs) {
    // A note's seq is the table's rowid: the notes of a change are numbered one after another, so
    // a range of seqs holds as many notes; an empty one (were it ever not so) sends no event.
    return runs.flatMap((run) => {
      const ranges = Array.from({ length: Math.ceil((run.last - run.first + 1) / perEvent) }, (_, i) => run.first + i * perEvent);
      return ranges
        .map((from) => ({
          ...run,
          users: one(
            sql,
            { users: text },
            `SELECT json_group_array(${eventUser} ORDER BY c.seq) AS users
             FROM license_changes c JOIN users u ON u.id = c.user_id WHERE c.seq BETWEEN ?1 AND ?2`,
            from,
            Math.min(run.last, from + perEvent - 1),
          ).users,
        }))
        .filter((event) => event.users !== "[]");
    });
  }
  return all(
    sql,
    { subscription_id: text, kind: oneOf("granted", "revoked"), cause: text, users: text },
    `WITH numbered AS (
       SELECT seq, MIN(seq) OVER kind AS first, (ROW_NUMBER() OVER kind - 1) / CAST(?1 AS INTEGER) AS chunk
         FROM license_changes WINDOW kind AS (PARTITION BY subscription_id, kind, cause ORDER BY seq))
     SELECT c.subscription_id, c.kind, c.cause, json_group_array(${eventUser} ORDER BY c.seq) AS users
       FROM numbered n JOIN license_changes c ON c.seq = n.seq JOIN users u ON u.id = c.user_id
      GROUP BY n.first, n.chunk
      ORDER BY n.first, n.chunk`,
    perEvent,
  );
}

/**
 * An event's body with its users as SQLite wrote them (a JSON array): the event is typed and
 * serialized with no users, and their text put in its place, rather than parsed and written again
 * (a 50,000-member group's 5 MB). No value before `users` can hold the text `"users":[]`
 * unescaped, so its first occurrence is the place.
 */
const withUsers = (event: WebhookEvent, users: string) => JSON.stringify(event).replace(`"users":[]`, () => `"users":${users}`);

/** The seats the change gave and took, as outbox events; call it last in the change's transaction. */
export function emitLicenseEvents(sql: SqlStorage, { now }: StoreChange): void {
  const events = eventsOfNotes(sql, webhookLimits.maxUsersPerEvent);
  if (events.length === 0) return;
  sql.exec(`DELETE FROM license_changes`);
  const tenantId = tenantOfStore(sql);
  for (const event of events) {
    const body: WebhookEvent =
      event.kind === "granted"
        ? {
            type: "license.granted",
            timestamp: now,
            data: { subscriptionId: event.subscription_id, tenantId, users: [], via: event.cause as GrantPath },
          }
        : {
            type: "license.revoked",
            timestamp: now,
            data: { subscriptionId: event.subscription_id, tenantId, users: [], reason: event.cause as RevokeReason },
          };
    addWebhookEvent(sql, event.subscription_id, body.type, withUsers(body, event.users), now);
  }
}

/** A subscription's status or quantity changed (or it was bought): `subscription.changed`, in the change's transaction. */
export function emitSubscriptionChanged(
  sql: SqlStorage,
  { now }: StoreChange,
  subscription: { id: string; status: SubscriptionStatusName },
  seats: Seats,
): void {
  const tenantId = tenantOfStore(sql);
  const event: WebhookEvent = {
    type: "subscription.changed",
    timestamp: now,
    data: { subscriptionId: subscription.id, tenantId, status: subscription.status, seats },
  };
  addWebhookEvent(sql, subscription.id, event.type, JSON.stringify(event), now);
}

/** Notes a change must not send (rows moved in from the D1 design, the demo's seed): forgotten. */
export function forgetLicenseChanges(sql: SqlStorage): void {
  sql.exec(`DELETE FROM license_changes`);
}
