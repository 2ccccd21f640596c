/**
 * What an isolate remembers of the control plane between requests, so that a request reads D1 at
 * most once on its way to its tenant's store: facts that do not change once true (a tenant exists;
 * an Entra tenant id's tenant; a provisioning token's tenant; a domain another tenant has; a
 * subscription's app), each for a while only. Local runs forget them when the demo is seeded
 * again (routes/dev.ts), since only there does a tenant vanish.
 */

import { RecentCallers } from "../auth/recent-callers.js";
import type { CatalogApp, TenantRecord } from "./plane.js";

export const remembered = {
  /** Tenants known to exist, so that a session token naming another is refused before any store is woken. */
  tenants: new RecentCallers<true>({ size: 10_000, maxAgeMs: 10 * 60 * 1000 }),
  /** Each Entra tenant id's tenant, once onboarded; its domains may grow meanwhile (a new one is added anyway). */
  entraTenants: new RecentCallers<TenantRecord>({ size: 10_000, maxAgeMs: 60 * 1000 }),
  /** Members' domains that another tenant has: not tried again for a while. */
  othersDomains: new RecentCallers<true>({ size: 10_000, maxAgeMs: 10 * 60 * 1000 }),
  /** Each provisioning token's tenant (by the token's hash); its store checks the token on every request. */
  provisioningRoutes: new RecentCallers<string>({ size: 1000, maxAgeMs: 5 * 60 * 1000 }),
  /**
   * The app of each of a tenant's subscriptions (by tenant and subscription), for the requests about
   * one license (assign, unassign, its details): a subscription's tenant and app never change; the
   * app's details, which the operator may change (catalog: app set), for a minute at most.
   */
  subscriptionApps: new RecentCallers<CatalogApp>({ size: 10_000, maxAgeMs: 60 * 1000 }),
};

export function forgetRemembered(): void {
  for (const memory of Object.values(remembered)) memory.clear();
}
