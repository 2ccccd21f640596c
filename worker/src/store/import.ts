/**
 * Rows written into a tenant store as they are, for the demo's seed and for moving a deployment's
 * tenants out of the one D1 database (scripts/move-to-stores.ts): each table's rows, keeping
 * their ids and their order numbers (a waiting queue's order, the audit's), inserted only where
 * missing, so that importing the same rows again changes nothing. Then the counts per table, which
 * the move compares with the source's.
 */
import { AppSeatsError } from "../errors.js";
import { forgetLicenseChanges } from "./events.js";
import { integer, one } from "./rows.js";

/** The tables an import writes, in an order that satisfies their references, and the columns of each. */
export const importedTables = {
  users: [
    "id",
    "user_principal_name",
    "display_name",
    "mail",
    "account_enabled",
    "deleted_at",
    "created_at",
    "entra_object_id",
    "external_id",
    "department",
    "given_name",
    "family_name",
    "name_formatted",
  ],
  groups: ["id", "display_name", "mail", "external_id", "created_at"],
  group_members: ["group_id", "user_id", "added_at"],
  admin_roles: ["user_id", "role", "source"],
  subscriptions: ["id", "app_id", "plan", "purchased", "status", "renews_at", "created_at", "updated_at"],
  assignments: ["subscription_id", "principal_type", "principal_id", "assigned_at", "assigned_by"],
  licenses: ["seq", "subscription_id", "user_id", "state", "since"],
  installs: ["id", "subscription_id", "requested_by", "requested_at", "completed_at"],
  usage_checks: ["subscription_id", "user_id", "last_asked_at"],
  audit_events: [
    "seq",
    "id",
    "at",
    "actor_type",
    "actor_id",
    "actor_name",
    "action",
    "subscription_id",
    "principals",
    "summary",
    "request_id",
  ],
  session_tokens: ["token_hash", "user_id", "created_at", "expires_at"],
  provisioning_tokens: ["id", "token_hash", "created_at", "created_by", "expires_at", "last_used_at"],
  idempotency_records: ["scope", "key", "fingerprint", "state", "status", "response", "created_at"],
} as const;

export type ImportedTable = keyof typeof importedTables;
export type StoreRows = Partial<Record<ImportedTable, Record<string, SqlStorageValue>[]>>;

/** Inserts the rows where missing; answers how many each table gained. */
export function importRows(sql: SqlStorage, rows: StoreRows): Record<string, number> {
  const gained: Record<string, number> = {};
  for (const table of Object.keys(importedTables) as ImportedTable[]) {
    const given = rows[table];
    if (!given?.length) continue;
    const columns = importedTables[table];
    for (const row of given) {
      const unknown = Object.keys(row).filter((column) => !(columns as readonly string[]).includes(column));
      if (unknown.length > 0) throw new AppSeatsError("InvalidRequest", `${table} has no column ${unknown.join(", ")}.`);
    }
    gained[table] = sql
      .exec(
        `INSERT INTO ${table} (${columns.join(", ")})
         SELECT ${columns.map((column) => `json_extract(value, '$.${column}')`).join(", ")} FROM json_each(?) WHERE true
         ON CONFLICT DO NOTHING RETURNING 1`,
        JSON.stringify(given),
      )
      .toArray().length;
  }
  // Seats moved in, not given: nobody's webhook is told.
  forgetLicenseChanges(sql);
  return gained;
}

/** Rows per table, as the move compares them. */
export function storeCounts(sql: SqlStorage): Record<ImportedTable, number> {
  const tables = Object.keys(importedTables) as ImportedTable[];
  const row = one(
    sql,
    Object.fromEntries(tables.map((table) => [table, integer])),
    `SELECT ${tables.map((table) => `(SELECT COUNT(*) FROM ${table}) AS ${table}`).join(", ")}`,
  );
  return Object.fromEntries(tables.map((table) => [table, row[table] ?? 0])) as Record<ImportedTable, number>;
}
