/** Audit events (R12): every change adds its event to the same batch as the change itself. */
import type { AuditAction, AuditEvent, Principal } from "@appseats/shared";
import type { ChangeContext } from "./context.js";
import { newId } from "./context.js";
import { decodeCursor, pageOf } from "./cursor.js";
import { auditPrincipalLimit, renumberParams } from "./sql.js";

export interface AuditEntry {
  action: AuditAction;
  subscriptionId?: string | null;
  principals?: Principal[];
  summary: string;
}

/** Every audit insert names its columns in this order; ?1 to ?9 are bound by `eventParams`. */
export const auditInsert = `INSERT INTO audit_events
  (id, tenant_id, at, actor_type, actor_id, actor_name, action, subscription_id, request_id, principals, summary)`;

/** In an audit statement: the name of the app of the event's subscription (?8). */
export const eventAppNameSql = `(SELECT app.name FROM subscriptions sub JOIN apps app ON app.id = sub.app_id WHERE sub.id = ?8)`;

const eventParams = (ctx: ChangeContext, action: AuditAction, subscriptionId: string | null | undefined) => [
  newId(),
  ctx.tenantId,
  ctx.now,
  ctx.actor.type,
  ctx.actor.id,
  ctx.actor.displayName,
  action,
  subscriptionId ?? null,
  ctx.requestId,
];

export function auditStatement(db: D1Database, ctx: ChangeContext, entry: AuditEntry): D1PreparedStatement {
  const principals = entry.principals?.slice(0, auditPrincipalLimit).map(({ type, id }) => ({ type, id }));
  return db
    .prepare(`${auditInsert} VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)`)
    .bind(...eventParams(ctx, entry.action, entry.subscriptionId), principals ? JSON.stringify(principals) : null, entry.summary);
}

/**
 * An audit event written only if `principalsSql` (a SELECT of type and id, whose numbered
 * parameters are `params`) yields rows when the batch reaches it. It names them all: every
 * caller lists the principals of one request, at most maxPrincipalsPerRequest, which is the
 * audit's limit. `summary` is the event's text, bound as a parameter, or an SQL expression of
 * their count that may name `params` through `param(n)` (the n-th, from 1): text from outside (a
 * name, an id) reaches SQL only as a bound parameter, never inlined. One pass over the rows, so the
 * listing is compiled once: the local D1 compiles every statement on every call.
 */
export function auditWhenAny(
  db: D1Database,
  ctx: ChangeContext,
  entry: {
    action: AuditAction;
    subscriptionId?: string | null;
    principalsSql: string;
    params: unknown[];
    summary: string | ((countSql: string, param: (n: number) => string) => string);
  },
): D1PreparedStatement {
  const fixed = 9;
  const param = (n: number) => `?${fixed + n}`;
  const text = typeof entry.summary === "string";
  const summarySql = typeof entry.summary === "string" ? param(entry.params.length + 1) : entry.summary("COUNT(*)", param);
  return db
    .prepare(
      `WITH listed(type, id) AS (${renumberParams(entry.principalsSql, fixed)})
       ${auditInsert}
       SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, json_group_array(json_object('type', type, 'id', id)), ${summarySql}
         FROM listed HAVING COUNT(*) > 0`,
    )
    .bind(...eventParams(ctx, entry.action, entry.subscriptionId), ...entry.params, ...(text ? [entry.summary] : []));
}

interface AuditRow {
  seq: number;
  id: string;
  at: string;
  actor_type: AuditEvent["actor"]["type"];
  actor_id: string;
  actor_name: string;
  action: AuditEvent["action"];
  subscription_id: string | null;
  principals: string | null;
  summary: string;
  request_id: string;
}

/** The tenant's audit trail, newest first, optionally for one license. */
export async function auditTrail(
  db: D1Database,
  tenantId: string,
  query: { limit: number; cursor?: string | undefined; licenseId?: string | undefined },
) {
  const after = decodeCursor<[number]>(query.cursor, 1);
  const { results } = await db
    .prepare(
      `SELECT seq, id, at, actor_type, actor_id, actor_name, action, subscription_id, principals, summary, request_id FROM audit_events
        WHERE tenant_id = ?1 AND (?2 IS NULL OR subscription_id = ?2) AND (?3 IS NULL OR seq < ?3)
        ORDER BY seq DESC LIMIT ?4`,
    )
    .bind(tenantId, query.licenseId ?? null, after?.[0] ?? null, query.limit + 1)
    .all<AuditRow>();
  return pageOf(
    results,
    query.limit,
    (row): AuditEvent => ({
      id: row.id,
      at: row.at,
      actor: { id: row.actor_id, displayName: row.actor_name, type: row.actor_type },
      action: row.action,
      ...(row.subscription_id ? { licenseId: row.subscription_id } : {}),
      ...(row.principals ? { principals: JSON.parse(row.principals) as AuditEvent["principals"] } : {}),
      summary: row.summary,
      requestId: row.request_id,
    }),
    (row) => [row.seq],
  );
}
