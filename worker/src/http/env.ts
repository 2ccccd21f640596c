/** The Hono environment every route shares: bindings, and who is calling once auth has run. */
import type { RequestIdVariables } from "hono/request-id";
import type { AdminAuth, AdminCaller } from "../auth/admin.js";
import type { Bearer } from "../auth/secrets.js";
import type { VendorCaller } from "../auth/vendor.js";

export interface AppEnv {
  Bindings: Env;
  Variables: RequestIdVariables & {
    /** Unset until read (see bearerOf); null when the request has none. */
    bearer: Bearer | null | undefined;
    auth: AdminAuth;
    caller: AdminCaller;
    vendor: VendorCaller;
  };
}
