/** The Hono environment every route shares: bindings, and who is calling once auth has run. */
import type { RequestIdVariables } from "hono/request-id";
import type { AdminAuth, AdminCaller, Bearer, ProvisioningCaller, VendorCaller } from "../auth/callers.js";

export interface AppEnv {
  Bindings: Env;
  Variables: RequestIdVariables & {
    /** Unset until read (see bearerOf); null when the request has none. */
    bearer: Bearer | null | undefined;
    auth: AdminAuth;
    caller: AdminCaller;
    vendor: VendorCaller;
    provisioning: ProvisioningCaller;
  };
}
