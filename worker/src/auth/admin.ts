/**
 * Who is calling the admin API. The worker reads the bearer token far enough to know the tenant
 * — a local session token names it; an Entra ID token is verified here, and its `tid` names it —
 * and the tenant's store admits the caller in the same call as the request's operation (R10, R11,
 * R18): no path carries a tenant id, and no caller is remembered between requests.
 */
import { type Capability, can, rolesAllowedTo } from "@appseats/shared";
import { createMiddleware } from "hono/factory";
import { tenantById } from "../control/plane.js";
import { remembered } from "../control/remembered.js";
import { AppSeatsError } from "../errors.js";
import type { AppEnv } from "../http/env.js";
import { documents } from "../http/openapi.js";
import { credentialFailed } from "../http/rate-limit.js";
import { ask } from "../http/store.js";
import { entraTarget, isEntraToken } from "./entra.js";
import { bearerOf } from "./secrets.js";
import { isSessionToken, tenantOfSessionToken } from "./session.js";

const unauthenticated = () => new AppSeatsError("Unauthenticated", "Sign in again: the token is missing, unknown or expired.");

export const forbidden = (capability: Capability) =>
  new AppSeatsError("Forbidden", `Your roles do not allow this. Ask an admin with one of: ${rolesAllowedTo[capability].join(", ")}.`, {
    requiredRoles: rolesAllowedTo[capability],
  });

async function tenantExists(db: D1Database, tenantId: string): Promise<boolean> {
  if (remembered.tenants.get(tenantId)) return true;
  const found = (await tenantById(db, tenantId)) !== null;
  if (found) remembered.tenants.set(tenantId, true);
  return found;
}

/** Sets the request's target: the caller's tenant store, with the credential it checks. */
export const authenticateAdmin = documents(
  createMiddleware<AppEnv>(async (c, next) => {
    const bearer = await bearerOf(c);
    if (!bearer) throw unauthenticated();
    // A token of no kind's shape is refused before any lookup, and counts against the address.
    if (isSessionToken(bearer.token)) {
      const tenantId = tenantOfSessionToken(bearer.token);
      if (!tenantId || !(await tenantExists(c.env.DB, tenantId))) return credentialFailed(c, unauthenticated());
      c.set("target", { tenantId, credential: { kind: "session", hash: bearer.hash } });
    } else if (isEntraToken(bearer.token)) {
      const entra = await entraTarget(c.env, bearer, new Date());
      if (!entra) return credentialFailed(c, unauthenticated());
      c.set("target", entra.target);
      c.set("tokenRoles", entra.roles);
    } else {
      return credentialFailed(c, unauthenticated());
    }
    // A request refused for its own sake (400) first learns whether its caller may make it at all.
    c.set("checkCaller", async () => {
      await ask(c, "check", { capability: c.get("capability") ?? null });
    });
    await next();
  }),
  { errors: ["Unauthenticated"], security: [{ adminToken: [] }] },
);

/**
 * R10: the caller's roles must allow the capability; otherwise 403 naming the roles that would.
 * An Entra ID token's roles are its own and are checked here; a session's are the store's, and
 * it checks them with the request's operation.
 */
export const requireCapability = (capability: Capability) =>
  documents(
    createMiddleware<AppEnv>(async (c, next) => {
      const roles = c.get("tokenRoles");
      if (roles && !can(roles, capability)) throw forbidden(capability);
      c.set("capability", capability);
      await next();
    }),
    { errors: ["Forbidden"] },
  );

const readRole = requireCapability("read");
const isChange = (method: string) => method !== "GET" && method !== "HEAD";

/** Reads need a role that may read; every change names the roles it needs at its route. */
export const readsNeedRole = documents(
  createMiddleware<AppEnv>((c, next) => (isChange(c.req.method) ? next() : readRole(c, next))),
  { errors: ["Forbidden"] },
);
