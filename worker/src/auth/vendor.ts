/** Vendors call with a key of their own; it is stored hashed and names the vendor. */
import { createMiddleware } from "hono/factory";
import { AppSeatsError } from "../errors.js";
import type { AppEnv } from "../http/env.js";
import { documents } from "../http/openapi.js";
import { credentialFailed } from "../http/rate-limit.js";
import type { VendorCaller } from "./callers.js";
import { bearerOf, credentialShape } from "./secrets.js";

const vendorKeyShape = credentialShape("asv", "dev-vendor");

const unauthenticated = () => new AppSeatsError("Unauthenticated", "The vendor key is missing, unknown or revoked.");

export const authenticateVendor = documents(
  createMiddleware<AppEnv>(async (c, next) => {
    const key = await bearerOf(c);
    if (!key) throw unauthenticated();
    // A key of the wrong shape is refused before any lookup; every refusal counts against the address.
    if (!vendorKeyShape(key.token, c.env)) return credentialFailed(c, unauthenticated());
    const vendor = await c.env.DB.prepare(
      `SELECT v.id, v.name FROM vendor_keys k JOIN vendors v ON v.id = k.vendor_id WHERE k.key_hash = ?1`,
    )
      .bind(key.hash)
      .first<VendorCaller>();
    if (!vendor) return credentialFailed(c, unauthenticated());
    c.set("vendor", vendor);
    await next();
  }),
  { errors: ["Unauthenticated"], security: [{ vendorKey: [] }] },
);
