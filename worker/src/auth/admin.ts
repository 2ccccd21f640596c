/**
 * Who is calling the admin API. A bearer token is tried against each kind of credential in
 * turn; today the local session token, later Microsoft Entra ID tokens slot in beside it.
 * The caller fixes the tenant: no path carries a tenant id (R11).
 */
import { type Capability, can, rolesAllowedTo } from "@appseats/shared";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { AppSeatsError } from "../errors.js";
import type { AppEnv } from "../http/env.js";
import { documents } from "../http/openapi.js";
import { credentialFailed } from "../http/rate-limit.js";
import { GuardFailed } from "../licensing/batch.js";
import type { Actor, ChangeContext } from "../licensing/context.js";
import type { AdminCaller, AdminCredential } from "./callers.js";
import { entraCredential } from "./entra.js";
import { RecentCallers } from "./recent-callers.js";
import { bearerOf } from "./secrets.js";
import { sessionCredential } from "./session.js";

const credentials: AdminCredential[] = [sessionCredential, entraCredential];

/** Callers verified lately in this isolate; a change that checks its caller in its batch starts from one. */
const recentCallers = new RecentCallers<AdminCaller>({ size: 1000, maxAgeMs: 5 * 60 * 1000 });

const unauthenticated = () => new AppSeatsError("Unauthenticated", "Sign in again: the token is missing, unknown or expired.");

const forbidden = (capability: Capability) =>
  new AppSeatsError("Forbidden", `Your roles do not allow this. Ask an admin with one of: ${rolesAllowedTo[capability].join(", ")}.`, {
    requiredRoles: rolesAllowedTo[capability],
  });

const isChange = (method: string) => method !== "GET" && method !== "HEAD";

/**
 * Sets the caller. Reads always verify the token. A change may start from the caller this token
 * had lately, unverified: only a route whose change checks its caller in its own batch uses it as
 * it is (requireCapability with checkedInBatch, then changeCheckingCaller); everything else that
 * needs the caller of a change verifies it first (requireCapability, verifiedCaller, changeContext).
 */
export const authenticateAdmin = documents(
  createMiddleware<AppEnv>(async (c, next) => {
    const bearer = await bearerOf(c);
    if (!bearer) throw unauthenticated();
    // A token of no kind's shape is refused before any lookup, and counts against the address.
    const credential = credentials.find((kind) => kind.recognises(bearer.token));
    if (!credential) return credentialFailed(c, unauthenticated());
    const remembered = isChange(c.req.method) && credential.checkInBatch ? recentCallers.get(bearer.hash) : undefined;
    // A remembered caller serves only while the credential itself has not expired.
    const recent = remembered && (remembered.expiresAt ?? Number.POSITIVE_INFINITY) > Date.now() ? remembered : undefined;
    c.set("auth", { bearer, credential, verified: false });
    if (recent) c.set("caller", recent);
    else await verifyCaller(c);
    await next();
  }),
  { errors: ["Unauthenticated"], security: [{ adminToken: [] }] },
);

async function verifyCaller(c: Context<AppEnv>): Promise<AdminCaller> {
  const auth = c.get("auth");
  const caller = await auth.credential.verify(auth.bearer, { env: c.env, requestId: c.get("requestId"), now: new Date() });
  if (!caller) {
    recentCallers.delete(auth.bearer.hash);
    return credentialFailed(c, unauthenticated());
  }
  recentCallers.set(auth.bearer.hash, caller);
  c.set("auth", { ...auth, verified: true });
  c.set("caller", caller);
  return caller;
}

/** The caller as the database has it now: read in this request if it was not yet. */
export const verifiedCaller = async (c: Context<AppEnv>): Promise<AdminCaller> =>
  c.get("auth").verified ? c.get("caller") : verifyCaller(c);

/**
 * R10: the caller's roles must allow the capability; otherwise 403 naming the roles that would.
 * The roles are those read in this request, unless `checkedInBatch`: the route's change checks
 * them again inside its own batch (changeCheckingCaller), so a remembered caller may pass here.
 */
export const requireCapability = (capability: Capability, { checkedInBatch = false } = {}) =>
  documents(
    createMiddleware<AppEnv>(async (c, next) => {
      const remembered = c.get("caller");
      const roles = checkedInBatch && can(remembered.roles, capability) ? remembered.roles : (await verifiedCaller(c)).roles;
      if (!can(roles, capability)) throw forbidden(capability);
      await next();
    }),
    { errors: ["Forbidden"] },
  );

const readRole = requireCapability("read");

/** Reads need a role that may read; every change names the roles it needs at its route. */
export const readsNeedRole = documents(
  createMiddleware<AppEnv>((c, next) => (isChange(c.req.method) ? next() : readRole(c, next))),
  { errors: ["Forbidden"] },
);

export const actorOf = (caller: AdminCaller): Actor => ({ type: "user", id: caller.user.id, displayName: caller.user.displayName });

const contextOf = (caller: AdminCaller, requestId: string, now: Date): ChangeContext => ({
  tenantId: caller.tenantId,
  actor: actorOf(caller),
  requestId,
  now: now.toISOString(),
});

/** The context of a change by a caller verified in this request. */
export const changeContext = async (c: Context<AppEnv>): Promise<ChangeContext> =>
  contextOf(await verifiedCaller(c), c.get("requestId"), new Date());

/**
 * Runs a change that checks its own caller (R10, R11): the caller's session is not read first in a
 * round trip of its own. The change checks `ctx.callerCheck` first in its batch; it stops the
 * batch before anything is written when the session has ended, the user was disabled, deleted or
 * renamed, or lost the roles for `capability`. Then the caller is verified as for any request (401
 * or 403), and if they may still do it, the change runs again.
 */
export async function changeCheckingCaller<T>(
  c: Context<AppEnv>,
  capability: Capability,
  change: (ctx: ChangeContext) => Promise<T>,
): Promise<T> {
  const auth = c.get("auth");
  if (!auth.verified) {
    const now = new Date();
    const caller = c.get("caller");
    const callerCheck = auth.credential.checkInBatch!(auth.bearer, caller, rolesAllowedTo[capability], now);
    try {
      return await change({ ...contextOf(caller, c.get("requestId"), now), callerCheck });
    } catch (error) {
      if (!(error instanceof GuardFailed && error.code === "CallerChanged")) throw error;
    }
  }
  // Verified in this request, here or before (an Idempotency-Key is claimed by a verified caller):
  // the roles are those read then.
  const caller = await verifiedCaller(c);
  if (!can(caller.roles, capability)) throw forbidden(capability);
  return change(contextOf(caller, c.get("requestId"), new Date()));
}

/** Sign-out: the caller's credential stops working at once, where the server can end it (a local session). */
export async function signOut(c: Context<AppEnv>): Promise<void> {
  const auth = c.get("auth");
  recentCallers.delete(auth.bearer.hash);
  await auth.credential.revoke?.(c.env.DB, auth.bearer);
}
