/**
 * Microsoft Entra ID access tokens (R16, R17). The worker verifies a token on its own, with
 * jose, against the keys the authority publishes: no call to Microsoft but for those keys. The
 * token decides on every request the tenant (`tid`) and the roles (`wids`); AppSeats keeps no
 * roles of its own for such users. What is accepted is listed in docs/api.md.
 */
import { entraScope, type Role, rolesOfWids } from "@appseats/shared";
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from "jose";
import { AppSeatsError } from "../errors.js";
import { auditWhenAny } from "../licensing/audit.js";
import { Batch } from "../licensing/batch.js";
import { type ChangeContext, newId } from "../licensing/context.js";
import { sqlString } from "../licensing/sql.js";
import type { AdminCaller, AdminCredential, Bearer, VerifyContext } from "./callers.js";
import { RecentCallers } from "./recent-callers.js";

export interface EntraSettings {
  authority: string;
  clientId: string;
}

/**
 * Entra ID sign-in as the worker's variables set it, or null when it is off (no client id). The
 * authority is used exactly as set (no trailing slash): issuers are compared with it to the letter.
 */
export function entraSettings(env: Env): EntraSettings | null {
  if (!env.ENTRA_CLIENT_ID) return null;
  return { authority: env.ENTRA_AUTHORITY || "https://login.microsoftonline.com", clientId: env.ENTRA_CLIENT_ID };
}

/** The scopes the extension asks for. */
export const entraScopes = (settings: EntraSettings) => [`api://${settings.clientId}/${entraScope}`, "openid", "profile", "offline_access"];

/** Five minutes either way, as Entra ID itself allows for clocks. */
const clockToleranceSeconds = 5 * 60;

/**
 * Each authority's key set, kept by the isolate: jose caches the keys, and a token signed by a
 * key it does not know fetches them again, at most once a minute.
 */
const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();
function keysOf(authority: string) {
  let keys = keySets.get(authority);
  if (!keys) {
    keys = createRemoteJWKSet(new URL(`${authority}/common/discovery/v2.0/keys`), { cooldownDuration: 60_000, timeoutDuration: 5_000 });
    keySets.set(authority, keys);
  }
  return keys;
}

export interface EntraClaims extends JWTPayload {
  tid: string;
  oid: string;
  ver?: string;
  scp?: string;
  idtyp?: string;
  wids?: string[];
  preferred_username?: string;
  name?: string;
}

/**
 * The claims of an access token that Entra ID issued to a user for AppSeats, or null for any
 * other token: signed with RS256 by a key of the authority; issued by the token's own tenant;
 * for AppSeats; of version 2.0; not expired and already valid (with the clock tolerance);
 * delegated, with AppSeats' scope (an app-only token carries none).
 */
export async function verifiedEntraClaims(token: string, settings: EntraSettings, now: Date): Promise<EntraClaims | null> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, keysOf(settings.authority), {
      algorithms: ["RS256"],
      audience: [settings.clientId, `api://${settings.clientId}`],
      clockTolerance: clockToleranceSeconds,
      requiredClaims: ["exp", "iss", "tid", "oid"],
      currentDate: now,
    }));
  } catch (error) {
    if (error instanceof errors.JWKSTimeout || !(error instanceof errors.JOSEError)) {
      // The keys could not be fetched: the token may well be good, so this is no 401.
      throw new AppSeatsError("Unavailable", "Microsoft Entra ID's signing keys could not be reached. Try again in a moment.", {
        retryAfterSeconds: 5,
      });
    }
    return null;
  }
  const claims = payload as EntraClaims;
  if (typeof claims.tid !== "string" || typeof claims.oid !== "string") return null;
  if (claims.ver !== "2.0" || claims.iss !== `${settings.authority}/${claims.tid}/v2.0`) return null;
  if (claims.idtyp === "app" || !(typeof claims.scp === "string" && claims.scp.split(" ").includes(entraScope))) return null;
  return claims;
}

/** A JWS in compact form: what an Entra ID access token looks like, and no local session token does. */
const compactJws = /^eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+$/;

interface UserRow {
  id: string;
  display_name: string;
  user_principal_name: string;
  account_enabled: number;
  deleted_at: string | null;
  entra_object_id: string | null;
}

const userColumns = `u.id, u.display_name, u.user_principal_name, u.account_enabled, u.deleted_at, u.entra_object_id`;

/**
 * Tokens whose signature and claims were verified lately in this isolate, by their hash: each
 * request still reads the user and the tenant, but an RSA signature is checked once per token
 * and five minutes, not on every request (BENCHMARKS.md). A token is used only until it expires.
 */
const verifiedTokens = new RecentCallers<EntraClaims>({ size: 1000, maxAgeMs: 5 * 60 * 1000 });

async function claimsOf(bearer: Bearer, settings: EntraSettings, now: Date): Promise<EntraClaims | null> {
  const key = `${settings.authority} ${settings.clientId} ${bearer.hash}`;
  const known = verifiedTokens.get(key);
  if (known && ((known.exp ?? 0) + clockToleranceSeconds) * 1000 > now.getTime()) return known;
  const claims = await verifiedEntraClaims(bearer.token, settings, now);
  if (claims) verifiedTokens.set(key, claims);
  return claims;
}

export const entraCredential: AdminCredential = {
  recognises: (token) => compactJws.test(token),

  async verify(bearer, context) {
    const settings = entraSettings(context.env);
    const claims = settings && (await claimsOf(bearer, settings, context.now));
    if (!claims) return null;
    const roles = rolesOfWids(Array.isArray(claims.wids) ? claims.wids.filter((id) => typeof id === "string") : []);
    const db = context.env.DB;
    const found = await db
      .prepare(
        `SELECT t.id AS tenant_id, NOT EXISTS (SELECT 1 FROM users e WHERE e.tenant_id = t.id) AS awaiting, ${userColumns}
           FROM tenants t LEFT JOIN users u ON u.tenant_id = t.id AND u.entra_object_id = ?2
          WHERE t.entra_tenant_id = ?1`,
      )
      .bind(claims.tid, claims.oid)
      .first<{ tenant_id: string; awaiting: number } & { [K in keyof UserRow]: UserRow[K] | null }>();
    const tenantId = found?.tenant_id ?? (await onboard(db, claims, roles, context));
    if (found?.awaiting) await welcome(db, found.tenant_id, claims, roles, context);
    const user = found?.id ? (found as UserRow) : await linkOrCreate(db, tenantId, claims, context);
    if (!user || user.deleted_at !== null || user.account_enabled !== 1) return null;
    return {
      tenantId,
      user: { id: user.id, displayName: user.display_name, userPrincipalName: user.user_principal_name },
      roles,
      expiresAt: (claims.exp ?? 0) * 1000,
    } satisfies AdminCaller;
  },

  checkInBatch(_bearer, caller, roles, now) {
    // The roles are the token's own, fixed for its life; the user must still be as they were.
    const mayStill = caller.roles.some((role) => roles.includes(role)) && (caller.expiresAt ?? 0) > now.getTime();
    return {
      code: "CallerChanged",
      ok: `?4 AND EXISTS (SELECT 1 FROM users u WHERE u.id = ?1 AND u.tenant_id = ?2 AND u.display_name = ?3
        AND u.deleted_at IS NULL AND u.account_enabled = 1)`,
      params: [caller.user.id, caller.tenantId, caller.user.displayName, mayStill ? 1 : 0],
    };
  },
};

const userPrincipalNameOf = (claims: EntraClaims) => {
  const upn = claims.preferred_username;
  return typeof upn === "string" && /^[^@\s]+@[^@\s]+$/.test(upn) && upn.length <= 320 ? upn : null;
};

const contextOf = (tenantId: string, user: { id: string; displayName: string }, context: VerifyContext): ChangeContext => ({
  tenantId,
  actor: { type: "user", id: user.id, displayName: user.displayName },
  requestId: context.requestId,
  now: context.now.toISOString(),
});

/**
 * R17: an organisation AppSeats does not know comes in with its first Global Administrator, who
 * is its first user; named after the domain of their user principal name. Anyone else is told
 * that a Global Administrator must sign in first. Returns the tenant's id.
 */
async function onboard(db: D1Database, claims: EntraClaims, roles: Role[], context: VerifyContext): Promise<string> {
  const upn = userPrincipalNameOf(claims);
  if (!roles.includes("GlobalAdmin") || !upn) throw notOnboarded(claims);
  const domain = upn.split("@")[1]!.toLowerCase();
  const tenantId = `ten_${newId()}`;
  const user = { id: `usr_${newId()}`, displayName: typeof claims.name === "string" && claims.name.trim() ? claims.name.trim() : upn };
  const ctx = contextOf(tenantId, user, context);
  const batch = new Batch(db);
  // Two first requests may race: the unique Entra tenant id lets one in, and only that one is
  // audited (the event is written first, while the tenant is still unknown); the other finds it after.
  batch.run(
    auditWhenAny(db, ctx, {
      action: "tenant.onboard",
      principalsSql: `SELECT 'user', ?2 WHERE NOT EXISTS (SELECT 1 FROM tenants WHERE entra_tenant_id = ?1)`,
      params: [claims.tid, user.id],
      summary: () => sqlString(`${user.displayName} brought ${domain} into AppSeats as its first Global Administrator`),
    }),
  );
  const created = batch.changes(
    db
      .prepare(`INSERT INTO tenants (id, display_name, created_at, entra_tenant_id) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING`)
      .bind(tenantId, nameOfDomain(domain), ctx.now, claims.tid),
  );
  const ours = `EXISTS (SELECT 1 FROM tenants WHERE id = ?1)`;
  batch.run(
    db.prepare(`INSERT OR IGNORE INTO tenant_domains (domain, tenant_id, position) SELECT ?2, ?1, 0 WHERE ${ours}`).bind(tenantId, domain),
    db
      .prepare(
        `INSERT INTO users (id, tenant_id, user_principal_name, display_name, mail, account_enabled, created_at, entra_object_id)
         SELECT ?2, ?1, ?3, ?4, ?3, 1, ?5, ?6 WHERE ${ours}`,
      )
      .bind(tenantId, user.id, upn, user.displayName, ctx.now, claims.oid),
  );
  const committed = await batch.commit();
  if (committed.get(created) === 1) return tenantId;
  const existing = await db.prepare(`SELECT id FROM tenants WHERE entra_tenant_id = ?1`).bind(claims.tid).first<{ id: string }>();
  return existing!.id;
}

/**
 * R17: an organisation a vendor's purchase brought in has no users yet; its first Global
 * Administrator's sign-in finds it, names it after their domain, and is audited as its
 * onboarding. Anyone else is told that a Global Administrator must sign in first.
 */
async function welcome(db: D1Database, tenantId: string, claims: EntraClaims, roles: Role[], context: VerifyContext) {
  const upn = userPrincipalNameOf(claims);
  if (!roles.includes("GlobalAdmin") || !upn) throw notOnboarded(claims);
  const domain = upn.split("@")[1]!.toLowerCase();
  const user = { id: `usr_${newId()}`, displayName: typeof claims.name === "string" && claims.name.trim() ? claims.name.trim() : upn };
  const ctx = contextOf(tenantId, user, context);
  // Of two first sign-ins racing, the first to write makes the tenant its own; the other finds it.
  const empty = `NOT EXISTS (SELECT 1 FROM users WHERE tenant_id = ?1)`;
  const batch = new Batch(db);
  batch.run(
    auditWhenAny(db, ctx, {
      action: "tenant.onboard",
      principalsSql: `SELECT 'user', ?2 WHERE ${empty}`,
      params: [tenantId, user.id],
      summary: () =>
        sqlString(`${user.displayName} found ${domain}'s organisation, which a purchase brought in, as its first Global Administrator`),
    }),
    db.prepare(`INSERT OR IGNORE INTO tenant_domains (domain, tenant_id, position) SELECT ?2, ?1, 0 WHERE ${empty}`).bind(tenantId, domain),
    db.prepare(`UPDATE tenants SET display_name = ?2 WHERE id = ?1 AND ${empty}`).bind(tenantId, nameOfDomain(domain)),
    db
      .prepare(
        `INSERT INTO users (id, tenant_id, user_principal_name, display_name, mail, account_enabled, created_at, entra_object_id)
         SELECT ?2, ?1, ?3, ?4, ?3, 1, ?5, ?6 WHERE ${empty}`,
      )
      .bind(tenantId, user.id, upn, user.displayName, ctx.now, claims.oid),
  );
  await batch.commit();
}

const nameOfDomain = (domain: string) => {
  const label = domain.split(".")[0]!;
  return label.charAt(0).toUpperCase() + label.slice(1);
};

const notOnboarded = (claims: EntraClaims) =>
  new AppSeatsError(
    "TenantNotOnboarded",
    "Your organisation does not use AppSeats yet: a Global Administrator of your organisation must sign in first.",
    { entraTenantId: claims.tid },
  );

/**
 * The tenant's user for a token whose object id AppSeats has not seen: the user with its user
 * principal name who has no object id yet, linked to it once; else a new user from the claims.
 * A user principal name already linked to another object id is refused (403 AccountConflict).
 */
async function linkOrCreate(db: D1Database, tenantId: string, claims: EntraClaims, context: VerifyContext): Promise<UserRow | null> {
  const upn = userPrincipalNameOf(claims);
  if (!upn) return null;
  const byName = await db
    .prepare(`SELECT ${userColumns} FROM users u WHERE u.tenant_id = ?1 AND u.user_principal_name = ?2`)
    .bind(tenantId, upn)
    .first<UserRow>();
  if (byName?.entra_object_id && byName.entra_object_id.toLowerCase() !== claims.oid.toLowerCase()) {
    throw new AppSeatsError(
      "AccountConflict",
      `${upn} is already linked to another Microsoft account in AppSeats. Ask a Global Administrator to check the account.`,
    );
  }
  if (byName && (byName.deleted_at !== null || byName.account_enabled !== 1)) return null;
  const batch = new Batch(db);
  // Each event is written before its change, and only if the change is still to be made: of
  // two first sign-ins racing, one links or creates the user and is audited.
  if (byName) {
    batch.run(
      auditWhenAny(db, contextOf(tenantId, { id: byName.id, displayName: byName.display_name }, context), {
        action: "directory.user.link",
        principalsSql: `SELECT 'user', id FROM users WHERE id = ?1 AND entra_object_id IS NULL`,
        params: [byName.id],
        summary: () => sqlString(`${byName.display_name} signed in with Microsoft for the first time; the account is now linked`),
      }),
      db.prepare(`UPDATE users SET entra_object_id = ?2 WHERE id = ?1 AND entra_object_id IS NULL`).bind(byName.id, claims.oid),
    );
  } else {
    const user = { id: `usr_${newId()}`, displayName: typeof claims.name === "string" && claims.name.trim() ? claims.name.trim() : upn };
    const ctx = contextOf(tenantId, user, context);
    batch.run(
      auditWhenAny(db, ctx, {
        action: "directory.user.create",
        principalsSql: `SELECT 'user', ?2 WHERE NOT EXISTS (SELECT 1 FROM users WHERE tenant_id = ?1 AND (user_principal_name = ?3 OR entra_object_id = ?4))`,
        params: [tenantId, user.id, upn, claims.oid],
        summary: () => sqlString(`${user.displayName} signed in with Microsoft for the first time`),
      }),
      db
        .prepare(
          `INSERT INTO users (id, tenant_id, user_principal_name, display_name, mail, account_enabled, created_at, entra_object_id)
           VALUES (?2, ?1, ?3, ?4, ?3, 1, ?5, ?6) ON CONFLICT DO NOTHING`,
        )
        .bind(tenantId, user.id, upn, user.displayName, ctx.now, claims.oid),
    );
  }
  await batch.commit();
  return db
    .prepare(`SELECT ${userColumns} FROM users u WHERE u.tenant_id = ?1 AND u.entra_object_id = ?2`)
    .bind(tenantId, claims.oid)
    .first<UserRow>();
}
