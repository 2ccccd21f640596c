/**
 * The demo's tenants' data (DEMO.md) written into their stores, where missing: run by the local
 * worker's POST /api/v1/dev/seed (npm start) and by the tests. A demo subscription that someone
 * has changed since (it has audit events) keeps its assignments as they are now.
 */
import { askStore } from "../src/http/store.js";
import type { StoreRows } from "../src/store/import.js";
import { demoStoreRows, demoTenants } from "./demo.js";

export async function seedDemoStores(env: Env, requestId: string, now = Date.now()): Promise<void> {
  for (const tenant of demoTenants) {
    const rows = (await demoStoreRows(tenant.id, now)) as StoreRows;
    await askStore(env, { tenantId: tenant.id, credential: { kind: "local" } }, "seedDemo", { rows }, { requestId });
  }
}
