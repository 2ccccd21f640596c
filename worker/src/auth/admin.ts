/**
 * Who is calling the admin API. A bearer token is tried against each kind of credential in
 * turn; today the local session token, later Microsoft Entra ID tokens slot in beside it.
 * The caller fixes the tenant: no path carries a tenant id (R11).
 */
import { type Capability, type Role, can, rolesAllowedTo } from "@appseats/shared";
import { createMiddleware } from "hono/factory";
import { AppSeatsError } from "../errors.js";
import type { AppEnv } from "../http/env.js";
import type { Actor, ChangeContext } from "../licensing/context.js";
import { bearerToken } from "./secrets.js";
import { sessionCredential } from "./session.js";

export interface AdminCaller {
  tenantId: string;
  user: { id: string; displayName: string; userPrincipalName: string };
  roles: Role[];
}

/** A kind of credential: says whether a token looks like its own, then verifies it. */
export interface AdminCredential {
  recognises(token: string): boolean;
  verify(db: D1Database, token: string, now: Date): Promise<AdminCaller | null>;
}

const credentials: AdminCredential[] = [sessionCredential];

const unauthenticated = () =>
  new AppSeatsError("Unauthenticated", "Sign in again: the token is missing, unknown or expired.");

export const authenticateAdmin = createMiddleware<AppEnv>(async (c, next) => {
  const token = bearerToken(c.req.header("authorization"));
  if (!token) throw unauthenticated();
  const credential = credentials.find((kind) => kind.recognises(token));
  const caller = credential ? await credential.verify(c.env.DB, token, new Date()) : null;
  if (!caller) throw unauthenticated();
  c.set("caller", caller);
  await next();
});

/** R10: the caller's roles must allow the capability; otherwise 403 naming the roles that would. */
export const requireCapability = (capability: Capability) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const { roles } = c.get("caller");
    if (!can(roles, capability)) {
      throw new AppSeatsError("Forbidden", `Your roles do not allow this. Ask an admin with one of: ${rolesAllowedTo[capability].join(", ")}.`, {
        requiredRoles: rolesAllowedTo[capability],
      });
    }
    await next();
  });

export const actorOf = (caller: AdminCaller): Actor => ({ type: "user", id: caller.user.id, displayName: caller.user.displayName });

export const changeContext = (caller: AdminCaller, requestId: string): ChangeContext => ({
  tenantId: caller.tenantId,
  actor: actorOf(caller),
  requestId,
  now: new Date().toISOString(),
});
