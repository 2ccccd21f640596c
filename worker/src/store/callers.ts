/**
 * Who is calling, as the tenant store knows them, checked in the same call as the operation it
 * asks for: a local session (its hash, R20) and the roles stored for it; an Entra ID user, found
 * or linked by object id (API.md, "Linking"), with the roles of this sign-in remembered so that
 * they protect the account (never granting anything); a provisioning token (R19). A request's
 * caller and its change are one transaction, so a caller disabled, deleted or revoked a moment
 * ago changes nothing (R18): no caller is remembered between requests.
 */
import type { ProvisioningToken, Role } from "@appseats/shared";
import { AppSeatsError, notFound } from "../errors.js";
import { newId } from "../ids.js";
import { audit, type StoreChange } from "./changes.js";
import { claimPrincipalName } from "./directory.js";
import { all, first, integer, nullable, one, text } from "./rows.js";

export interface StoreCaller {
  user: { id: string; displayName: string; userPrincipalName: string };
  roles: Role[];
}

/** The user of a live session, with their stored roles, or null (401). */
export function sessionCaller(sql: SqlStorage, tokenHash: string, now: string): StoreCaller | null {
  const row = first(
    sql,
    { id: text, display_name: text, user_principal_name: text, roles: text },
    `SELECT u.id, u.display_name, u.user_principal_name,
              (SELECT json_group_array(role) FROM admin_roles r WHERE r.user_id = u.id AND r.source = 'stored') AS roles
         FROM session_tokens t JOIN users u ON u.id = t.user_id
        WHERE t.token_hash = ? AND t.expires_at > ? AND u.deleted_at IS NULL AND u.account_enabled = 1`,
    tokenHash,
    now,
  );
  if (!row) return null;
  return {
    user: { id: row.id, displayName: row.display_name, userPrincipalName: row.user_principal_name },
    roles: JSON.parse(row.roles) as Role[],
  };
}

/** A local sign-in: a session for the enabled user of that name, or null. */
export function openSession(sql: SqlStorage, upn: string, tokenHash: string, now: string, expiresAt: string): { userId: string } | null {
  const user = first(
    sql,
    { id: text },
    `SELECT id FROM users WHERE user_principal_name = ? AND deleted_at IS NULL AND account_enabled = 1`,
    upn,
  );
  if (!user) return null;
  sql.exec(
    `INSERT INTO session_tokens (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
    tokenHash,
    user.id,
    now,
    expiresAt,
  );
  return { userId: user.id };
}

export const closeSession = (sql: SqlStorage, tokenHash: string) => sql.exec(`DELETE FROM session_tokens WHERE token_hash = ?`, tokenHash);

/** The accounts a local sign-in page can offer: every enabled user who holds a stored admin role. */
export const localAccounts = (sql: SqlStorage) =>
  all(
    sql,
    { userPrincipalName: text, displayName: text, roles: text },
    `SELECT u.user_principal_name AS userPrincipalName, u.display_name AS displayName, json_group_array(r.role) AS roles
         FROM users u JOIN admin_roles r ON r.user_id = u.id AND r.source = 'stored'
        WHERE u.deleted_at IS NULL AND u.account_enabled = 1
        GROUP BY u.id ORDER BY u.display_name`,
  ).map((row) => ({ userPrincipalName: row.userPrincipalName, displayName: row.displayName, roles: JSON.parse(row.roles) as Role[] }));

/** What the worker read of a verified Entra ID token, and what the control plane says of its tenant. */
export interface EntraSignIn {
  objectId: string;
  /** The token's user principal name, when it has a usable one. */
  userPrincipalName: string | null;
  displayName: string | null;
  roles: Role[];
  /** The member's domain, when the control plane added it to the tenant's for this sign-in (audited here). */
  newDomain: string | null;
  /** How the tenant came in, for its first Global Administrator's onboarding. */
  onboarding: { domain: string | null; broughtBy: "signIn" | "purchase" };
  entraTenantId: string;
}

const entraUserShape = {
  id: text,
  display_name: text,
  user_principal_name: text,
  account_enabled: integer,
  entra_object_id: nullable(text),
  external_id: nullable(text),
};

const entraUserColumns = "id, display_name, user_principal_name, account_enabled, entra_object_id, external_id";

export const notOnboarded = (entraTenantId: string) =>
  new AppSeatsError(
    "TenantNotOnboarded",
    "Your organisation does not use AppSeats yet: a Global Administrator of your organisation must sign in first.",
    { entraTenantId },
  );

const accountConflict = (upn: string) =>
  new AppSeatsError(
    "AccountConflict",
    `${upn} is already linked to another Microsoft account in AppSeats. Ask a Global Administrator to check the account.`,
  );

const asChange = (user: { id: string; displayName: string }, requestId: string, now: string): StoreChange => ({
  actor: { type: "user", id: user.id, displayName: user.displayName },
  requestId,
  now,
});

function newUser(sql: SqlStorage, sign: EntraSignIn, upn: string, now: string): { id: string; displayName: string } {
  const user = { id: `usr_${newId()}`, displayName: sign.displayName ?? upn };
  claimPrincipalName(sql, upn, null);
  sql.exec(
    `INSERT INTO users (id, user_principal_name, display_name, mail, account_enabled, created_at, entra_object_id) VALUES (?, ?, ?, ?, 1, ?, ?)`,
    user.id,
    upn,
    user.displayName,
    upn,
    now,
    sign.objectId,
  );
  return user;
}

/**
 * The Entra ID user of a verified token, or null when no one is admitted (401): found by object
 * id; else (API.md, "Linking") the user the directory provisioned with externalId = oid, linked;
 * else the user of that name with neither an object id nor an externalId, linked; else a new user
 * (also for someone deleted: no lockout by deletion). A name linked or provisioned for another
 * object id is 403 AccountConflict. R17: a tenant with no users yet is onboarded by its first
 * Global Administrator; anyone else is told one must sign in first. The roles of this sign-in
 * are remembered when they changed; a member's new domain is audited once.
 */
export function entraCaller(sql: SqlStorage, sign: EntraSignIn, requestId: string, now: string): StoreCaller | null {
  let user = first(
    sql,
    entraUserShape,
    `SELECT ${entraUserColumns} FROM users WHERE entra_object_id = ? AND deleted_at IS NULL`,
    sign.objectId,
  );
  if (!user) {
    const upn = sign.userPrincipalName;
    const empty = sql.exec(`SELECT 1 FROM users LIMIT 1`).toArray().length === 0;
    if (empty) {
      if (!sign.roles.includes("GlobalAdmin") || !upn) throw notOnboarded(sign.entraTenantId);
      const created = newUser(sql, sign, upn, now);
      const domain = sign.onboarding.domain;
      audit(sql, asChange(created, requestId, now), {
        action: "tenant.onboard",
        principals: [{ type: "user", id: created.id }],
        summary:
          sign.onboarding.broughtBy === "purchase"
            ? `${created.displayName} found ${domain ?? "their"} organisation, which a purchase brought in, as its first Global Administrator`
            : `${created.displayName} brought ${domain ?? "their organisation"} into AppSeats as its first Global Administrator`,
      });
    } else {
      if (!upn) return null;
      const oid = sign.objectId.toLowerCase();
      const candidates = all(
        sql,
        entraUserShape,
        `SELECT ${entraUserColumns} FROM users WHERE deleted_at IS NULL AND (external_id = ?1 COLLATE NOCASE OR user_principal_name = ?2)`,
        sign.objectId,
        upn,
      );
      const provisioned = candidates.find((row) => row.external_id?.toLowerCase() === oid);
      const byName = candidates.find((row) => row.user_principal_name.toLowerCase() === upn.toLowerCase());
      const target = provisioned ?? byName;
      if (target && (target.entra_object_id || (target.external_id && target.external_id.toLowerCase() !== oid)))
        throw accountConflict(upn);
      if (target && target.account_enabled !== 1) return null;
      if (target) {
        sql.exec(`UPDATE users SET entra_object_id = ? WHERE id = ?`, sign.objectId, target.id);
        audit(sql, asChange({ id: target.id, displayName: target.display_name }, requestId, now), {
          action: "directory.user.link",
          principals: [{ type: "user", id: target.id }],
          summary: `${target.display_name} signed in with Microsoft for the first time; the account is now linked`,
        });
      } else {
        const created = newUser(sql, sign, upn, now);
        audit(sql, asChange(created, requestId, now), {
          action: "directory.user.create",
          principals: [{ type: "user", id: created.id }],
          summary: `${created.displayName} signed in with Microsoft for the first time`,
        });
      }
    }
    user = one(
      sql,
      entraUserShape,
      `SELECT ${entraUserColumns} FROM users WHERE entra_object_id = ? AND deleted_at IS NULL`,
      sign.objectId,
    );
  }
  if (user.account_enabled !== 1) return null;
  const caller: StoreCaller = {
    user: { id: user.id, displayName: user.display_name, userPrincipalName: user.user_principal_name },
    roles: sign.roles,
  };
  rememberRoles(sql, user.id, sign.roles);
  if (sign.newDomain) learnDomain(sql, caller, sign.newDomain, requestId, now);
  return caller;
}

/** The roles of this sign-in protect the account (API.md, "Roles last seen"); written only when they changed. */
function rememberRoles(sql: SqlStorage, userId: string, roles: Role[]): void {
  const seen = one(
    sql,
    { roles: text },
    `SELECT json_group_array(role) AS roles FROM (SELECT role FROM admin_roles WHERE user_id = ? AND source = 'lastSeen' ORDER BY role)`,
    userId,
  ).roles;
  const now = JSON.stringify([...roles].sort());
  if (seen === now) return;
  sql.exec(`DELETE FROM admin_roles WHERE user_id = ? AND source = 'lastSeen'`, userId);
  sql.exec(`INSERT INTO admin_roles (user_id, role, source) SELECT ?, value, 'lastSeen' FROM json_each(?)`, userId, now);
}

/** A member's sign-in vouched for their domain, which the control plane has just added to the tenant's: audited. */
function learnDomain(sql: SqlStorage, caller: StoreCaller, domain: string, requestId: string, now: string): void {
  audit(sql, asChange(caller.user, requestId, now), {
    action: "tenant.domain.add",
    principals: [{ type: "user", id: caller.user.id }],
    summary: `${domain} was added to the organisation's domains: ${caller.user.displayName} signed in with it`,
  });
}

/** A directory's provisioning token by its hash, if it has not expired; its last use written at most once a minute. */
export function provisioningCaller(sql: SqlStorage, tokenHash: string, now: string): { tokenId: string } | null {
  const row = first(
    sql,
    { id: text, last_used_at: nullable(text) },
    `SELECT id, last_used_at FROM provisioning_tokens WHERE token_hash = ? AND expires_at > ?`,
    tokenHash,
    now,
  );
  if (!row) return null;
  if (!row.last_used_at || Date.parse(now) - Date.parse(row.last_used_at) >= 60_000) {
    sql.exec(`UPDATE provisioning_tokens SET last_used_at = ? WHERE id = ?`, now, row.id);
  }
  return { tokenId: row.id };
}

/** A new provisioning token (its hash) of the tenant, audited; the control plane learns which tenant it names (R23). */
export function createProvisioningToken(
  sql: SqlStorage,
  change: StoreChange,
  token: { id: string; hash: string; expiresAt: string },
): { id: string; createdAt: string; expiresAt: string } {
  sql.exec(
    `INSERT INTO provisioning_tokens (id, token_hash, created_at, created_by, expires_at) VALUES (?, ?, ?, ?, ?)`,
    token.id,
    token.hash,
    change.now,
    change.actor.id,
    token.expiresAt,
  );
  audit(sql, change, {
    action: "provisioning.token.create",
    summary: `${change.actor.displayName} created a provisioning token (${token.id}) that expires on ${token.expiresAt.slice(0, 10)}`,
  });
  return { id: token.id, createdAt: change.now, expiresAt: token.expiresAt };
}

export const provisioningTokens = (sql: SqlStorage): ProvisioningToken[] =>
  all(
    sql,
    { id: text, created_at: text, expires_at: text, last_used_at: nullable(text) },
    `SELECT id, created_at, expires_at, last_used_at FROM provisioning_tokens ORDER BY created_at, id`,
  ).map((row) => ({ id: row.id, createdAt: row.created_at, expiresAt: row.expires_at, lastUsedAt: row.last_used_at }));

/** Revoking a token ends it at once; another tenant's token id is answered as one that does not exist (R11). Answers its hash. */
export function revokeProvisioningToken(sql: SqlStorage, change: StoreChange, id: string): string {
  const row = first(sql, { token_hash: text }, `DELETE FROM provisioning_tokens WHERE id = ? RETURNING token_hash`, id);
  if (!row) throw notFound("The provisioning token");
  audit(sql, change, { action: "provisioning.token.revoke", summary: `${change.actor.displayName} revoked the provisioning token ${id}` });
  return row.token_hash;
}
