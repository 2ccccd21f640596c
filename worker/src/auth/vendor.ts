/** Vendors call with a key of their own; it is stored hashed and names the vendor. */
import { createMiddleware } from "hono/factory";
import { AppSeatsError } from "../errors.js";
import type { AppEnv } from "../http/env.js";
import { documents } from "../http/openapi.js";
import type { VendorCaller } from "./callers.js";
import { bearerOf } from "./secrets.js";

export const authenticateVendor = documents(
  createMiddleware<AppEnv>(async (c, next) => {
    const key = await bearerOf(c);
    const vendor = key
      ? await c.env.DB.prepare(`SELECT v.id, v.name FROM vendor_keys k JOIN vendors v ON v.id = k.vendor_id WHERE k.key_hash = ?1`)
          .bind(key.hash)
          .first<VendorCaller>()
      : null;
    if (!vendor) throw new AppSeatsError("Unauthenticated", "The vendor key is missing or unknown.");
    c.set("vendor", vendor);
    await next();
  }),
  { errors: ["Unauthenticated"], security: [{ vendorKey: [] }] },
);
