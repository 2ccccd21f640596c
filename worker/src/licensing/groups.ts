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
import { Batch, countOf, type Slot } from "./batch.js";
import { type ChangeContext, newId } from "./context.js";
import { addFill } from "./fill.js";
import { resolvePrincipals } from "./principals.js";
import { hasDirectPath, hasGroupPath, openSeats, sqlString } from "./sql.js";

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

/** The requested users, each once, all of the tenant (404 naming those that are not). */
async function usersOfTenant(db: D1Database, tenantId: string, userIds: string[]): Promise<string[]> {
  if (userIds.length === 0) return [];
  return (
    await resolvePrincipals(
      db,
      tenantId,
      [...new Set(userIds)].map((id) => ({ type: "user" as const, id })),
    )
  ).userIds;
}

/** Adds members (JSON array of user ids) to a group in `batch`, with their licenses; the slot counts those added. */
function membersAdded(batch: Batch, ctx: ChangeContext, group: GroupRow, users: string): Slot<number> {
  const db = batch.db;
  batch.run(
    auditWhenAny(db, ctx, {
      action: "directory.member.add",
      principalsSql: `SELECT 'user', j.value FROM json_each(?2) j
        WHERE NOT EXISTS (SELECT 1 FROM group_members m WHERE m.group_id = ?1 AND m.user_id = j.value)`,
      params: [group.id, users],
      summary: (count) => `${count} || ' user(s) added to ' || ${sqlString(group.display_name)}`,
    }),
  );
  const added = batch.changes(
    db
      .prepare(
        `INSERT INTO group_members (group_id, user_id, tenant_id, added_at)
         SELECT ?1, value, ?3, ?4 FROM json_each(?2) WHERE true ON CONFLICT DO NOTHING`,
      )
      .bind(group.id, users, ctx.tenantId, ctx.now),
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
      .bind(group.id, users, ctx.tenantId, ctx.now, newId()),
  );
  return added;
}

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
function membersRemoved(batch: Batch, ctx: ChangeContext, group: GroupRow, users: string): Slot<number> {
  const db = batch.db;
  batch.run(
    auditWhenAny(db, ctx, {
      action: "directory.member.remove",
      principalsSql: `SELECT 'user', m.user_id FROM group_members m WHERE m.group_id = ?1 AND m.user_id IN (SELECT value FROM json_each(?2))`,
      params: [group.id, users],
      summary: (count) => `${count} || ' user(s) removed from ' || ${sqlString(group.display_name)}`,
    }),
  );
  return batch.changes(
    db.prepare(`DELETE FROM group_members WHERE group_id = ?1 AND user_id IN (SELECT value FROM json_each(?2))`).bind(group.id, users),
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
export async function changeGroup(db: D1Database, ctx: ChangeContext, groupId: string, changes: GroupChanges) {
  const group = await groupOfTenant(db, ctx.tenantId, groupId);
  const adding = JSON.stringify(await usersOfTenant(db, ctx.tenantId, changes.addMembers ?? []));
  const removing = JSON.stringify([...new Set(changes.removeMembers ?? [])]);
  const batch = new Batch(db);
  const renamed = changes.displayName !== undefined || changes.externalId !== undefined;
  if (renamed) {
    const name = changes.displayName ?? group.display_name;
    batch.run(
      auditWhenAny(db, ctx, {
        action: "directory.group.update",
        principalsSql: `SELECT 'group', id FROM groups WHERE id = ?1 AND (display_name IS NOT ?2 OR (?3 AND external_id IS NOT ?4))`,
        params: [group.id, name, changes.externalId !== undefined ? 1 : 0, changes.externalId ?? null],
        summary: () => sqlString(`${group.display_name} was updated by the directory`),
      }),
      db
        .prepare(`UPDATE groups SET display_name = ?2, external_id = CASE WHEN ?3 THEN ?4 ELSE external_id END WHERE id = ?1`)
        .bind(group.id, name, changes.externalId !== undefined ? 1 : 0, changes.externalId ?? null),
    );
  }
  const named = { ...group, display_name: changes.displayName ?? group.display_name };
  const added = changes.addMembers?.length ? membersAdded(batch, ctx, named, adding) : undefined;
  const removed = changes.removeMembers?.length ? membersRemoved(batch, ctx, named, removing) : undefined;
  const released = removed ? pathlessReleased(batch, ctx, removing) : undefined;
  const filled = removed ? addFill(batch, ctx, "tenant") : undefined;
  if (batch.size === 0) return { changed: 0, releasedSeats: 0, filledFromWaiting: 0 };
  const committed = await batch.commit();
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

/** A new group of the tenant with its members (a directory's create), audited; it is assigned to nothing yet. */
export async function createGroup(
  db: D1Database,
  ctx: ChangeContext,
  group: { displayName: string; externalId: string | null; members: string[] },
): Promise<string> {
  const members = JSON.stringify(await usersOfTenant(db, ctx.tenantId, group.members));
  const id = `grp_${newId()}`;
  const batch = new Batch(db);
  batch.run(
    db
      .prepare(`INSERT INTO groups (id, tenant_id, display_name, created_at, external_id) VALUES (?1, ?2, ?3, ?4, ?5)`)
      .bind(id, ctx.tenantId, group.displayName, ctx.now, group.externalId),
    auditWhenAny(db, ctx, {
      action: "directory.group.create",
      principalsSql: `SELECT 'group', ?1`,
      params: [id],
      summary: () => sqlString(`${group.displayName} was created by the directory`),
    }),
  );
  if (group.members.length > 0) membersAdded(batch, ctx, { id, display_name: group.displayName }, members);
  await batch.commit();
  return id;
}

/** Licenses of the members of group ?2 that no path but that group holds (JSON ?3 names it). */
const heldOnlyThrough = `FROM licenses l WHERE l.tenant_id = ?1 AND l.user_id IN (SELECT user_id FROM group_members WHERE group_id = ?2)
  AND NOT ${hasDirectPath("l.subscription_id", "l.user_id")} AND NOT ${hasGroupPath("l.subscription_id", "l.user_id", "?3")}`;

/** R7: a deleted group's assignments and memberships go; seats no other path holds are released and refilled. */
export async function deleteGroup(db: D1Database, ctx: ChangeContext, groupId: string): Promise<DirectoryChangeResult> {
  const group = await groupOfTenant(db, ctx.tenantId, groupId);
  const only = JSON.stringify([group.id]);
  const batch = new Batch(db);
  batch.run(
    auditWhenAny(db, ctx, {
      action: "directory.group.delete",
      principalsSql: `SELECT 'group', ?1`,
      params: [group.id],
      summary: () => sqlString(`${group.display_name} was deleted by the directory; its seats were released`),
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
