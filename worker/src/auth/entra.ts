/**
 * Microsoft Entra ID access tokens (R16, R17). The worker verifies a token on its own, with
 * jose, against the keys the authority publishes: no call to Microsoft but for those keys. The
 * token decides on every request the tenant (`tid`) and the roles (`wids`); AppSeats keeps no
 * roles of its own for such users. What is accepted is listed in docs/api.md.
 */
import { entraScope, hasControlCharacters, type Role, rolesOfWids } from "@appseats/shared";
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from "jose";
import { AppSeatsError } from "../errors.js";
import { auditWhenAny } from "../licensing/audit.js";
import { Batch } from "../licensing/batch.js";
import { type ChangeContext, newId } from "../licensing/context.js";
import { freeFromDeleted } from "../licensing/directory.js";
import type { AdminCaller, AdminCredential, Bearer, VerifyContext } from "./callers.js";
import { RecentCallers } from "./recent-callers.js";

export interface EntraSettings {
  authority: string;
  clientId: string;
  /** The applications whose tokens are accepted (`azp`): AppSeats' own, and those the operator allows. */
  allowedClientIds: string[];
}

/**
 * Entra ID sign-in as the worker's variables set it, or null when it is off (no client id). The
 * authority is used exactly as set (no trailing slash): issuers are compared with it to the letter.
 */
export function entraSettings(env: Env): EntraSettings | null {
  if (!env.ENTRA_CLIENT_ID) return null;
  const others = (env.ENTRA_ALLOWED_CLIENT_IDS ?? "")
    .split(",")
    .map((id) => id.trim())
    .filter(Boolean);
  return {
    authority: env.ENTRA_AUTHORITY || "https://login.microsoftonline.com",
    clientId: env.ENTRA_CLIENT_ID,
    allowedClientIds: [env.ENTRA_CLIENT_ID, ...others].map((id) => id.toLowerCase()),
  };
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
  azp?: string;
  idp?: string;
  preferred_username?: string;
  name?: string;
}

/**
 * The claims of an access token that Entra ID issued to a user for AppSeats, or null for any
 * other token: signed with RS256 by a key of the authority; issued by the token's own tenant;
 * for AppSeats; of version 2.0; not expired and already valid (with the clock tolerance);
 * delegated, with AppSeats' scope (an app-only token carries none); requested by AppSeats or an
 * application the operator allows (`azp`): another application's token, even with the scope, is not.
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
  if (typeof claims.azp !== "string" || !settings.allowedClientIds.includes(claims.azp.toLowerCase())) return null;
  return claims;
}

/** A JWS in compact form: what an Entra ID access token looks like, and no local session token does. */
const compactJws = /^eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+$/;

interface UserRow {
  id: string;
  display_name: string;
  user_principal_name: string;
  account_enabled: number;
  entra_object_id: string | null;
  external_id: string | null;
  /** The roles of the user's last sign-in, as stored (a JSON array, sorted). */
  seen_roles: string;
}

const userColumns = `u.id, u.display_name, u.user_principal_name, u.account_enabled, u.entra_object_id, u.external_id,
  (SELECT json_group_array(role) FROM (SELECT role FROM last_seen_roles r WHERE r.user_id = u.id ORDER BY role)) AS seen_roles`;

/**
 * Tokens whose signature and claims were verified lately in this isolate, by their hash: each
 * request still reads the user and the tenant, but an RSA signature is checked once per token
 * and five minutes, not on every request (BENCHMARKS.md). A token is used only until it expires.
 */
const verifiedTokens = new RecentCallers<EntraClaims>({ size: 1000, maxAgeMs: 5 * 60 * 1000 });

async function claimsOf(bearer: Bearer, settings: EntraSettings, now: Date): Promise<EntraClaims | null> {
  const key = `${settings.authority} ${settings.allowedClientIds.join(",")} ${bearer.hash}`;
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
    const domain = memberDomainOf(claims);
    const db = context.env.DB;
    // One read on the usual path: the tenant, the user linked to this object id (a deleted user
    // no longer holds one), and whether the member's domain is already the tenant's.
    const found = await db
      .prepare(
        `SELECT t.id AS tenant_id, NOT EXISTS (SELECT 1 FROM users e WHERE e.tenant_id = t.id) AS awaiting,
                (?3 IS NULL OR EXISTS (SELECT 1 FROM tenant_domains d WHERE d.domain = ?3)) AS domain_known, ${userColumns}
           FROM tenants t LEFT JOIN users u ON u.tenant_id = t.id AND u.entra_object_id = ?2 AND u.deleted_at IS NULL
          WHERE t.entra_tenant_id = ?1`,
      )
      .bind(claims.tid, claims.oid, domain)
      .first<{ tenant_id: string; awaiting: number; domain_known: number } & { [K in keyof UserRow]: UserRow[K] | null }>();
    const tenantId = found?.tenant_id ?? (await onboard(db, claims, roles, context));
    if (found?.awaiting) await welcome(db, found.tenant_id, claims, roles, context);
    const user = found?.id ? (found as UserRow) : await linkOrCreate(db, tenantId, claims, context);
    if (user?.account_enabled !== 1) return null;
    const caller = {
      tenantId,
      user: { id: user.id, displayName: user.display_name, userPrincipalName: user.user_principal_name },
      roles,
      expiresAt: (claims.exp ?? 0) * 1000,
    } satisfies AdminCaller;
    await remember(db, caller, user.seen_roles, found?.domain_known === 1 ? null : domain, context);
    return caller;
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
  return typeof upn === "string" && /^[^@\s]+@[^@\s]+$/.test(upn) && upn.length <= 320 && !hasControlCharacters(upn) ? upn : null;
};

/** A guest's token names the tenant that signed them in at home (`idp`): it is not the issuer. */
const isGuest = (claims: EntraClaims) => typeof claims.idp === "string" && claims.idp !== claims.iss;

/**
 * The domain a member's sign-in vouches for: the domain of their user principal name, which
 * Entra ID lets a member have only in a domain it verified for the tenant. None for a guest,
 * whose name is of their home organisation's domain.
 */
const memberDomainOf = (claims: EntraClaims) => {
  const upn = userPrincipalNameOf(claims);
  return upn && !isGuest(claims) ? upn.split("@")[1]!.toLowerCase() : null;
};

const displayNameOf = (claims: EntraClaims, upn: string) =>
  typeof claims.name === "string" && claims.name.trim() && !hasControlCharacters(claims.name) ? claims.name.trim() : upn;

const contextOf = (tenantId: string, user: { id: string; displayName: string }, context: VerifyContext): ChangeContext => ({
  tenantId,
  actor: { type: "user", id: user.id, displayName: user.displayName },
  requestId: context.requestId,
  now: context.now.toISOString(),
});

/**
 * What a sign-in teaches AppSeats, written only when it is news: the roles of this sign-in
 * (they decide who may change the account, never what this user may do), and the member's
 * domain, unless another tenant has it (audited as tenant.domain.add).
 */
async function remember(db: D1Database, caller: AdminCaller, seenRoles: string, domain: string | null, context: VerifyContext) {
  const roles = JSON.stringify([...caller.roles].sort());
  const batch = new Batch(db);
  if (roles !== seenRoles) {
    batch.run(
      db.prepare(`DELETE FROM last_seen_roles WHERE user_id = ?1`).bind(caller.user.id),
      db
        .prepare(`INSERT INTO last_seen_roles (user_id, role, tenant_id) SELECT ?1, value, ?2 FROM json_each(?3)`)
        .bind(caller.user.id, caller.tenantId, roles),
    );
  }
  if (domain) {
    const free = `NOT EXISTS (SELECT 1 FROM tenant_domains WHERE domain = ?2)`;
    batch.run(
      auditWhenAny(db, contextOf(caller.tenantId, caller.user, context), {
        action: "tenant.domain.add",
        principalsSql: `SELECT 'user', ?3 WHERE ${free}`,
        params: [caller.tenantId, domain, caller.user.id],
        summary: `${domain} was added to the organisation's domains: ${caller.user.displayName} signed in with it`,
      }),
      db
        .prepare(
          `INSERT INTO tenant_domains (domain, tenant_id, position)
           SELECT ?2, ?1, (SELECT COALESCE(MAX(position), -1) + 1 FROM tenant_domains WHERE tenant_id = ?1) WHERE ${free}
           ON CONFLICT DO NOTHING`,
        )
        .bind(caller.tenantId, domain),
    );
  }
  if (batch.size > 0) await batch.commit();
}

/**
 * R17: an organisation AppSeats does not know comes in with its first Global Administrator, who
 * is its first user; named after the domain of their user principal name, which becomes its
 * first domain — unless they are a guest, whose domain is another organisation's. Anyone else is
 * told that a Global Administrator must sign in first. Returns the tenant's id.
 */
async function onboard(db: D1Database, claims: EntraClaims, roles: Role[], context: VerifyContext): Promise<string> {
  const upn = userPrincipalNameOf(claims);
  if (!roles.includes("GlobalAdmin") || !upn) throw notOnboarded(claims);
  const domain = memberDomainOf(claims);
  const tenantId = `ten_${newId()}`;
  const user = { id: `usr_${newId()}`, displayName: displayNameOf(claims, upn) };
  const ctx = contextOf(tenantId, user, context);
  const batch = new Batch(db);
  // Two first requests may race: the unique Entra tenant id lets one in, and only that one is
  // audited (the event is written first, while the tenant is still unknown); the other finds it after.
  batch.run(
    auditWhenAny(db, ctx, {
      action: "tenant.onboard",
      principalsSql: `SELECT 'user', ?2 WHERE NOT EXISTS (SELECT 1 FROM tenants WHERE entra_tenant_id = ?1)`,
      params: [claims.tid, user.id],
      summary: `${user.displayName} brought ${domain ?? "their organisation"} into AppSeats as its first Global Administrator`,
    }),
  );
  const created = batch.changes(
    db
      .prepare(`INSERT INTO tenants (id, display_name, created_at, entra_tenant_id) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING`)
      .bind(tenantId, organisationName(claims, domain), ctx.now, claims.tid),
  );
  const ours = `EXISTS (SELECT 1 FROM tenants WHERE id = ?1)`;
  if (domain) {
    batch.run(
      db
        .prepare(`INSERT OR IGNORE INTO tenant_domains (domain, tenant_id, position) SELECT ?2, ?1, 0 WHERE ${ours}`)
        .bind(tenantId, domain),
    );
  }
  batch.run(
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
 * Administrator's sign-in finds it, names it after their domain (a member's), and is audited as
 * its onboarding. Anyone else is told that a Global Administrator must sign in first.
 */
async function welcome(db: D1Database, tenantId: string, claims: EntraClaims, roles: Role[], context: VerifyContext) {
  const upn = userPrincipalNameOf(claims);
  if (!roles.includes("GlobalAdmin") || !upn) throw notOnboarded(claims);
  const domain = memberDomainOf(claims);
  const user = { id: `usr_${newId()}`, displayName: displayNameOf(claims, upn) };
  const ctx = contextOf(tenantId, user, context);
  // Of two first sign-ins racing, the first to write makes the tenant its own; the other finds it.
  const empty = `NOT EXISTS (SELECT 1 FROM users WHERE tenant_id = ?1)`;
  const batch = new Batch(db);
  batch.run(
    auditWhenAny(db, ctx, {
      action: "tenant.onboard",
      principalsSql: `SELECT 'user', ?2 WHERE ${empty}`,
      params: [tenantId, user.id],
      summary: `${user.displayName} found ${domain ?? "their"} organisation, which a purchase brought in, as its first Global Administrator`,
    }),
  );
  if (domain) {
    batch.run(
      db
        .prepare(`INSERT OR IGNORE INTO tenant_domains (domain, tenant_id, position) SELECT ?2, ?1, 0 WHERE ${empty}`)
        .bind(tenantId, domain),
      db.prepare(`UPDATE tenants SET display_name = ?2 WHERE id = ?1 AND ${empty}`).bind(tenantId, organisationName(claims, domain)),
    );
  }
  batch.run(
    db
      .prepare(
        `INSERT INTO users (id, tenant_id, user_principal_name, display_name, mail, account_enabled, created_at, entra_object_id)
         SELECT ?2, ?1, ?3, ?4, ?3, 1, ?5, ?6 WHERE ${empty}`,
      )
      .bind(tenantId, user.id, upn, user.displayName, ctx.now, claims.oid),
  );
  await batch.commit();
}

/** An organisation is named after its domain ("contoso.com": Contoso); one a guest brings in, after its tenant id. */
const organisationName = (claims: EntraClaims, domain: string | null) => {
  if (!domain) return `Organisation ${claims.tid.slice(0, 8)}`;
  const label = domain.split(".")[0]!;
  return label.charAt(0).toUpperCase() + label.slice(1);
};

const notOnboarded = (claims: EntraClaims) =>
  new AppSeatsError(
    "TenantNotOnboarded",
    "Your organisation does not use AppSeats yet: a Global Administrator of your organisation must sign in first.",
    { entraTenantId: claims.tid },
  );

const accountConflict = (upn: string) =>
  new AppSeatsError(
    "AccountConflict",
    `${upn} is already linked to another Microsoft account in AppSeats. Ask a Global Administrator to check the account.`,
  );

/**
 * The tenant's user for a token whose object id no user is linked to yet (API.md, "Linking"):
 * the user the directory provisioned with externalId = oid, linked; else, once, the user with its
 * user principal name who has neither an object id nor an externalId, linked; else a new user
 * from the claims (also for someone AppSeats has as deleted: no lockout by deletion). A user
 * principal name linked or provisioned for another object id is refused (403 AccountConflict).
 */
async function linkOrCreate(db: D1Database, tenantId: string, claims: EntraClaims, context: VerifyContext): Promise<UserRow | null> {
  const upn = userPrincipalNameOf(claims);
  if (!upn) return null;
  const { results: candidates } = await db
    .prepare(
      `SELECT ${userColumns} FROM users u
        WHERE u.tenant_id = ?1 AND u.deleted_at IS NULL
          AND (u.entra_object_id = ?2 OR u.external_id = ?2 COLLATE NOCASE OR u.user_principal_name = ?3)`,
    )
    .bind(tenantId, claims.oid, upn)
    .all<UserRow>();
  const oid = claims.oid.toLowerCase();
  // Linked meanwhile (the onboarding that just made this user, or a sign-in racing this one).
  const linked = candidates.find((row) => row.entra_object_id?.toLowerCase() === oid);
  if (linked) return linked;
  const provisioned = candidates.find((row) => row.external_id?.toLowerCase() === oid);
  const byName = candidates.find((row) => row.user_principal_name.toLowerCase() === upn.toLowerCase());
  const target = provisioned ?? byName;
  if (target && (target.entra_object_id || (target.external_id && target.external_id.toLowerCase() !== oid))) throw accountConflict(upn);
  if (target && target.account_enabled !== 1) return null;
  const batch = new Batch(db);
  // Each event is written before its change, and only if the change is still to be made: of
  // two first sign-ins racing, one links or creates the user and is audited.
  if (target) {
    batch.run(
      auditWhenAny(db, contextOf(tenantId, { id: target.id, displayName: target.display_name }, context), {
        action: "directory.user.link",
        principalsSql: `SELECT 'user', id FROM users WHERE id = ?1 AND entra_object_id IS NULL`,
        params: [target.id],
        summary: `${target.display_name} signed in with Microsoft for the first time; the account is now linked`,
      }),
      db.prepare(`UPDATE users SET entra_object_id = ?2 WHERE id = ?1 AND entra_object_id IS NULL`).bind(target.id, claims.oid),
    );
  } else {
    const user = { id: `usr_${newId()}`, displayName: displayNameOf(claims, upn) };
    const ctx = contextOf(tenantId, user, context);
    batch.run(
      auditWhenAny(db, ctx, {
        action: "directory.user.create",
        principalsSql: `SELECT 'user', ?2 WHERE NOT EXISTS (SELECT 1 FROM users WHERE tenant_id = ?1 AND deleted_at IS NULL
          AND (user_principal_name = ?3 OR entra_object_id = ?4))`,
        params: [tenantId, user.id, upn, claims.oid],
        summary: `${user.displayName} signed in with Microsoft for the first time`,
      }),
      freeFromDeleted(db, tenantId, upn),
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
    .prepare(`SELECT ${userColumns} FROM users u WHERE u.tenant_id = ?1 AND u.entra_object_id = ?2 AND u.deleted_at IS NULL`)
    .bind(tenantId, claims.oid)
    .first<UserRow>();
}
