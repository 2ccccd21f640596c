/**
 * Microsoft Entra ID access tokens (R16, R17). The worker verifies a token on its own, with
 * jose, against the keys the authority publishes: no call to Microsoft but for those keys. The
 * token decides on every request the tenant (`tid`) and the roles (`wids`); AppSeats keeps no
 * roles of its own for such users. What is accepted is listed in docs/api.md. The tenant comes
 * from the control plane (brought in by its first Global Administrator, R17); the user is found
 * or linked by the tenant's store, in the same call as the request's operation (store/callers.ts).
 */
import { entraScope, hasControlCharacters, type Role, rolesOfWids } from "@appseats/shared";
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from "jose";
import { addDomain, onboardTenant, tenantByEntraId, welcomeTenant } from "../control/plane.js";
import { remembered } from "../control/remembered.js";
import { AppSeatsError } from "../errors.js";
import type { StoreTarget } from "../http/store.js";
import { notOnboarded } from "../store/callers.js";
import type { Bearer } from "./callers.js";
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

/** Forgets every authority's keys: a local run whose demo is seeded again may stand in another authority at the same address. */
export function forgetKeySets(): void {
  keySets.clear();
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
export const isEntraToken = (token: string) => compactJws.test(token);

/**
 * Tokens whose signature and claims were verified lately in this isolate, by their hash: an RSA
 * signature is checked once per token and five minutes, not on every request (BENCHMARKS.md). A
 * token is used only until it expires.
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

/**
 * Where an Entra ID token's request goes: the tenant of its `tid` and the token's identity, for
 * the tenant's store to find or link the user; or null when the token is not one AppSeats
 * accepts (401). R17: an organisation AppSeats does not know comes in with its first Global
 * Administrator, named after the domain of their user principal name, which becomes its first
 * domain — unless they are a guest, whose domain is another organisation's; one a vendor's
 * purchase brought in waits for them. Anyone else is told one must sign in first (403). A
 * member's sign-in adds their domain to the tenant's unless any tenant has it.
 */
export async function entraTarget(env: Env, bearer: Bearer, now: Date): Promise<{ target: StoreTarget; roles: Role[] } | null> {
  const settings = entraSettings(env);
  const claims = settings && (await claimsOf(bearer, settings, now));
  if (!claims) return null;
  const roles = rolesOfWids(Array.isArray(claims.wids) ? claims.wids.filter((id) => typeof id === "string") : []);
  const upn = userPrincipalNameOf(claims);
  const domain = memberDomainOf(claims);
  const db = env.DB;
  const firstAdmin = roles.includes("GlobalAdmin") && upn !== null;
  let tenant = remembered.entraTenants.get(claims.tid) ?? (await tenantByEntraId(db, claims.tid));
  let broughtBy: "signIn" | "purchase" = "signIn";
  if (!tenant) {
    if (!firstAdmin) throw notOnboarded(claims.tid);
    tenant = await onboardTenant(db, { tid: claims.tid, name: organisationName(claims, domain), domain, now: now.toISOString() });
  } else if (!tenant.onboardedAt) {
    if (!firstAdmin) throw notOnboarded(claims.tid);
    await welcomeTenant(db, tenant.id, { name: domain ? organisationName(claims, domain) : null, domain, now: now.toISOString() });
    broughtBy = "purchase";
    tenant = (await tenantByEntraId(db, claims.tid))!;
  }
  let newDomain: string | null = null;
  const domainKey = `${tenant.id} ${domain}`;
  if (domain && !tenant.domains.includes(domain) && !remembered.othersDomains.get(domainKey)) {
    if (await addDomain(db, tenant.id, domain)) {
      newDomain = domain;
      tenant = { ...tenant, domains: [...tenant.domains, domain] };
    } else remembered.othersDomains.set(domainKey, true);
  }
  if (tenant.onboardedAt) remembered.entraTenants.set(claims.tid, tenant);
  return {
    roles,
    target: {
      tenantId: tenant.id,
      credential: {
        kind: "entra",
        signIn: {
          objectId: claims.oid,
          userPrincipalName: upn,
          displayName: upn ? displayNameOf(claims, upn) : null,
          roles,
          newDomain,
          onboarding: { domain, broughtBy },
          entraTenantId: claims.tid,
        },
      },
    },
  };
}

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

/** An organisation is named after its domain ("contoso.com": Contoso); one a guest brings in, after its tenant id. */
const organisationName = (claims: EntraClaims, domain: string | null) => {
  if (!domain) return `Organisation ${claims.tid.slice(0, 8)}`;
  const label = domain.split(".")[0]!;
  return label.charAt(0).toUpperCase() + label.slice(1);
};
