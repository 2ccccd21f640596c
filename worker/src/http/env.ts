/** The Hono environment every route shares: bindings, and who is calling once auth has run. */
import type { AdminAuth, AdminCaller, Bearer, ProvisioningCaller, VendorCaller } from "../auth/callers.js";

export interface AppEnv {
  Bindings: Env;
  Variables: {
    /** This request's id: always the worker's own (http/request-id.ts). */
    requestId: string;
    /** The id the client sent in X-Request-Id, if it had a sane shape: for the logs only. */
    clientRequestId?: string;
    /** Unset until read (see bearerOf); null when the request has none. */
    bearer: Bearer | null | undefined;
    auth: AdminAuth;
    caller: AdminCaller;
    vendor: VendorCaller;
    provisioning: ProvisioningCaller;
  };
}
