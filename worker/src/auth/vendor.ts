/**
 * Vendors call with a key of their own; it is stored hashed and names the vendor. The subscription
 * a request names (or the install, whose id names its subscription) is looked up in the same read
 * of the control plane: its tenant, whose store the request then goes to, and its app, which must
 * be the vendor's own.
 */
import { createMiddleware } from "hono/factory";
import { vendorAndSubscription } from "../control/plane.js";
import { AppSeatsError } from "../errors.js";
import type { AppEnv } from "../http/env.js";
import { documents } from "../http/openapi.js";
import { credentialFailed } from "../http/rate-limit.js";
import { subscriptionOfInstall } from "../store/vendor.js";
import { bearerOf, credentialShape } from "./secrets.js";

const vendorKeyShape = credentialShape("asv", "dev-vendor");

const unauthenticated = () => new AppSeatsError("Unauthenticated", "The vendor key is missing, unknown or revoked.");

/**
 * What a vendor's path names: /subscriptions/{id}…, or /installs/{installId}/complete, whose id
 * names its subscription (or, for an install started before tenant stores, is routed by D1).
 */
function named(path: string): { subscriptionId: string | null; installId: string | null } {
  const found = /\/vendor\/v1\/(subscriptions|installs)\/([^/]+)/.exec(path);
  let id: string;
  try {
    id = decodeURIComponent(found?.[2] ?? "");
  } catch {
    id = "";
  }
  if (!found || !id) return { subscriptionId: null, installId: null };
  return found[1] === "subscriptions"
    ? { subscriptionId: id, installId: null }
    : { subscriptionId: subscriptionOfInstall(id), installId: id };
}

export const authenticateVendor = documents(
  createMiddleware<AppEnv>(async (c, next) => {
    const key = await bearerOf(c);
    if (!key) throw unauthenticated();
    // A key of the wrong shape is refused before any lookup; every refusal counts against the address.
    if (!vendorKeyShape(key.token, c.env)) return credentialFailed(c, unauthenticated());
    const found = await vendorAndSubscription(c.env.DB, key.hash, named(new URL(c.req.url).pathname));
    if (!found) return credentialFailed(c, unauthenticated());
    c.set("vendor", found.vendor);
    c.set("vendorSubscription", found.subscription);
    if (found.subscription) {
      c.set("target", { tenantId: found.subscription.tenantId, credential: { kind: "vendor", ...found.vendor } });
    }
    await next();
  }),
  { errors: ["Unauthenticated"], security: [{ vendorKey: [] }] },
);
