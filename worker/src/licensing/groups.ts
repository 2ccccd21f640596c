/**
 * A directory's changes to groups and their members, and what they do to licenses (R18): a
 * member joining an assigned group is licensed while seats last, then waits (R4); members
 * leaving, and a group deleted, release the seats no path holds any more, which waiting users
 * get at once (R5, R7). Set-based: a thousand members are a few statements. The directory
 * routes and SCIM share these; each change is one batch, audited.
 */
import type { DirectoryChangeResult } from "@appseats/shared";
import { notFound } from "../errors.js";
import { auditWhenAny } from "./audit.js";
import { type Batch, type Committed, changeBatch, countOf, GuardFailed, guard, type Slot, StateChanged, withRetries } from "./batch.js";
import { type ChangeContext, newId } from "./context.js";
import { addFill } from "./fill.js";
import { resolvePrincipals, usersExistSql } from "./principals.js";
import { hasDirectPath, hasGroupPath, openSeats } from "./sql.js";

export interface GroupRow {
  id: string;
  display_name: string;
}

export async function groupOfTenant(db: D1Database, tenantId: string, groupId: string): Promise<GroupRow> {
  const group = await db
    .prepare(`SELECT id, display_name FROM groups WHERE id = ?1 AND tenant_id = ?2`)
    .bind(groupId, tenantId)
    .first<GroupRow>();
  if (!group) throw notFound("The group");
  return group;
}

/**
 * In a change's batch, before it: the group is the tenant's and so is every user joining it
 * (JSON ?3), or nothing is stored. A refusal is explained by reading them again (`whatIsMissing`).
 */
const groupAndUsersGuard = (db: D1Database, tenantId: string, groupId: string | null, users: string) =>
  guard(
    db,
    [
      {
        code: "NotFound",
        ok: `(?2 IS NULL OR EXISTS (SELECT 1 FROM groups WHERE id = ?2 AND tenant_id = ?1)) AND ${usersExistSql("?1", "?3")}`,
      },
    ],
    tenantId,
    groupId,
    users,
  );

/**
 * Commits a change begun with groupAndUsersGuard. When the guard refused it, the group or a
 * user is gone: NotFound names which; if a second reading finds them all, the state changed in
 * between, and the change is tried again (withRetries).
 */
async function commitFound(batch: Batch, tenantId: string, groupId: string | null, userIds: string[]): Promise<Committed> {
  try {
    return await batch.commit();
  } catch (error) {
    if (!(error instanceof GuardFailed && error.code === "NotFound")) throw error;
    if (groupId) await groupOfTenant(batch.db, tenantId, groupId);
    await resolvePrincipals(
      batch.db,
      tenantId,
      userIds.map((id) => ({ type: "user" as const, id })),
    );
    throw new StateChanged();
  }
}

/** Adds members (JSON array of user ids) to a group in `batch`, with their licenses; the slot counts those added. */
function membersAdded(batch: Batch, ctx: ChangeContext, groupId: string, users: string): Slot<number> {
  const db = batch.db;
  batch.run(
    auditWhenAny(db, ctx, {
      action: "directory.member.add",
      principalsSql: `SELECT 'user', j.value FROM json_each(?2) j
        WHERE NOT EXISTS (SELECT 1 FROM group_members m WHERE m.group_id = ?1 AND m.user_id = j.value)`,
      params: [groupId, users],
      summary: (count, param) => `${count} || ' user(s) added to ' || ${groupNameSql(param(1))}`,
    }),
  );
  const added = batch.changes(
    db
      .prepare(
        `INSERT INTO group_members (group_id, user_id, tenant_id, added_at)
         SELECT ?1, value, ?3, ?4 FROM json_each(?2) WHERE true ON CONFLICT DO NOTHING`,
      )
      .bind(groupId, users, ctx.tenantId, ctx.now),
  );
  batch.run(
    // Every subscription the group is assigned to: new members get seats while they last, then wait.
    db
      .prepare(
        `INSERT INTO licenses (subscription_id, user_id, tenant_id, state, since, event_id)
         SELECT c.subscription_id, c.user_id, ?3, CASE WHEN c.position <= ${openSeats("c.subscription_id")} THEN 'active' ELSE 'waiting' END, ?4, ?5
           FROM (SELECT a.subscription_id, j.value AS user_id,
                        ROW_NUMBER() OVER (PARTITION BY a.subscription_id ORDER BY j.key) AS position
                   FROM assignments a CROSS JOIN json_each(?2) j
                  WHERE a.principal_type = 'group' AND a.principal_id = ?1
                    AND NOT EXISTS (SELECT 1 FROM licenses l WHERE l.subscription_id = a.subscription_id AND l.user_id = j.value)) c
          ORDER BY c.subscription_id, c.position`,
      )
      .bind(groupId, users, ctx.tenantId, ctx.now, newId()),
  );
  return added;
}

/** A group's name in a statement, as the batch has it when it reaches the statement; `groupId` is a bound parameter. */
const groupNameSql = (groupId: string) => `(SELECT display_name FROM groups WHERE id = ${groupId})`;

/** Licenses, across the tenant, of the given users (JSON ?2) that no path holds any more. */
const pathless = `FROM licenses l WHERE l.tenant_id = ?1 AND l.user_id IN (SELECT value FROM json_each(?2))
  AND NOT ${hasDirectPath("l.subscription_id", "l.user_id")} AND NOT ${hasGroupPath("l.subscription_id", "l.user_id")}`;

/** Releases the seats of the given users (JSON) that no path holds any more; the slot counts active ones released. */
function pathlessReleased(batch: Batch, ctx: ChangeContext, users: string): Slot<number> {
  const db = batch.db;
  const released = countOf(batch, db.prepare(`SELECT COUNT(*) AS n ${pathless} AND l.state = 'active'`).bind(ctx.tenantId, users));
  batch.run(db.prepare(`DELETE FROM licenses WHERE seq IN (SELECT l.seq ${pathless})`).bind(ctx.tenantId, users));
  return released;
}

/** Removes members (JSON array of user ids) from a group in `batch`; the slot counts those removed. */
function membersRemoved(batch: Batch, ctx: ChangeContext, groupId: string, users: string): Slot<number> {
  const db = batch.db;
  batch.run(
    auditWhenAny(db, ctx, {
      action: "directory.member.remove",
      principalsSql: `SELECT 'user', m.user_id FROM group_members m WHERE m.group_id = ?1 AND m.user_id IN (SELECT value FROM json_each(?2))`,
      params: [groupId, users],
      summary: (count, param) => `${count} || ' user(s) removed from ' || ${groupNameSql(param(1))}`,
    }),
  );
  return batch.changes(
    db.prepare(`DELETE FROM group_members WHERE group_id = ?1 AND user_id IN (SELECT value FROM json_each(?2))`).bind(groupId, users),
  );
}

export interface GroupChanges {
  displayName?: string;
  externalId?: string | null;
  addMembers?: string[];
  removeMembers?: string[];
}

/**
 * Changes a group in one batch: its name, and members added and removed, with their licenses,
 * then the queue refilled. All of it or nothing.
 */
export const changeGroup = (db: D1Database, ctx: ChangeContext, groupId: string, changes: GroupChanges) =>
  withRetries(() => changeGroupOnce(db, ctx, groupId, changes));

/** Reads nothing before its batch: the guard finds the group and the members, or explains why not. */
async function changeGroupOnce(db: D1Database, ctx: ChangeContext, groupId: string, changes: GroupChanges): Promise<DirectoryChangeResult> {
  const joining = [...new Set(changes.addMembers ?? [])];
  const adding = JSON.stringify(joining);
  const removing = JSON.stringify([...new Set(changes.removeMembers ?? [])]);
  const batch = changeBatch(db, ctx);
  batch.run(groupAndUsersGuard(db, ctx.tenantId, groupId, adding));
  if (changes.displayName !== undefined || changes.externalId !== undefined) {
    const params = [groupId, changes.displayName ?? null, changes.externalId !== undefined ? 1 : 0, changes.externalId ?? null];
    batch.run(
      auditWhenAny(db, ctx, {
        action: "directory.group.update",
        principalsSql: `SELECT 'group', id FROM groups WHERE id = ?1
          AND ((?2 IS NOT NULL AND display_name IS NOT ?2) OR (?3 AND external_id IS NOT ?4))`,
        params,
        summary: (_, param) => `${groupNameSql(param(1))} || ' was updated by the directory'`,
      }),
      db
        .prepare(
          `UPDATE groups SET display_name = COALESCE(?2, display_name), external_id = CASE WHEN ?3 THEN ?4 ELSE external_id END WHERE id = ?1`,
        )
        .bind(...params),
    );
  }
  const added = joining.length > 0 ? membersAdded(batch, ctx, groupId, adding) : undefined;
  const removed = changes.removeMembers?.length ? membersRemoved(batch, ctx, groupId, removing) : undefined;
  const released = removed ? pathlessReleased(batch, ctx, removing) : undefined;
  const filled = removed ? addFill(batch, ctx, "tenant") : undefined;
  // Even a change of nothing runs its guard: an unknown group is 404.
  const committed = await commitFound(batch, ctx.tenantId, groupId, joining);
  return {
    changed: (added ? committed.get(added) : 0) + (removed ? committed.get(removed) : 0),
    releasedSeats: released ? committed.get(released) : 0,
    filledFromWaiting: filled ? committed.get(filled) : 0,
  } satisfies DirectoryChangeResult;
}

export const addMembers = (db: D1Database, ctx: ChangeContext, groupId: string, userIds: string[]) =>
  changeGroup(db, ctx, groupId, { addMembers: userIds });

export const removeMembers = (db: D1Database, ctx: ChangeContext, groupId: string, userIds: string[]) =>
  changeGroup(db, ctx, groupId, { removeMembers: userIds });

/** A new group as stored: what a directory's create answers. */
export interface CreatedGroup extends GroupRow {
  external_id: string | null;
  created_at: string;
}

/** A new group of the tenant with its members (a directory's create), audited; it is assigned to nothing yet. */
export async function createGroup(
  db: D1Database,
  ctx: ChangeContext,
  group: { displayName: string; externalId: string | null; members: string[] },
): Promise<CreatedGroup> {
  const joining = [...new Set(group.members)];
  const members = JSON.stringify(joining);
  const id = `grp_${newId()}`;
  const batch = changeBatch(db, ctx);
  batch.run(
    groupAndUsersGuard(db, ctx.tenantId, null, members),
    db
      .prepare(`INSERT INTO groups (id, tenant_id, display_name, created_at, external_id) VALUES (?1, ?2, ?3, ?4, ?5)`)
      .bind(id, ctx.tenantId, group.displayName, ctx.now, group.externalId),
    auditWhenAny(db, ctx, {
      action: "directory.group.create",
      principalsSql: `SELECT 'group', ?1`,
      params: [id],
      summary: `${group.displayName} was created by the directory`,
    }),
  );
  if (joining.length > 0) membersAdded(batch, ctx, id, members);
  await commitFound(batch, ctx.tenantId, null, joining);
  return { id, display_name: group.displayName, external_id: group.externalId, created_at: ctx.now };
}

/** Licenses of the members of group ?2 that no path but that group holds (JSON ?3 names it). */
const heldOnlyThrough = `FROM licenses l WHERE l.tenant_id = ?1 AND l.user_id IN (SELECT user_id FROM group_members WHERE group_id = ?2)
  AND NOT ${hasDirectPath("l.subscription_id", "l.user_id")} AND NOT ${hasGroupPath("l.subscription_id", "l.user_id", "?3")}`;

/** R7: a deleted group's assignments and memberships go; seats no other path holds are released and refilled. */
export async function deleteGroup(db: D1Database, ctx: ChangeContext, group: GroupRow): Promise<DirectoryChangeResult> {
  const only = JSON.stringify([group.id]);
  const batch = changeBatch(db, ctx);
  batch.run(
    auditWhenAny(db, ctx, {
      action: "directory.group.delete",
      principalsSql: `SELECT 'group', ?1`,
      params: [group.id],
      summary: `${group.display_name} was deleted by the directory; its seats were released`,
    }),
  );
  // Released while the memberships still say whose they were; then the group's paths go.
  const released = countOf(
    batch,
    db.prepare(`SELECT COUNT(*) AS n ${heldOnlyThrough} AND l.state = 'active'`).bind(ctx.tenantId, group.id, only),
  );
  batch.run(
    db.prepare(`DELETE FROM licenses WHERE seq IN (SELECT l.seq ${heldOnlyThrough})`).bind(ctx.tenantId, group.id, only),
    db.prepare(`DELETE FROM assignments WHERE principal_type = 'group' AND principal_id = ?1`).bind(group.id),
    db.prepare(`DELETE FROM group_members WHERE group_id = ?1`).bind(group.id),
    db.prepare(`DELETE FROM groups WHERE id = ?1`).bind(group.id),
  );
  const filled = addFill(batch, ctx, "tenant");
  const committed = await batch.commit();
  return { changed: 1, releasedSeats: committed.get(released), filledFromWaiting: committed.get(filled) };
}
