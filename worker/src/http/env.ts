/** The Hono environment every route shares: bindings, and who is calling once auth has run. */
import type { Capability, Role } from "@appseats/shared";
import type { Bearer, VendorCaller, VendorSubscriptionRoute } from "../auth/callers.js";
import type { StoreCall } from "../store/operations.js";
import type { StoreTarget } from "./store.js";

export interface AppEnv {
  Bindings: Env;
  Variables: {
    /** This request's id: always the worker's own (http/request-id.ts). */
    requestId: string;
    /** The id the client sent in X-Request-Id, if it had a sane shape: for the logs only. */
    clientRequestId?: string;
    /** Unset until read (see bearerOf); null when the request has none. */
    bearer: Bearer | null | undefined;
    /** The tenant's store this request goes to, and the credential it checks. */
    target: StoreTarget;
    /** The roles an Entra ID token carries (R16): known before the store is asked. */
    tokenRoles?: Role[];
    /** The capability the route needs (R10), checked by the store with the caller. */
    capability?: Capability;
    /** Checks the caller before a refusal of the request itself, so that 401 and 403 come first. */
    checkCaller?: () => Promise<void>;
    /** The request's Idempotency-Key (R13), for the store to keep with the change. */
    idempotency?: StoreCall["idempotency"];
    vendor: VendorCaller;
    /** The subscription a vendor's request names, when it is the vendor's own. */
    vendorSubscription: VendorSubscriptionRoute | null;
  };
}
