/**
 * A directory's changes to users and what they do to licenses: a user deleted releases every
 * seat and the queue is refilled (R5); a disabled user keeps the seats and is flagged (R15), and
 * their sessions end (R18). Groups and their members are in groups.ts. The directory routes and
 * SCIM share these.
 */
import type { DirectoryChangeResult, Role } from "@appseats/shared";
import { AppSeatsError, notFound } from "../errors.js";
import { auditStatement, auditWhenAny } from "./audit.js";
import { type Batch, type Committed, changeBatch, countOf, GuardFailed, guard } from "./batch.js";
import { type ChangeContext, newId } from "./context.js";
import { addFill } from "./fill.js";
import type { UserRow } from "./principals.js";

/** What a directory may set of a user. */
export interface UserFields {
  userPrincipalName: string;
  displayName: string;
  mail: string | null;
  accountEnabled: boolean;
  externalId: string | null;
  department: string | null;
  /** SCIM's name parts, kept as a directory sends them (Entra ID reads them back). */
  givenName: string | null;
  familyName: string | null;
  nameFormatted: string | null;
}

const columnsOf: Record<keyof UserFields, string> = {
  userPrincipalName: "user_principal_name",
  displayName: "display_name",
  mail: "mail",
  accountEnabled: "account_enabled",
  externalId: "external_id",
  department: "department",
  givenName: "given_name",
  familyName: "family_name",
  nameFormatted: "name_formatted",
};

const taken = (upn: string) =>
  new AppSeatsError("AlreadyExists", `Another user of your organisation already signs in as ${upn}.`, { userPrincipalName: upn });

/**
 * A user principal name is unique in a tenant, compared without case (the users_by_upn index
 * holds it); a deleted user's is freed for a new user. This frees one that only a deleted user
 * holds (its row stays, renamed, for the audit); in the batch before the write that takes it.
 */
export const freeFromDeleted = (db: D1Database, tenantId: string, upn: string) =>
  db
    .prepare(
      `UPDATE users SET user_principal_name = user_principal_name || '#deleted:' || id
        WHERE tenant_id = ?1 AND user_principal_name = ?2 AND deleted_at IS NOT NULL`,
    )
    .bind(tenantId, upn);

/** A user's row with what a directory keeps beyond what the admin API shows. */
export interface DirectoryUserRow extends UserRow {
  external_id: string | null;
  department: string | null;
  given_name: string | null;
  family_name: string | null;
  name_formatted: string | null;
  created_at: string;
}

export const directoryUserColumns =
  "id, user_principal_name, display_name, mail, account_enabled, external_id, department, given_name, family_name, name_formatted, created_at";

/** A new user of the tenant (a directory's create), audited, in one batch; answers the stored row. */
export async function createUser(db: D1Database, ctx: ChangeContext, fields: UserFields): Promise<DirectoryUserRow> {
  const id = `usr_${newId()}`;
  const batch = changeBatch(db, ctx);
  batch.run(freeFromDeleted(db, ctx.tenantId, fields.userPrincipalName));
  const created = batch.first<DirectoryUserRow>(
    db
      .prepare(
        `INSERT INTO users (id, tenant_id, user_principal_name, display_name, mail, account_enabled, created_at, external_id, department,
                            given_name, family_name, name_formatted)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) RETURNING ${directoryUserColumns}`,
      )
      .bind(
        id,
        ctx.tenantId,
        fields.userPrincipalName,
        fields.displayName,
        fields.mail,
        fields.accountEnabled ? 1 : 0,
        ctx.now,
        fields.externalId,
        fields.department,
        fields.givenName,
        fields.familyName,
        fields.nameFormatted,
      ),
  );
  batch.run(
    auditStatement(db, ctx, {
      action: "directory.user.create",
      principals: [{ type: "user", id }],
      summary: `${fields.displayName} (${fields.userPrincipalName}) was created by the directory`,
    }),
  );
  return (await uniquely(batch, fields.userPrincipalName)).get(created)!;
}

/** The user a change is about, as the caller found it in the tenant. */
export interface ChangedUser {
  id: string;
  displayName: string;
}

/**
 * Changes a user's attributes in one batch, audited. R15: a user disabled keeps their seats;
 * R18: their sessions end at once (enabling them again brings none back).
 */
export async function updateUser(
  db: D1Database,
  ctx: ChangeContext,
  user: ChangedUser,
  changes: Partial<UserFields>,
): Promise<DirectoryChangeResult> {
  const fields = (Object.keys(changes) as (keyof UserFields)[]).filter((field) => changes[field] !== undefined);
  if (fields.length === 0) return { changed: 0, releasedSeats: 0, filledFromWaiting: 0 };
  const values = fields.map((field) => (field === "accountEnabled" ? (changes.accountEnabled ? 1 : 0) : changes[field]));
  const differs = fields.map((field, i) => `${columnsOf[field]} IS NOT ?${i + 2}`).join(" OR ");
  const what =
    changes.accountEnabled === undefined
      ? `${user.displayName} was updated (${fields.join(", ")})`
      : `${user.displayName}'s account was ${changes.accountEnabled ? "enabled" : "disabled"}`;
  const batch = changeBatch(db, ctx);
  if (changes.accountEnabled === false) batch.run(lastGlobalAdminGuard(db, ctx.tenantId, user.id));
  // The event is written first, and only if something will change: a directory resends what it has.
  batch.run(
    auditWhenAny(db, ctx, {
      action: "directory.user.update",
      principalsSql: `SELECT 'user', id FROM users WHERE id = ?1 AND (${differs})`,
      params: [user.id, ...values],
      summary: what,
    }),
  );
  if (changes.userPrincipalName !== undefined) batch.run(freeFromDeleted(db, ctx.tenantId, changes.userPrincipalName));
  const changed = batch.changes(
    db
      .prepare(`UPDATE users SET ${fields.map((field, i) => `${columnsOf[field]} = ?${i + 2}`).join(", ")} WHERE id = ?1 AND (${differs})`)
      .bind(user.id, ...values),
  );
  if (changes.accountEnabled === false) batch.run(db.prepare(`DELETE FROM session_tokens WHERE user_id = ?1`).bind(user.id));
  const committed = await keepingGlobalAdmin(batch, user, (ready) => uniquely(ready, changes.userPrincipalName));
  return { changed: committed.get(changed), releasedSeats: 0, filledFromWaiting: 0 };
}

/** Commits a batch that may take a user principal name: one another user holds is AlreadyExists, not a 500. */
async function uniquely(batch: Batch, upn: string | undefined) {
  try {
    return await batch.commit();
  } catch (error) {
    if (upn && /UNIQUE constraint failed: users\.tenant_id, users\.user_principal_name/.test(String(error))) throw taken(upn);
    throw error;
  }
}

/** A user of the tenant, not deleted, with the admin roles they hold, as a change names them. */
export interface Account extends ChangedUser {
  roles: Role[];
}

/** A user of the tenant, not deleted, and their admin roles (404 otherwise, another tenant's too: R11). */
export async function accountOfTenant(db: D1Database, tenantId: string, userId: string): Promise<Account> {
  const row = await db
    .prepare(
      `SELECT u.id, u.display_name, (SELECT json_group_array(DISTINCT role) FROM account_roles r WHERE r.user_id = u.id) AS roles
         FROM users u WHERE u.id = ?1 AND u.tenant_id = ?2 AND u.deleted_at IS NULL`,
    )
    .bind(userId, tenantId)
    .first<{ id: string; display_name: string; roles: string }>();
  if (!row) throw notFound(`The user ${userId}`);
  return { id: row.id, displayName: row.display_name, roles: JSON.parse(row.roles) as Role[] };
}

/**
 * Who may change an account (the security review): only a Global Administrator changes an
 * account that holds an admin role, and nobody disables or deletes their own. The tenant's last
 * Global Administrator is kept by a guard in the change's own batch (lastGlobalAdminGuard).
 */
export function ensureMayChangeAccount(caller: { id: string; roles: Role[] }, account: Account, change: "enable" | "disable" | "delete") {
  if (change !== "enable" && account.id === caller.id) {
    throw new AppSeatsError("ProtectedAccount", `You cannot ${change} your own account. Ask another admin.`, { reason: "ownAccount" });
  }
  if (account.roles.length > 0 && !caller.roles.includes("GlobalAdmin")) {
    throw new AppSeatsError("Forbidden", `${account.displayName} is an admin: only a Global Administrator may change their account.`, {
      requiredRoles: ["GlobalAdmin"],
    });
  }
}

/**
 * In the batch that disables or deletes a user: the tenant keeps another enabled Global
 * Administrator, or nothing is stored. Checked where it is written, so two admins disabling each
 * other at once cannot both succeed.
 */
const lastGlobalAdminGuard = (db: D1Database, tenantId: string, userId: string) =>
  guard(
    db,
    [
      {
        code: "ProtectedAccount",
        ok: `NOT EXISTS (SELECT 1 FROM account_roles r JOIN users u ON u.id = r.user_id
                      WHERE r.user_id = ?1 AND r.role = 'GlobalAdmin' AND u.account_enabled = 1)
          OR EXISTS (SELECT 1 FROM account_roles r JOIN users u ON u.id = r.user_id
                      WHERE r.tenant_id = ?2 AND r.role = 'GlobalAdmin' AND r.user_id <> ?1
                        AND u.deleted_at IS NULL AND u.account_enabled = 1)`,
      },
    ],
    userId,
    tenantId,
  );

/** Commits a batch begun with lastGlobalAdminGuard: its refusal is told as such. */
async function keepingGlobalAdmin(batch: Batch, user: ChangedUser, commit: (batch: Batch) => Promise<Committed>) {
  try {
    return await commit(batch);
  } catch (error) {
    if (error instanceof GuardFailed && error.code === "ProtectedAccount") {
      throw new AppSeatsError(
        "ProtectedAccount",
        `${user.displayName} is your organisation's last Global Administrator: make someone else one first.`,
        { reason: "lastGlobalAdmin" },
      );
    }
    throw error;
  }
}

/** The directory route's enable/disable: the same change as a directory's (updateUser), for an account the caller may change. */
export async function setAccountEnabled(
  db: D1Database,
  ctx: ChangeContext,
  caller: { id: string; roles: Role[] },
  userId: string,
  accountEnabled: boolean,
) {
  const account = await accountOfTenant(db, ctx.tenantId, userId);
  ensureMayChangeAccount(caller, account, accountEnabled ? "enable" : "disable");
  return updateUser(db, ctx, account, { accountEnabled });
}

/** R15: a deleted user releases every seat; the row stays (deleted) so the audit can name it. */
export async function deleteUser(db: D1Database, ctx: ChangeContext, user: ChangedUser): Promise<DirectoryChangeResult> {
  const userId = user.id;
  const batch = changeBatch(db, ctx);
  batch.run(
    lastGlobalAdminGuard(db, ctx.tenantId, userId),
    auditStatement(db, ctx, {
      action: "directory.user.delete",
      principals: [{ type: "user", id: userId }],
      summary: `${user.displayName} was deleted; their seats were released`,
    }),
  );
  const released = countOf(batch, db.prepare(`SELECT COUNT(*) AS n FROM licenses WHERE user_id = ?1 AND state = 'active'`).bind(userId));
  batch.run(
    db.prepare(`DELETE FROM licenses WHERE user_id = ?1`).bind(userId),
    db.prepare(`DELETE FROM assignments WHERE principal_type = 'user' AND principal_id = ?1`).bind(userId),
    db.prepare(`DELETE FROM group_members WHERE user_id = ?1`).bind(userId),
    db.prepare(`DELETE FROM session_tokens WHERE user_id = ?1`).bind(userId),
    db.prepare(`DELETE FROM admin_roles WHERE user_id = ?1`).bind(userId),
    db.prepare(`DELETE FROM last_seen_roles WHERE user_id = ?1`).bind(userId),
    // The object id is freed: their next sign-in is a new user, not this deleted row.
    db.prepare(`UPDATE users SET deleted_at = ?2, entra_object_id = NULL WHERE id = ?1`).bind(userId, ctx.now),
  );
  const filled = addFill(batch, ctx, "tenant");
  const committed = await keepingGlobalAdmin(batch, user, (ready) => ready.commit());
  return { changed: 1, releasedSeats: committed.get(released), filledFromWaiting: committed.get(filled) };
}
