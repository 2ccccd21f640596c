/**
 * Moving a deployment of the D1 design into tenant stores: each tenant's rows, still in D1's
 * tenant tables, copied into its store table by table, a chunk per step, with the progress kept
 * in D1 (store_moves) so that a move stopped anywhere goes on where it was. A chunk copied twice
 * changes nothing (store/import.ts inserts only what is missing). When a tenant's tables are all
 * copied, its rows are counted on both sides: the store must hold at least what D1 held.
 *
 * Local sessions are not moved: their tokens did not name their tenant, so their holders sign in
 * again. Idempotency records of vendors are not moved either (they were not kept per tenant); an
 * admin's are, under the store's scope. These are the only statements on D1's old tenant tables.
 */
import type { ImportedTable, StoreRows } from "../store/import.js";
import { d1First, integer, nullable, text } from "../store/rows.js";

interface Source {
  table: ImportedTable;
  /** Rows of tenant ?1, in a fixed order, ?2 at a time from ?3. */
  rows: string;
  /** How many rows the tenant has. */
  count: string;
}

const page = "LIMIT ?2 OFFSET ?3";

const sources: Source[] = [
  {
    table: "users",
    rows: `SELECT id, user_principal_name, display_name, mail, account_enabled, deleted_at, created_at, entra_object_id, external_id,
                  department, given_name, family_name, name_formatted FROM users WHERE tenant_id = ?1 ORDER BY id ${page}`,
    count: `SELECT COUNT(*) AS n FROM users WHERE tenant_id = ?1`,
  },
  {
    table: "groups",
    rows: `SELECT id, display_name, mail, external_id, created_at FROM groups WHERE tenant_id = ?1 ORDER BY id ${page}`,
    count: `SELECT COUNT(*) AS n FROM groups WHERE tenant_id = ?1`,
  },
  {
    table: "group_members",
    rows: `SELECT group_id, user_id, added_at FROM group_members WHERE tenant_id = ?1 ORDER BY group_id, user_id ${page}`,
    count: `SELECT COUNT(*) AS n FROM group_members WHERE tenant_id = ?1`,
  },
  {
    table: "admin_roles",
    rows: `SELECT user_id, role, source FROM (SELECT user_id, role, 'stored' AS source FROM admin_roles WHERE tenant_id = ?1
             UNION ALL SELECT user_id, role, 'lastSeen' FROM last_seen_roles WHERE tenant_id = ?1) ORDER BY user_id, source, role ${page}`,
    count: `SELECT (SELECT COUNT(*) FROM admin_roles WHERE tenant_id = ?1) + (SELECT COUNT(*) FROM last_seen_roles WHERE tenant_id = ?1) AS n`,
  },
  {
    table: "subscriptions",
    rows: `SELECT id, app_id, plan, purchased, status, renews_at, created_at, updated_at FROM subscriptions WHERE tenant_id = ?1 ORDER BY id ${page}`,
    count: `SELECT COUNT(*) AS n FROM subscriptions WHERE tenant_id = ?1`,
  },
  {
    table: "assignments",
    rows: `SELECT subscription_id, principal_type, principal_id, assigned_at, assigned_by FROM assignments WHERE tenant_id = ?1
            ORDER BY subscription_id, principal_type, principal_id ${page}`,
    count: `SELECT COUNT(*) AS n FROM assignments WHERE tenant_id = ?1`,
  },
  {
    // The order numbers come along: they are each waiting queue's order (R5).
    table: "licenses",
    rows: `SELECT seq, subscription_id, user_id, state, since FROM licenses WHERE tenant_id = ?1 ORDER BY seq ${page}`,
    count: `SELECT COUNT(*) AS n FROM licenses WHERE tenant_id = ?1`,
  },
  {
    table: "installs",
    rows: `SELECT id, subscription_id, requested_by, requested_at, completed_at FROM installs WHERE tenant_id = ?1 ORDER BY id ${page}`,
    count: `SELECT COUNT(*) AS n FROM installs WHERE tenant_id = ?1`,
  },
  {
    table: "usage_checks",
    rows: `SELECT subscription_id, user_id, last_asked_at FROM usage_checks WHERE tenant_id = ?1 ORDER BY subscription_id, user_id ${page}`,
    count: `SELECT COUNT(*) AS n FROM usage_checks WHERE tenant_id = ?1`,
  },
  {
    table: "audit_events",
    rows: `SELECT seq, id, at, actor_type, actor_id, actor_name, action, subscription_id, principals, summary, request_id
             FROM audit_events WHERE tenant_id = ?1 ORDER BY seq ${page}`,
    count: `SELECT COUNT(*) AS n FROM audit_events WHERE tenant_id = ?1`,
  },
  {
    table: "provisioning_tokens",
    // A token the D1 design stored without an expiry was never accepted (expires_at > now is not
    // true of NULL): it moves as expired at its creation, which the store's schema can hold.
    rows: `SELECT id, token_hash, created_at, created_by, COALESCE(expires_at, created_at) AS expires_at, last_used_at
             FROM provisioning_tokens WHERE tenant_id = ?1 ORDER BY id ${page}`,
    count: `SELECT COUNT(*) AS n FROM provisioning_tokens WHERE tenant_id = ?1`,
  },
  {
    table: "idempotency_records",
    rows: `SELECT 'user:' || substr(scope, length('user:' || ?1 || ':') + 1) AS scope, key, fingerprint, state, status, response, created_at
             FROM idempotency_records WHERE scope LIKE 'user:' || ?1 || ':%' ORDER BY scope, key ${page}`,
    count: `SELECT COUNT(*) AS n FROM idempotency_records WHERE scope LIKE 'user:' || ?1 || ':%'`,
  },
];

export const movedTables = sources.map((source) => source.table);

/** One step of a move: where it is, and what is left. */
export interface MoveStep {
  tenantId: string | null;
  table: ImportedTable | null;
  rows: number;
  /** Set when this step finished a tenant: its rows per table, in D1 and in its store. */
  verified?: { tenantId: string; counts: Record<string, { d1: number; store: number }>; ok: boolean };
  tenantsLeft: number;
  done: boolean;
}

/**
 * Copies the next chunk of the move (at most `limit` rows), or verifies a tenant whose tables are
 * all copied. `importRows` writes into a tenant's store; `storeCounts` counts a store's rows.
 */
export async function moveStep(
  db: D1Database,
  limit: number,
  store: {
    importRows(tenantId: string, rows: StoreRows): Promise<unknown>;
    counts(tenantId: string): Promise<Record<string, number>>;
  },
  now = new Date().toISOString(),
): Promise<MoveStep> {
  await db.prepare(`INSERT OR IGNORE INTO store_moves (tenant_id) SELECT id FROM tenants`).run();
  if (await isRetired(db)) {
    // The old tables are gone: a tenant that came in since has nothing in them to move.
    await db.prepare(`UPDATE store_moves SET moved_at = ?1 WHERE moved_at IS NULL`).bind(now).run();
    return { tenantId: null, table: null, rows: 0, tenantsLeft: 0, done: true };
  }
  const next = await d1First(
    db.prepare(
      `SELECT tenant_id, table_name, after_key, (SELECT COUNT(*) FROM store_moves WHERE moved_at IS NULL) AS left
         FROM store_moves WHERE moved_at IS NULL ORDER BY tenant_id LIMIT 1`,
    ),
    { tenant_id: text, table_name: nullable(text), after_key: nullable(text), left: integer },
  );
  if (!next) return { tenantId: null, table: null, rows: 0, tenantsLeft: 0, done: true };
  const tenantId = next.tenant_id;
  const index = next.table_name === null ? 0 : movedTables.indexOf(next.table_name as ImportedTable);
  const source = sources[index];
  if (!source) {
    // Every table copied: count both sides.
    const counts: Record<string, { d1: number; store: number }> = {};
    const stored = await store.counts(tenantId);
    for (const { table, count } of sources) {
      const d1 = (await d1First(db.prepare(count).bind(tenantId), { n: integer }))?.n ?? 0;
      counts[table] = { d1, store: stored[table] ?? 0 };
    }
    const ok = Object.values(counts).every((c) => c.store >= c.d1);
    if (ok) {
      await db.batch([
        // Its provisioning tokens are routed to it (those made after migration 0012 routed them too).
        db
          .prepare(
            `INSERT OR IGNORE INTO install_routes (install_id, subscription_id)
             SELECT id, subscription_id FROM installs WHERE tenant_id = ?1 AND completed_at IS NULL`,
          )
          .bind(tenantId),
        db
          .prepare(
            `INSERT OR IGNORE INTO provisioning_routes (token_hash, tenant_id) SELECT token_hash, tenant_id FROM provisioning_tokens WHERE tenant_id = ?1`,
          )
          .bind(tenantId),
        db.prepare(`UPDATE store_moves SET counts = ?2, moved_at = ?3 WHERE tenant_id = ?1`).bind(tenantId, JSON.stringify(counts), now),
      ]);
    }
    return { tenantId, table: null, rows: 0, verified: { tenantId, counts, ok }, tenantsLeft: next.left - (ok ? 1 : 0), done: false };
  }
  const offset = Number(next.after_key ?? 0);
  const { results } = await db.prepare(source.rows).bind(tenantId, limit, offset).all<Record<string, string | number | null>>();
  if (results.length > 0) await store.importRows(tenantId, { [source.table]: results } as StoreRows);
  const finished = results.length < limit;
  await db
    .prepare(`UPDATE store_moves SET table_name = ?2, after_key = ?3 WHERE tenant_id = ?1`)
    .bind(tenantId, finished ? (movedTables[index + 1] ?? "verify") : source.table, finished ? "0" : String(offset + results.length))
    .run();
  return { tenantId, table: source.table, rows: results.length, tenantsLeft: next.left, done: false };
}

/**
 * The D1 design's tenant tables, its guard view (batch_guard) with its triggers, its seat-counter
 * triggers and its search index, in an order their references allow: what retiring drops.
 */
const retired = [
  "DROP VIEW IF EXISTS account_roles",
  "DROP VIEW IF EXISTS batch_guard",
  "DROP TABLE IF EXISTS users_search",
  "DROP TABLE IF EXISTS groups_search",
  "DROP TABLE IF EXISTS idempotency_records",
  "DROP TABLE IF EXISTS session_tokens",
  "DROP TABLE IF EXISTS provisioning_tokens",
  "DROP TABLE IF EXISTS usage_checks",
  "DROP TABLE IF EXISTS audit_purge",
  "DROP TABLE IF EXISTS audit_events",
  "DROP TABLE IF EXISTS installs",
  "DROP TABLE IF EXISTS licenses",
  "DROP TABLE IF EXISTS assignments",
  "DROP TABLE IF EXISTS last_seen_roles",
  "DROP TABLE IF EXISTS admin_roles",
  "DROP TABLE IF EXISTS group_members",
  "DROP TABLE IF EXISTS groups",
  "DROP TABLE IF EXISTS users",
];

const isRetired = async (db: D1Database) =>
  (await d1First(db.prepare(`SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'users'`), { n: integer }))!.n === 0;

/**
 * Once every tenant is moved and verified: D1's old tenant tables go, leaving the control plane
 * alone. Refused (answering the tenants left) while any tenant is not moved yet. Idempotent.
 */
export async function retireTenantTables(db: D1Database): Promise<{ retired: boolean; tenantsLeft: number }> {
  await db.prepare(`INSERT OR IGNORE INTO store_moves (tenant_id) SELECT id FROM tenants`).run();
  const left = (await d1First(db.prepare(`SELECT COUNT(*) AS n FROM store_moves WHERE moved_at IS NULL`), { n: integer }))!.n;
  if (left > 0) return { retired: false, tenantsLeft: left };
  await db.batch(retired.map((statement) => db.prepare(statement)));
  return { retired: true, tenantsLeft: 0 };
}
