/**
 * Unassigning users and groups, in the tenant store, as one transaction (R22). R6: a user loses
 * the direct path only — one who still has a group keeps the seat, and one whose only paths are
 * groups cannot be unassigned (409 InheritedLicense names them). R7: a group's path goes from every
 * member; seats no path holds any more are released, and R5 refills them in the same transaction.
 * R14: dryRun answers exactly what would be done, and changes nothing.
 */
import type { GroupRef, Principal, UnassignResult } from "@appseats/shared";
import { AppSeatsError } from "../errors.js";
import { principalViews } from "./assign.js";
import {
  audit,
  fillWaiting,
  indexSubscription,
  inTransaction,
  noPathHolds,
  type StoreChange,
  seatsNow,
  subscriptionOf,
} from "./changes.js";
import { because } from "./events.js";
import { all, text } from "./rows.js";

/** The assigned groups (other than `except`, a JSON array) through which each of `users` (JSON) holds the subscription. */
function groupPaths(sql: SqlStorage, subscriptionId: string, users: string, except: string): Map<string, GroupRef[]> {
  const paths = new Map<string, GroupRef[]>();
  for (const row of all(
    sql,
    { user_id: text, id: text, display_name: text },
    `SELECT m.user_id, g.id, g.display_name FROM group_members m
         JOIN assignments a ON a.subscription_id = ?1 AND a.principal_type = 'group' AND a.principal_id = m.group_id
         JOIN groups g ON g.id = m.group_id
        WHERE m.user_id IN (SELECT value FROM json_each(?2)) AND m.group_id NOT IN (SELECT value FROM json_each(?3))
        ORDER BY g.display_name COLLATE NOCASE, g.id`,
    subscriptionId,
    users,
    except,
  )) {
    paths.set(row.user_id, [...(paths.get(row.user_id) ?? []), { id: row.id, displayName: row.display_name }]);
  }
  return paths;
}

export function unassign(
  storage: DurableObjectStorage,
  change: StoreChange,
  request: { subscriptionId: string; appName: string; principals: Principal[]; dryRun?: boolean | undefined },
): UnassignResult {
  const sql = storage.sql;
  return inTransaction(storage, request.dryRun === true, () => {
    const subscription = subscriptionOf(sql, request.subscriptionId);
    const views = principalViews(sql, request.principals);
    const userIds = views.filter((v) => v.type === "user").map((v) => v.id);
    const users = JSON.stringify(userIds);
    const groups = JSON.stringify(views.filter((v) => v.type === "group").map((v) => v.id));
    const assigned = new Set(
      all(
        sql,
        { key: text },
        `SELECT principal_type || ':' || principal_id AS key FROM assignments WHERE subscription_id = ?1
             AND principal_id IN (SELECT json_extract(value, '$.id') FROM json_each(?2))`,
        subscription.id,
        JSON.stringify(views.map(({ type, id }) => ({ type, id }))),
      ).map((row) => row.key),
    );
    // R6: a user named who holds the license only through groups (not unassigned here) cannot be unassigned.
    const remaining = groupPaths(sql, subscription.id, users, groups);
    const inherited = userIds.filter((id) => !assigned.has(`user:${id}`) && remaining.has(id));
    if (inherited.length > 0) {
      const names = [...new Set(inherited.flatMap((id) => remaining.get(id)!.map((g) => g.displayName)))];
      throw new AppSeatsError(
        "InheritedLicense",
        `${inherited.length === 1 ? "This user holds" : "These users hold"} the license through ${names.join(", ")}: unassign the group, or remove the user from it.`,
        { users: inherited.map((id) => ({ id, viaGroups: remaining.get(id)! })) },
      );
    }
    const unassigned = views.filter((v) => assigned.has(`${v.type}:${v.id}`));
    const before = seatsNow(sql, subscription);
    sql.exec(
      `DELETE FROM assignments WHERE subscription_id = ?1
         AND principal_type || ':' || principal_id IN (SELECT value FROM json_each(?2))`,
      subscription.id,
      JSON.stringify(unassigned.map((v) => `${v.type}:${v.id}`)),
    );
    // Seats no path holds any more: of the users named and of the groups' members.
    because(sql, { reason: "unassigned" }, () =>
      sql.exec(
        `DELETE FROM licenses WHERE subscription_id = ?1
           AND (user_id IN (SELECT value FROM json_each(?2))
                OR user_id IN (SELECT user_id FROM group_members WHERE group_id IN (SELECT value FROM json_each(?3))))
           AND ${noPathHolds}`,
        subscription.id,
        users,
        groups,
      ),
    );
    // Counted, not returned row by row: a 50,000-member group's seats are one number here.
    const releasedSeats = before.assigned - seatsNow(sql, subscription).assigned;
    if (unassigned.length > 0) {
      audit(sql, change, {
        action: "license.unassign",
        subscriptionId: subscription.id,
        principals: unassigned,
        summary: `Unassigned ${request.appName} from ${unassigned.length} user(s) or group(s)`,
      });
    }
    const filled = fillWaiting(sql, change, subscription);
    const seats = seatsNow(sql, subscription);
    if (seats.assigned !== before.assigned || seats.waiting !== before.waiting) indexSubscription(sql, subscription, seats, change.now);
    const stillThrough = groupPaths(sql, subscription.id, users, "[]");
    return {
      unassigned,
      notAssigned: views.filter((v) => !assigned.has(`${v.type}:${v.id}`)),
      stillLicensed: userIds
        .filter((id) => assigned.has(`user:${id}`) && stillThrough.has(id))
        .map((id) => ({ userId: id, viaGroups: stillThrough.get(id)! })),
      releasedSeats,
      filledFromWaiting: filled,
      seats,
      dryRun: request.dryRun === true,
    };
  });
}
