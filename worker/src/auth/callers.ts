/**
 * Who may call, as types only: a request's bearer credential, and a vendor. The worker's
 * environment (http/env.ts) is built from these, so this module imports nothing that imports the
 * environment back. Admins and provisioning tokens are admitted by their tenant's store, in the
 * same call as their request's operation (store/operations.ts).
 */

/** A request's bearer credential, and its SHA-256 hash: what is stored of it, and what names it. */
export interface Bearer {
  token: string;
  hash: string;
}

export interface VendorCaller {
  id: string;
  name: string;
}

/** The vendor's subscription a request names, as the control plane routes it: its tenant and app. */
export interface VendorSubscriptionRoute {
  id: string;
  tenantId: string;
  appName: string;
}
