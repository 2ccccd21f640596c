/**
 * Directory changes and what they do to licenses: a member joining an assigned group is
 * licensed (or waits); a member leaving, or a user deleted, releases seats no path holds any
 * more and the queue is refilled (R5). A disabled user keeps the seat and is flagged (R15).
 */
import type { DirectoryChangeResult } from "@appseats/shared";
import { notFound } from "../errors.js";
import { auditStatement, auditWhenAny } from "./audit.js";
import { Batch, countOf } from "./batch.js";
import { type ChangeContext, newId } from "./context.js";
import { addFill } from "./fill.js";
import { resolvePrincipals } from "./principals.js";
import { hasDirectPath, hasGroupPath, openSeats, sqlString } from "./sql.js";

async function groupOfTenant(db: D1Database, tenantId: string, groupId: string) {
  const group = await db
    .prepare(`SELECT id, display_name FROM groups WHERE id = ?1 AND tenant_id = ?2`)
    .bind(groupId, tenantId)
    .first<{ id: string; display_name: string }>();
  if (!group) throw notFound("The group");
  return group;
}

export async function addMembers(db: D1Database, ctx: ChangeContext, groupId: string, userIds: string[]): Promise<DirectoryChangeResult> {
  const group = await groupOfTenant(db, ctx.tenantId, groupId);
  const { userIds: users } = await resolvePrincipals(
    db,
    ctx.tenantId,
    userIds.map((id) => ({ type: "user" as const, id })),
  );
  const eventId = newId();
  const batch = new Batch(db);
  batch.run(
    auditWhenAny(db, ctx, {
      action: "directory.member.add",
      principalsSql: `SELECT 'user', j.value FROM json_each(?2) j
        WHERE NOT EXISTS (SELECT 1 FROM group_members m WHERE m.group_id = ?1 AND m.user_id = j.value)`,
      params: [group.id, JSON.stringify(users)],
      summary: (count) => `${count} || ' user(s) added to ' || ${sqlString(group.display_name)}`,
    }),
  );
  const added = batch.changes(
    db
      .prepare(
        `INSERT INTO group_members (group_id, user_id, tenant_id, added_at)
         SELECT ?1, value, ?3, ?4 FROM json_each(?2) WHERE true ON CONFLICT DO NOTHING`,
      )
      .bind(group.id, JSON.stringify(users), ctx.tenantId, ctx.now),
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
      .bind(group.id, JSON.stringify(users), ctx.tenantId, ctx.now, eventId),
  );
  const committed = await batch.commit();
  return { changed: committed.get(added), releasedSeats: 0, filledFromWaiting: 0 };
}

/** Releases, across the tenant, the licenses of the given users (JSON ?2) that no path holds. */
const pathless = `FROM licenses l WHERE l.tenant_id = ?1 AND l.user_id IN (SELECT value FROM json_each(?2))
  AND NOT ${hasDirectPath("l.subscription_id", "l.user_id")} AND NOT ${hasGroupPath("l.subscription_id", "l.user_id")}`;

export async function removeMembers(
  db: D1Database,
  ctx: ChangeContext,
  groupId: string,
  userIds: string[],
): Promise<DirectoryChangeResult> {
  const group = await groupOfTenant(db, ctx.tenantId, groupId);
  const users = JSON.stringify([...new Set(userIds)]);
  const batch = new Batch(db);
  batch.run(
    auditWhenAny(db, ctx, {
      action: "directory.member.remove",
      principalsSql: `SELECT 'user', m.user_id FROM group_members m WHERE m.group_id = ?1 AND m.user_id IN (SELECT value FROM json_each(?2))`,
      params: [group.id, users],
      summary: (count) => `${count} || ' user(s) removed from ' || ${sqlString(group.display_name)}`,
    }),
  );
  const removed = batch.changes(
    db.prepare(`DELETE FROM group_members WHERE group_id = ?1 AND user_id IN (SELECT value FROM json_each(?2))`).bind(group.id, users),
  );
  const released = countOf(batch, db.prepare(`SELECT COUNT(*) AS n ${pathless} AND l.state = 'active'`).bind(ctx.tenantId, users));
  batch.run(db.prepare(`DELETE FROM licenses WHERE seq IN (SELECT l.seq ${pathless})`).bind(ctx.tenantId, users));
  const filled = addFill(batch, ctx, "tenant");
  const committed = await batch.commit();
  return { changed: committed.get(removed), releasedSeats: committed.get(released), filledFromWaiting: committed.get(filled) };
}

export async function setAccountEnabled(
  db: D1Database,
  ctx: ChangeContext,
  userId: string,
  accountEnabled: boolean,
): Promise<DirectoryChangeResult> {
  const { views } = await resolvePrincipals(db, ctx.tenantId, [{ type: "user", id: userId }]);
  const batch = new Batch(db);
  const updated = batch.changes(
    db.prepare(`UPDATE users SET account_enabled = ?2 WHERE id = ?1 AND account_enabled <> ?2`).bind(userId, accountEnabled ? 1 : 0),
  );
  batch.run(
    auditStatement(db, ctx, {
      action: "directory.user.update",
      principals: [{ type: "user", id: userId }],
      summary: `${views[0]!.displayName}'s account was ${accountEnabled ? "enabled" : "disabled"}`,
    }),
  );
  const committed = await batch.commit();
  return { changed: committed.get(updated), releasedSeats: 0, filledFromWaiting: 0 };
}

/** R15: a deleted user releases every seat; the row stays (deleted) so the audit can name it. */
export async function deleteUser(db: D1Database, ctx: ChangeContext, userId: string): Promise<DirectoryChangeResult> {
  const { views } = await resolvePrincipals(db, ctx.tenantId, [{ type: "user", id: userId }]);
  const batch = new Batch(db);
  batch.run(
    auditStatement(db, ctx, {
      action: "directory.user.delete",
      principals: [{ type: "user", id: userId }],
      summary: `${views[0]!.displayName} was deleted; their seats were released`,
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
