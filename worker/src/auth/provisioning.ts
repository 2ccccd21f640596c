/**
 * Provisioning tokens: the credential a directory (Entra ID's provisioning service, Okta, any
 * SCIM 2.0 client) uses at /scim/v2. A GlobalAdmin creates, lists and revokes them. Each is 256
 * random bits, shown once, stored as its SHA-256 hash (R20) in its tenant's store, and reaches
 * that tenant's users and groups only (R19): it is no admin credential. The control plane routes
 * a token's hash to its tenant; the store decides whether the token is still good.
 */
import { createMiddleware } from "hono/factory";
import { provisioningRoute } from "../control/plane.js";
import { remembered } from "../control/remembered.js";
import { AppSeatsError } from "../errors.js";
import type { AppEnv } from "../http/env.js";
import { documents } from "../http/openapi.js";
import { credentialFailed } from "../http/rate-limit.js";
import { ask } from "../http/store.js";
import { newId } from "../ids.js";
import { bearerOf, credentialShape, randomSecret, sha256Hex } from "./secrets.js";

/** Provisioning tokens read `asp_…`; the demo's local ones are DEMO.md's. */
const provisioningTokenShape = credentialShape("asp", "dev-scim");

/** A new token of `expiresInDays` days: the secret (shown once), its id and hash, and its expiry. */
export async function newProvisioningToken(now: Date, expiresInDays: number) {
  const token = randomSecret("asp");
  return {
    token,
    id: `prv_${newId()}`,
    hash: await sha256Hex(token),
    expiresAt: new Date(now.getTime() + expiresInDays * 86_400_000).toISOString(),
  };
}

const unauthenticated = () => new AppSeatsError("Unauthenticated", "The provisioning token is missing, unknown, expired or revoked.");

/** Who calls /scim/v2: a provisioning token routed to its tenant's store, or 401. */
export const authenticateProvisioning = documents(
  createMiddleware<AppEnv>(async (c, next) => {
    const bearer = await bearerOf(c);
    if (!bearer) throw unauthenticated();
    // A token of the wrong shape is refused before any lookup; every refusal counts against the address.
    if (!provisioningTokenShape(bearer.token, c.env)) return credentialFailed(c, unauthenticated());
    const tenantId = remembered.provisioningRoutes.get(bearer.hash) ?? (await provisioningRoute(c.env.DB, bearer.hash));
    if (!tenantId) return credentialFailed(c, unauthenticated());
    remembered.provisioningRoutes.set(bearer.hash, tenantId);
    c.set("target", { tenantId, credential: { kind: "provisioning", hash: bearer.hash } });
    c.set("checkCaller", async () => {
      await ask(c, "provisioningCheck", {});
    });
    await next();
  }),
  { errors: ["Unauthenticated"], security: [{ provisioningToken: [] }] },
);
