/**
 * A directory's changes, in the tenant store, and what they do to licenses. Users: a user deleted
 * releases every seat and the queues are refilled (R5, R15); a disabled user keeps the seats and
 * their sessions end (R15, R18). Groups: a member joining an assigned group is licensed while
 * seats last, then waits (R4); members leaving, and a group deleted, release the seats no path
 * holds any more, which waiting users get at once (R5, R7). Each change is one transaction
 * (R22), audited (R12); set-based, so a thousand members are a few statements. The directory
 * routes and SCIM share these.
 */
import type { DirectoryChangeResult, Role } from "@appseats/shared";
import { AppSeatsError, notFound } from "../errors.js";
import { newId } from "../ids.js";
import {
  audit,
  fillWaiting,
  indexSubscription,
  noPathHolds,
  type StoreChange,
  seatsNow,
  subscriptionColumns,
  subscriptionShape,
} from "./changes.js";
import { because } from "./events.js";
import { all, first, integer, nullable, one, type RowOf, text } from "./rows.js";

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

/** A user's row with what a directory keeps beyond what the admin API shows. */
export const directoryUserShape = {
  id: text,
  user_principal_name: text,
  display_name: text,
  mail: nullable(text),
  account_enabled: integer,
  external_id: nullable(text),
  department: nullable(text),
  given_name: nullable(text),
  family_name: nullable(text),
  name_formatted: nullable(text),
  created_at: text,
};
export type DirectoryUserRow = RowOf<typeof directoryUserShape>;

export const directoryUserColumns =
  "id, user_principal_name, display_name, mail, account_enabled, external_id, department, given_name, family_name, name_formatted, created_at";

const taken = (upn: string) =>
  new AppSeatsError("AlreadyExists", `Another user of your organisation already signs in as ${upn}.`, { userPrincipalName: upn });

/**
 * A user principal name is unique in a tenant, compared without case; a deleted user's is freed
 * for a new user (its row stays, renamed, for the audit). Refuses one a live user holds.
 */
export function claimPrincipalName(sql: SqlStorage, upn: string, forUser: string | null): void {
  const holder = first(
    sql,
    { id: text, deleted_at: nullable(text) },
    `SELECT id, deleted_at FROM users WHERE user_principal_name = ?`,
    upn,
  );
  if (!holder || holder.id === forUser) return;
  if (holder.deleted_at === null) throw taken(upn);
  sql.exec(`UPDATE users SET user_principal_name = user_principal_name || '#deleted:' || id WHERE id = ?`, holder.id);
}

/** Every subscription's figures, to tell the control plane of those a change moved (R23). */
export function seatFigures(sql: SqlStorage): Map<string, string> {
  return new Map(
    all(
      sql,
      { id: text, figures: text },
      `SELECT s.id, s.purchased || '/' || COUNT(*) FILTER (WHERE l.state = 'active') || '/' || COUNT(*) FILTER (WHERE l.state = 'waiting') AS figures
           FROM subscriptions s LEFT JOIN licenses l ON l.subscription_id = s.id GROUP BY s.id`,
    ).map((row) => [row.id, row.figures]),
  );
}

/** After a change that may have moved seats of many subscriptions: the queues refilled (R5), and what moved indexed. */
export function settleSeats(sql: SqlStorage, change: StoreChange, before: Map<string, string>): number {
  let filled = 0;
  const subscriptions = all(sql, subscriptionShape, `SELECT ${subscriptionColumns} FROM subscriptions`);
  for (const subscription of subscriptions) filled += fillWaiting(sql, change, subscription);
  const after = seatFigures(sql);
  for (const subscription of subscriptions) {
    if (after.get(subscription.id) !== before.get(subscription.id)) {
      indexSubscription(sql, subscription, seatsNow(sql, subscription), change.now);
    }
  }
  return filled;
}

/** A new user of the tenant (a directory's create), audited; answers the stored row. */
export function createUser(sql: SqlStorage, change: StoreChange, fields: UserFields): DirectoryUserRow {
  const id = `usr_${newId()}`;
  claimPrincipalName(sql, fields.userPrincipalName, null);
  const created = one(
    sql,
    directoryUserShape,
    `INSERT INTO users (id, user_principal_name, display_name, mail, account_enabled, created_at, external_id, department,
                          given_name, family_name, name_formatted)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${directoryUserColumns}`,
    id,
    fields.userPrincipalName,
    fields.displayName,
    fields.mail,
    fields.accountEnabled ? 1 : 0,
    change.now,
    fields.externalId,
    fields.department,
    fields.givenName,
    fields.familyName,
    fields.nameFormatted,
  );
  audit(sql, change, {
    action: "directory.user.create",
    principals: [{ type: "user", id }],
    summary: `${fields.displayName} (${fields.userPrincipalName}) was created by the directory`,
  });
  return created;
}

/** The user a change is about. */
export interface ChangedUser {
  id: string;
  displayName: string;
}

/** A user of the tenant, not deleted, with the admin roles that protect them (stored and last seen). */
export interface Account extends ChangedUser {
  roles: Role[];
}

/** A user of the tenant, not deleted, and their admin roles (404 otherwise, another tenant's too: R11). */
export function accountOf(sql: SqlStorage, userId: string): Account {
  const row = first(
    sql,
    { id: text, display_name: text, roles: text },
    `SELECT u.id, u.display_name, (SELECT json_group_array(DISTINCT role) FROM admin_roles r WHERE r.user_id = u.id) AS roles
         FROM users u WHERE u.id = ? AND u.deleted_at IS NULL`,
    userId,
  );
  if (!row) throw notFound(`The user ${userId}`);
  return { id: row.id, displayName: row.display_name, roles: JSON.parse(row.roles) as Role[] };
}

/**
 * Who may change an account (the security review): only a Global Administrator changes an
 * account that holds an admin role, and nobody disables or deletes their own.
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

/** The tenant keeps another enabled Global Administrator when `user` is disabled or deleted, or the change is refused. */
export function keepLastGlobalAdmin(sql: SqlStorage, user: ChangedUser): void {
  const { isOne, others } = one(
    sql,
    { isOne: integer, others: integer },
    `SELECT EXISTS (SELECT 1 FROM admin_roles r JOIN users u ON u.id = r.user_id
                       WHERE r.user_id = ?1 AND r.role = 'GlobalAdmin' AND u.account_enabled = 1) AS isOne,
              EXISTS (SELECT 1 FROM admin_roles r JOIN users u ON u.id = r.user_id
                       WHERE r.role = 'GlobalAdmin' AND r.user_id <> ?1 AND u.deleted_at IS NULL AND u.account_enabled = 1) AS others`,
    user.id,
  );
  if (isOne === 1 && others === 0) {
    throw new AppSeatsError(
      "ProtectedAccount",
      `${user.displayName} is your organisation's last Global Administrator: make someone else one first.`,
      { reason: "lastGlobalAdmin" },
    );
  }
}

/**
 * Changes a user's attributes, audited only when something differs (a directory resends what it
 * has). R15: a user disabled keeps their seats; R18: their sessions end at once.
 */
export function updateUser(sql: SqlStorage, change: StoreChange, user: ChangedUser, changes: Partial<UserFields>): DirectoryChangeResult {
  const fields = (Object.keys(changes) as (keyof UserFields)[]).filter((field) => changes[field] !== undefined);
  if (fields.length === 0) return { changed: 0, releasedSeats: 0, filledFromWaiting: 0 };
  const values = fields.map((field) => (field === "accountEnabled" ? (changes.accountEnabled ? 1 : 0) : (changes[field] ?? null)));
  const differs = fields.map((field, i) => `${columnsOf[field]} IS NOT ?${i + 2}`).join(" OR ");
  const changed = sql.exec(`SELECT 1 FROM users WHERE id = ?1 AND (${differs})`, user.id, ...values).toArray().length;
  if (changed === 0) return { changed: 0, releasedSeats: 0, filledFromWaiting: 0 };
  if (changes.accountEnabled === false) keepLastGlobalAdmin(sql, user);
  if (changes.userPrincipalName !== undefined) claimPrincipalName(sql, changes.userPrincipalName, user.id);
  audit(sql, change, {
    action: "directory.user.update",
    principals: [{ type: "user", id: user.id }],
    summary:
      changes.accountEnabled === undefined
        ? `${user.displayName} was updated (${fields.join(", ")})`
        : `${user.displayName}'s account was ${changes.accountEnabled ? "enabled" : "disabled"}`,
  });
  sql.exec(`UPDATE users SET ${fields.map((field, i) => `${columnsOf[field]} = ?${i + 2}`).join(", ")} WHERE id = ?1`, user.id, ...values);
  if (changes.accountEnabled === false) sql.exec(`DELETE FROM session_tokens WHERE user_id = ?`, user.id);
  return { changed: 1, releasedSeats: 0, filledFromWaiting: 0 };
}

/** R15: a deleted user releases every seat, refilled at once; the row stays (deleted) so the audit can name it. */
export function deleteUser(sql: SqlStorage, change: StoreChange, user: ChangedUser): DirectoryChangeResult {
  keepLastGlobalAdmin(sql, user);
  const before = seatFigures(sql);
  audit(sql, change, {
    action: "directory.user.delete",
    principals: [{ type: "user", id: user.id }],
    summary: `${user.displayName} was deleted; their seats were released`,
  });
  const released = because(sql, { reason: "userDeleted" }, () =>
    all(sql, { state: text }, `DELETE FROM licenses WHERE user_id = ? RETURNING state`, user.id),
  );
  sql.exec(`DELETE FROM assignments WHERE principal_type = 'user' AND principal_id = ?`, user.id);
  sql.exec(`DELETE FROM group_members WHERE user_id = ?`, user.id);
  sql.exec(`DELETE FROM session_tokens WHERE user_id = ?`, user.id);
  sql.exec(`DELETE FROM admin_roles WHERE user_id = ?`, user.id);
  // The object id is freed: their next sign-in is a new user, not this deleted row.
  sql.exec(`UPDATE users SET deleted_at = ?, entra_object_id = NULL WHERE id = ?`, change.now, user.id);
  const filled = settleSeats(sql, change, before);
  return { changed: 1, releasedSeats: released.filter((row) => row.state === "active").length, filledFromWaiting: filled };
}

export interface GroupRow {
  id: string;
  display_name: string;
}

export function groupOf(sql: SqlStorage, groupId: string): GroupRow {
  const group = first(sql, { id: text, display_name: text }, `SELECT id, display_name FROM groups WHERE id = ?`, groupId);
  if (!group) throw notFound("The group");
  return group;
}

/** Every user named is a live user of the tenant (R11), or 404 naming those that are not. */
function ensureUsers(sql: SqlStorage, userIds: string[]): void {
  if (userIds.length === 0) return;
  const missing = all(
    sql,
    { id: text },
    `SELECT value AS id FROM json_each(?) j WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = j.value AND u.deleted_at IS NULL)`,
    JSON.stringify(userIds),
  ).map((row) => row.id);
  if (missing.length > 0) {
    throw notFound(missing.length === 1 ? `The user ${missing[0]}` : `${missing.length} of the principals`, {
      missing: missing.map((id) => ({ type: "user", id })),
    });
  }
}

/** Adds members to a group with their licenses on every subscription the group is assigned to; answers how many joined. */
function addMembersTo(sql: SqlStorage, change: StoreChange, group: GroupRow, userIds: string[]): number {
  const joined = all(
    sql,
    { user_id: text },
    `INSERT INTO group_members (group_id, user_id, added_at) SELECT ?1, value, ?2 FROM json_each(?3) WHERE true
       ON CONFLICT DO NOTHING RETURNING user_id`,
    group.id,
    change.now,
    JSON.stringify(userIds),
  ).map((row) => row.user_id);
  if (joined.length === 0) return 0;
  audit(sql, change, {
    action: "directory.member.add",
    principals: joined.map((id) => ({ type: "user", id })),
    summary: `${joined.length} user(s) added to ${group.display_name}`,
  });
  // R4: on every subscription the group is assigned to, new members get seats while they last, then wait.
  const subscriptions = all(
    sql,
    subscriptionShape,
    `SELECT s.id, s.app_id, s.plan, s.purchased, s.status, s.renews_at, s.created_at FROM subscriptions s
         JOIN assignments a ON a.subscription_id = s.id AND a.principal_type = 'group' AND a.principal_id = ?`,
    group.id,
  );
  for (const subscription of subscriptions) {
    const open = seatsNow(sql, subscription).available;
    because(sql, { via: "group" }, () =>
      sql.exec(
        `INSERT INTO licenses (subscription_id, user_id, state, since)
       SELECT ?1, value, CASE WHEN ROW_NUMBER() OVER (ORDER BY key) <= ?2 THEN 'active' ELSE 'waiting' END, ?3
         FROM json_each(?4) j WHERE NOT EXISTS (SELECT 1 FROM licenses l WHERE l.subscription_id = ?1 AND l.user_id = j.value)
        ORDER BY key`,
        subscription.id,
        open,
        change.now,
        JSON.stringify(joined),
      ),
    );
  }
  return joined.length;
}

/** Removes members from a group; seats no path holds any more are released. Answers how many left and the active seats released. */
function removeMembersFrom(sql: SqlStorage, change: StoreChange, group: GroupRow, userIds: string[]): [number, number] {
  const left = all(
    sql,
    { user_id: text },
    `DELETE FROM group_members WHERE group_id = ? AND user_id IN (SELECT value FROM json_each(?)) RETURNING user_id`,
    group.id,
    JSON.stringify(userIds),
  ).map((row) => row.user_id);
  if (left.length === 0) return [0, 0];
  audit(sql, change, {
    action: "directory.member.remove",
    principals: left.map((id) => ({ type: "user", id })),
    summary: `${left.length} user(s) removed from ${group.display_name}`,
  });
  return [left.length, because(sql, { reason: "removedFromGroup" }, () => releasePathless(sql, JSON.stringify(left)))];
}

/** Releases the licenses of the given users (JSON) that no path holds any more; answers the active seats released. */
function releasePathless(sql: SqlStorage, users: string): number {
  return all(
    sql,
    { state: text },
    `DELETE FROM licenses WHERE user_id IN (SELECT value FROM json_each(?1)) AND ${noPathHolds} RETURNING state`,
    users,
  ).filter((row) => row.state === "active").length;
}

export interface GroupChanges {
  displayName?: string;
  externalId?: string | null;
  addMembers?: string[];
  removeMembers?: string[];
}

/** Changes a group: its name, and members added and removed, with their licenses, then the queues refilled. All or nothing. */
export function changeGroup(sql: SqlStorage, change: StoreChange, groupId: string, changes: GroupChanges): DirectoryChangeResult {
  const group = groupOf(sql, groupId);
  const joining = [...new Set(changes.addMembers ?? [])];
  ensureUsers(sql, joining);
  const before = seatFigures(sql);
  const renamed =
    (changes.displayName !== undefined && changes.displayName !== group.display_name) ||
    (changes.externalId !== undefined &&
      sql.exec(`SELECT 1 FROM groups WHERE id = ? AND external_id IS NOT ?`, group.id, changes.externalId).toArray().length > 0);
  if (renamed) {
    sql.exec(
      `UPDATE groups SET display_name = COALESCE(?2, display_name), external_id = CASE WHEN ?3 THEN ?4 ELSE external_id END WHERE id = ?1`,
      group.id,
      changes.displayName ?? null,
      changes.externalId !== undefined ? 1 : 0,
      changes.externalId ?? null,
    );
    audit(sql, change, {
      action: "directory.group.update",
      principals: [{ type: "group", id: group.id }],
      summary: `${changes.displayName ?? group.display_name} was updated by the directory`,
    });
  }
  const current = { id: group.id, display_name: changes.displayName ?? group.display_name };
  const added = joining.length > 0 ? addMembersTo(sql, change, current, joining) : 0;
  const [removed, released] = changes.removeMembers?.length
    ? removeMembersFrom(sql, change, current, [...new Set(changes.removeMembers)])
    : [0, 0];
  const filled = settleSeats(sql, change, before);
  return { changed: added + removed, releasedSeats: released, filledFromWaiting: filled };
}

/** A new group as stored: what a directory's create answers. */
export interface CreatedGroup extends GroupRow {
  external_id: string | null;
  created_at: string;
}

/** A new group of the tenant with its members (a directory's create), audited; it is assigned to nothing yet. */
export function createGroup(
  sql: SqlStorage,
  change: StoreChange,
  group: { displayName: string; externalId: string | null; members: string[] },
): CreatedGroup {
  const joining = [...new Set(group.members)];
  ensureUsers(sql, joining);
  const id = `grp_${newId()}`;
  sql.exec(
    `INSERT INTO groups (id, display_name, created_at, external_id) VALUES (?, ?, ?, ?)`,
    id,
    group.displayName,
    change.now,
    group.externalId,
  );
  audit(sql, change, {
    action: "directory.group.create",
    principals: [{ type: "group", id }],
    summary: `${group.displayName} was created by the directory`,
  });
  if (joining.length > 0) addMembersTo(sql, change, { id, display_name: group.displayName }, joining);
  return { id, display_name: group.displayName, external_id: group.externalId, created_at: change.now };
}

/** R7: a deleted group's assignments and memberships go; seats no other path holds are released and refilled. */
export function deleteGroup(sql: SqlStorage, change: StoreChange, group: GroupRow): DirectoryChangeResult {
  const before = seatFigures(sql);
  audit(sql, change, {
    action: "directory.group.delete",
    principals: [{ type: "group", id: group.id }],
    summary: `${group.display_name} was deleted by the directory; its seats were released`,
  });
  const members = JSON.stringify(
    all(sql, { user_id: text }, `SELECT user_id FROM group_members WHERE group_id = ?`, group.id).map((row) => row.user_id),
  );
  sql.exec(`DELETE FROM assignments WHERE principal_type = 'group' AND principal_id = ?`, group.id);
  sql.exec(`DELETE FROM group_members WHERE group_id = ?`, group.id);
  sql.exec(`DELETE FROM groups WHERE id = ?`, group.id);
  const released = because(sql, { reason: "groupDeleted" }, () => releasePathless(sql, members));
  const filled = settleSeats(sql, change, before);
  return { changed: 1, releasedSeats: released, filledFromWaiting: filled };
}
