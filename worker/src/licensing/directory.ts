/**
 * A directory's changes to users and what they do to licenses: a user deleted releases every
 * seat and the queue is refilled (R5); a disabled user keeps the seats and is flagged (R15), and
 * their sessions end (R18). Groups and their members are in groups.ts. The directory routes and
 * SCIM share these.
 */
import type { DirectoryChangeResult } from "@appseats/shared";
import { AppSeatsError } from "../errors.js";
import { auditStatement, auditWhenAny } from "./audit.js";
import { Batch, countOf } from "./batch.js";
import { type ChangeContext, newId } from "./context.js";
import { addFill } from "./fill.js";
import { resolvePrincipals, type UserRow } from "./principals.js";
import { sqlString } from "./sql.js";

/** What a directory may set of a user. */
export interface UserFields {
  userPrincipalName: string;
  displayName: string;
  mail: string | null;
  accountEnabled: boolean;
  externalId: string | null;
  department: string | null;
}

const columnsOf: Record<keyof UserFields, string> = {
  userPrincipalName: "user_principal_name",
  displayName: "display_name",
  mail: "mail",
  accountEnabled: "account_enabled",
  externalId: "external_id",
  department: "department",
};

const taken = (upn: string) =>
  new AppSeatsError("AlreadyExists", `Another user of your organisation already signs in as ${upn}.`, { userPrincipalName: upn });

/**
 * A user principal name is unique in a tenant, compared without case (the users_by_upn index
 * holds it); a deleted user's is freed for a new user. This frees one that only a deleted user
 * holds (its row stays, renamed, for the audit); in the batch before the write that takes it.
 */
const freeFromDeleted = (db: D1Database, tenantId: string, upn: string) =>
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
  created_at: string;
}

export const directoryUserColumns = "id, user_principal_name, display_name, mail, account_enabled, external_id, department, created_at";

/** A new user of the tenant (a directory's create), audited, in one batch; answers the stored row. */
export async function createUser(db: D1Database, ctx: ChangeContext, fields: UserFields): Promise<DirectoryUserRow> {
  const id = `usr_${newId()}`;
  const batch = new Batch(db);
  batch.run(freeFromDeleted(db, ctx.tenantId, fields.userPrincipalName));
  const created = batch.first<DirectoryUserRow>(
    db
      .prepare(
        `INSERT INTO users (id, tenant_id, user_principal_name, display_name, mail, account_enabled, created_at, external_id, department)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING ${directoryUserColumns}`,
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
  const batch = new Batch(db);
  // The event is written first, and only if something will change: a directory resends what it has.
  batch.run(
    auditWhenAny(db, ctx, {
      action: "directory.user.update",
      principalsSql: `SELECT 'user', id FROM users WHERE id = ?1 AND (${differs})`,
      params: [user.id, ...values],
      summary: () => sqlString(what),
    }),
  );
  if (changes.userPrincipalName !== undefined) batch.run(freeFromDeleted(db, ctx.tenantId, changes.userPrincipalName));
  const changed = batch.changes(
    db
      .prepare(`UPDATE users SET ${fields.map((field, i) => `${columnsOf[field]} = ?${i + 2}`).join(", ")} WHERE id = ?1 AND (${differs})`)
      .bind(user.id, ...values),
  );
  if (changes.accountEnabled === false) batch.run(db.prepare(`DELETE FROM session_tokens WHERE user_id = ?1`).bind(user.id));
  const committed = await uniquely(batch, changes.userPrincipalName);
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

/** A user of the tenant, not deleted, as a change names it (404 otherwise, another tenant's too: R11). */
export async function userOfTenant(db: D1Database, tenantId: string, userId: string): Promise<ChangedUser> {
  const { views } = await resolvePrincipals(db, tenantId, [{ type: "user", id: userId }]);
  return { id: userId, displayName: views[0]!.displayName };
}

/** The directory route's enable/disable: the same change as a directory's (updateUser). */
export const setAccountEnabled = async (db: D1Database, ctx: ChangeContext, userId: string, accountEnabled: boolean) =>
  updateUser(db, ctx, await userOfTenant(db, ctx.tenantId, userId), { accountEnabled });

/** R15: a deleted user releases every seat; the row stays (deleted) so the audit can name it. */
export async function deleteUser(db: D1Database, ctx: ChangeContext, user: ChangedUser): Promise<DirectoryChangeResult> {
  const userId = user.id;
  const batch = new Batch(db);
  batch.run(
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
    db.prepare(`UPDATE users SET deleted_at = ?2 WHERE id = ?1`).bind(userId, ctx.now),
  );
  const filled = addFill(batch, ctx, "tenant");
  const committed = await batch.commit();
  return { changed: 1, releasedSeats: committed.get(released), filledFromWaiting: committed.get(filled) };
}
