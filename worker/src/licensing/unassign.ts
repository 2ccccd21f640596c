/**
 * Unassigning users and groups.
 * R6: unassigning a user removes the direct path only; a user licensed only through groups
 * cannot be unassigned directly. R7: unassigning a group removes that path from every member.
 * Seats no path holds any more are released and refilled from the waiting queue (R5).
 */
import { type GroupRef, isUsable, type Principal, type UnassignResult } from "@appseats/shared";
import { AppSeatsError } from "../errors.js";
import { auditWhenAny, eventAppNameSql } from "./audit.js";
import { Batch, type Committed, GuardFailed, guard, StateChanged, statesOf, withRetries } from "./batch.js";
import type { ChangeContext } from "./context.js";
import { addFill } from "./fill.js";
import { principalKey, subscriptionAndPrincipals } from "./principals.js";
import { hasDirectPath, hasGroupPath } from "./sql.js";
import { type SeatCounts, seatCountsStatement, seatsFrom } from "./subscriptions.js";

/**
 * Licenses (of subscription ?1) that no path holds once the requested users (JSON ?2) and
 * groups (JSON ?3) are unassigned. The same predicate serves the preview and the change.
 */
const releasable = `FROM licenses l WHERE l.subscription_id = ?1
  AND l.user_id IN (SELECT value FROM json_each(?2)
                    UNION SELECT user_id FROM group_members WHERE group_id IN (SELECT value FROM json_each(?3)))
  AND NOT ${hasDirectPath("?1", "l.user_id", "?2")}
  AND NOT ${hasGroupPath("?1", "l.user_id", "?3")}`;

/** Requested principals (JSON ?2 of {type, id}) that are assigned now. */
const currentlyAssigned = `SELECT a.principal_type AS type, a.principal_id AS id FROM json_each(?2) j
  JOIN assignments a ON a.subscription_id = ?1 AND a.principal_type = json_extract(j.value, '$.type')
   AND a.principal_id = json_extract(j.value, '$.id')`;

/** Groups still assigned (other than the requested ones, JSON ?3) through which requested users (JSON ?2) hold a license. */
const remainingGroupPaths = `SELECT via.user_id, g.id, g.display_name FROM json_each(?2) j
  JOIN group_members via ON via.user_id = j.value
  JOIN assignments ga ON ga.subscription_id = ?1 AND ga.principal_type = 'group' AND ga.principal_id = via.group_id
  JOIN groups g ON g.id = via.group_id
  WHERE via.group_id NOT IN (SELECT value FROM json_each(?3)) ORDER BY g.display_name`;

export async function unassign(
  db: D1Database,
  ctx: ChangeContext,
  subscriptionId: string,
  request: { principals: Principal[]; dryRun?: boolean | undefined },
): Promise<UnassignResult> {
  return withRetries(() => unassignOnce(db, ctx, subscriptionId, request));
}

async function unassignOnce(
  db: D1Database,
  ctx: ChangeContext,
  subscriptionId: string,
  request: { principals: Principal[]; dryRun?: boolean | undefined },
): Promise<UnassignResult> {
  const [subscription, resolved] = await subscriptionAndPrincipals(db, ctx.tenantId, subscriptionId, request.principals);
  const principals = JSON.stringify(resolved.views.map(({ type, id }) => ({ type, id })));
  const users = JSON.stringify(resolved.userIds);
  const groups = JSON.stringify(resolved.groupIds);
  const countReleasable = () =>
    db.prepare(`SELECT l.state, COUNT(*) AS n ${releasable} GROUP BY l.state`).bind(subscription.id, users, groups);

  const reading = new Batch(db);
  const assignedNow = reading.rows<Principal>(db.prepare(currentlyAssigned).bind(subscription.id, principals));
  const groupPaths = reading.rows<GroupPathRow>(db.prepare(remainingGroupPaths).bind(subscription.id, users, groups));
  const releasing = statesOf(reading, countReleasable());
  const counts = reading.first<SeatCounts>(seatCountsStatement(db, subscription.id));
  const read = await reading.commit();
  const assigned = new Set(read.get(assignedNow).map(principalKey));
  const viaGroups = groupsByUser(read.get(groupPaths));
  const inherited = resolved.userIds.filter((id) => !assigned.has(`user:${id}`) && viaGroups.has(id));
  if (inherited.length > 0) throw inheritedLicense(inherited, viaGroups);

  const stillLicensed = resolved.userIds
    .filter((id) => assigned.has(`user:${id}`) && viaGroups.has(id))
    .map((userId) => ({ userId, viaGroups: viaGroups.get(userId)! }));
  const outcome = (releasedSeats: number, filledFromWaiting: number, after: SeatCounts | undefined, dryRun: boolean) => ({
    unassigned: resolved.views.filter((v) => assigned.has(principalKey(v))),
    notAssigned: resolved.views.filter((v) => !assigned.has(principalKey(v))),
    stillLicensed,
    releasedSeats,
    filledFromWaiting,
    seats: seatsFrom(after),
    dryRun,
  });

  if (request.dryRun) {
    const byState = read.get(releasing);
    const before = read.get(counts)!;
    const usable = isUsable(subscription.status);
    const assignedAfter = before.assigned - (byState.active ?? 0);
    const waitingAfter = before.waiting - (byState.waiting ?? 0);
    const filled = usable ? Math.min(waitingAfter, Math.max(0, before.purchased - assignedAfter)) : 0;
    return outcome(
      byState.active ?? 0,
      filled,
      {
        purchased: before.purchased,
        assigned: assignedAfter + filled,
        waiting: waitingAfter - filled,
      },
      true,
    );
  }

  const batch = new Batch(db);
  batch.run(
    // R6, checked again inside the batch in case a path changed since the read above.
    guard(
      db,
      [
        {
          code: "InheritedLicense",
          ok: `NOT EXISTS (SELECT 1 FROM json_each(?2) j WHERE NOT ${hasDirectPath("?1", "j.value")} AND ${hasGroupPath("?1", "j.value", "?3")})`,
        },
      ],
      subscription.id,
      users,
      groups,
    ),
    auditWhenAny(db, ctx, {
      action: "license.unassign",
      subscriptionId: subscription.id,
      principalsSql: currentlyAssigned,
      params: [subscription.id, principals],
      summary: (count) => `'Unassigned ' || ${eventAppNameSql} || ' from ' || ${count} || ' user(s) or group(s)'`,
    }),
  );
  const released = statesOf(batch, countReleasable());
  batch.run(
    db.prepare(`DELETE FROM licenses WHERE seq IN (SELECT l.seq ${releasable})`).bind(subscription.id, users, groups),
    db
      .prepare(
        `DELETE FROM assignments WHERE subscription_id = ?1 AND (principal_type, principal_id) IN
           (SELECT json_extract(value, '$.type'), json_extract(value, '$.id') FROM json_each(?2))`,
      )
      .bind(subscription.id, principals),
  );
  const filled = addFill(batch, ctx, { subscriptionId: subscription.id });
  const after = batch.first<SeatCounts>(seatCountsStatement(db, subscription.id));
  let committed: Committed;
  try {
    committed = await batch.commit();
  } catch (error) {
    // A path changed between the read and the batch: read again and answer by the state as it is now.
    if (error instanceof GuardFailed) throw new StateChanged();
    throw error;
  }
  return outcome(committed.get(released).active ?? 0, committed.get(filled), committed.get(after), false);
}

interface GroupPathRow {
  user_id: string;
  id: string;
  display_name: string;
}

function groupsByUser(rows: GroupPathRow[]): Map<string, GroupRef[]> {
  const map = new Map<string, GroupRef[]>();
  for (const row of rows) {
    const list = map.get(row.user_id) ?? [];
    if (!list.some((g) => g.id === row.id)) list.push({ id: row.id, displayName: row.display_name });
    map.set(row.user_id, list);
  }
  return map;
}

function inheritedLicense(userIds: string[], viaGroups: Map<string, GroupRef[]>) {
  const names = [...new Set(userIds.flatMap((id) => viaGroups.get(id)!.map((g) => g.displayName)))];
  return new AppSeatsError(
    "InheritedLicense",
    `${userIds.length === 1 ? "This user holds" : "These users hold"} the license through ${names.join(", ")}: unassign the group, or remove the user from it.`,
    { users: userIds.map((id) => ({ id, viaGroups: viaGroups.get(id)! })) },
  );
}
