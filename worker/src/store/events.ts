/**
 * What a vendor's webhook learns of a change (API.md, "Vendor webhooks"; R23): the change says why
 * seats move (`because`), the licenses' triggers note each seat given or taken (schema.ts, v2), and
 * before the change commits its notes become events in the outbox — at most 1,000 users each, in
 * the order the seats moved. A change that rolls back (a refusal, a preview) leaves none.
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
import { addToOutbox } from "./outbox.js";
import { all, integer, one, oneOf, text } from "./rows.js";

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

/** The seats the change gave and took, as outbox events; call it last in the change's transaction. */
export function emitLicenseEvents(sql: SqlStorage, { now }: StoreChange): void {
  const events = all(
    sql,
    { subscription_id: text, kind: oneOf("granted", "revoked"), cause: text, users: text, first: integer },
    `WITH numbered AS (
       SELECT c.subscription_id, c.kind, c.cause, c.seq, c.user_id,
              MIN(c.seq) OVER (PARTITION BY c.subscription_id, c.kind, c.cause) AS first,
              (ROW_NUMBER() OVER (PARTITION BY c.subscription_id, c.kind, c.cause ORDER BY c.seq) - 1) / CAST(?1 AS INTEGER) AS chunk
         FROM license_changes c)
     SELECT n.subscription_id, n.kind, n.cause, MIN(n.first) AS first,
            json_group_array(CASE WHEN u.external_id IS NULL
                                  THEN json_object('id', u.id, 'userPrincipalName', u.user_principal_name)
                                  ELSE json_object('id', u.id, 'userPrincipalName', u.user_principal_name, 'externalId', u.external_id) END) AS users
       FROM numbered n JOIN users u ON u.id = n.user_id
      GROUP BY n.subscription_id, n.kind, n.cause, n.chunk
      ORDER BY MIN(n.first), n.chunk`,
    webhookLimits.maxUsersPerEvent,
  );
  if (events.length === 0) return;
  sql.exec(`DELETE FROM license_changes`);
  const tenantId = tenantOfStore(sql);
  for (const event of events) {
    const users = JSON.parse(event.users) as { id: string; userPrincipalName: string; externalId?: string }[];
    const body: WebhookEvent =
      event.kind === "granted"
        ? {
            type: "license.granted",
            timestamp: now,
            data: { subscriptionId: event.subscription_id, tenantId, users, via: event.cause as GrantPath },
          }
        : {
            type: "license.revoked",
            timestamp: now,
            data: { subscriptionId: event.subscription_id, tenantId, users, reason: event.cause as RevokeReason },
          };
    addToOutbox(sql, { topic: "webhook", subscriptionId: event.subscription_id, event: body }, now);
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
  addToOutbox(
    sql,
    {
      topic: "webhook",
      subscriptionId: subscription.id,
      event: {
        type: "subscription.changed",
        timestamp: now,
        data: { subscriptionId: subscription.id, tenantId, status: subscription.status, seats },
      },
    },
    now,
  );
}

/** Notes a change must not send (rows moved in from the D1 design, the demo's seed): forgotten. */
export function forgetLicenseChanges(sql: SqlStorage): void {
  sql.exec(`DELETE FROM license_changes`);
}
