/**
 * Brings a tenant store's schema up to date: the migrations of schema.ts it has not applied yet,
 * in order, each in a transaction of its own with its record in store_migrations. Run once when
 * the store wakes (tenant-store.ts), before any request reaches it.
 */

import { all, integer, nullable, one } from "./rows.js";
import { type StoreMigration, storeMigrations } from "./schema.js";

/** Applies what is missing; returns the versions applied now (none when up to date). */
export function migrate(storage: DurableObjectStorage, migrations: readonly StoreMigration[] = storeMigrations): number[] {
  const sql = storage.sql;
  sql.exec(`CREATE TABLE IF NOT EXISTS store_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const applied = new Set(all(sql, { version: integer }, `SELECT version FROM store_migrations`).map((row) => row.version));
  const now = new Date().toISOString();
  const done: number[] = [];
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(migration.version)) continue;
    storage.transactionSync(() => {
      sql.exec(migration.sql);
      sql.exec(`INSERT INTO store_migrations (version, name, applied_at) VALUES (?, ?, ?)`, migration.version, migration.name, now);
    });
    done.push(migration.version);
  }
  return done;
}

/** The highest version applied. */
export const schemaVersion = (storage: DurableObjectStorage) =>
  one(storage.sql, { version: nullable(integer) }, `SELECT MAX(version) AS version FROM store_migrations`).version ?? 0;
