/**
 * R5: whenever seats free up, waiting users get them at once, first come first served, in the
 * same batch as the change that freed them. One statement fills every subscription in scope,
 * and one more audits each subscription filled as `license.fill`, naming who received a seat.
 */
import { auditInsert } from "./audit.js";
import { type Batch, countOf, type Slot } from "./batch.js";
import { type ChangeContext, newId } from "./context.js";
import { auditPrincipalLimit, openSeats } from "./sql.js";

/** One subscription, or every subscription of the tenant (after a directory change). */
export type FillScope = { subscriptionId: string } | "tenant";

/** Adds the fill and its audit to a change's batch; the slot reads how many users were given a seat. */
export function addFill(batch: Batch, ctx: ChangeContext, scope: FillScope): Slot<number> {
  const db = batch.db;
  // Rows filled here carry `<fillId>:<subscriptionId>` so the audit can find them in SQL.
  const fillId = newId();
  const subscriptionId = scope === "tenant" ? null : scope.subscriptionId;
  const fill = db
    .prepare(
      `WITH open AS (
         SELECT s.id AS subscription_id, ${openSeats("s.id")} AS seats
           FROM subscriptions s WHERE s.tenant_id = ?1 AND (?2 IS NULL OR s.id = ?2)
       ), queue AS (
         SELECT l.seq, o.seats, ROW_NUMBER() OVER (PARTITION BY l.subscription_id ORDER BY l.seq) AS position
           FROM open o JOIN licenses l ON l.subscription_id = o.subscription_id AND l.state = 'waiting'
          WHERE o.seats > 0
       )
       UPDATE licenses SET state = 'active', since = ?3, event_id = ?4 || ':' || subscription_id
        WHERE seq IN (SELECT seq FROM queue WHERE position <= seats)`,
    )
    .bind(ctx.tenantId, subscriptionId, ctx.now, fillId);

  const audit = db
    .prepare(
      `${auditInsert}
       SELECT f.event_id, ?2, ?3, ?4, ?5, ?6, 'license.fill', f.subscription_id, ?7,
              (SELECT json_group_array(json_object('type', 'user', 'id', x.user_id))
                 FROM (SELECT user_id FROM licenses x WHERE x.event_id = f.event_id
                        ORDER BY x.seq LIMIT ${auditPrincipalLimit}) x),
              COUNT(*) || ' waiting user(s) received a seat'
         FROM licenses f
        WHERE f.event_id > ?1 || ':' AND f.event_id < ?1 || ';'
        GROUP BY f.event_id, f.subscription_id`,
    )
    .bind(fillId, ctx.tenantId, ctx.now, ctx.actor.type, ctx.actor.id, ctx.actor.displayName, ctx.requestId);
  batch.run(fill, audit);
  return countOf(batch, db.prepare(`SELECT COUNT(*) AS n FROM licenses WHERE event_id > ?1 || ':' AND event_id < ?1 || ';'`).bind(fillId));
}
