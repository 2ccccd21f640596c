/**
 * Assigning a subscription to users and groups, in the tenant store: plain transactional code,
 * read, decide, write (R22). R3: users assigned directly get seats all or nothing. R4: a group is
 * never refused for lack of seats; its members get seats while they last and the rest wait, in
 * membership order. R1: one license row per user, whatever the paths. R8: only a usable
 * subscription gives seats. R14: dryRun answers exactly what would be done, and changes nothing.
 */
import { type AssignResult, isUsable, type Principal, type PrincipalView, type SubscriptionStatusName } from "@appseats/shared";
import { AppSeatsError, notFound } from "../errors.js";
import { audit, indexSubscription, inTransaction, type StoreChange, seatsNow, subscriptionOf } from "./changes.js";
import { because } from "./events.js";
import { memberCountSql } from "./reads.js";
import { all, integer, nullable, one, text } from "./rows.js";

/** The principals named, once each, in the order given, as views; 404 naming those not in the tenant (R11). */
export function principalViews(sql: SqlStorage, principals: Principal[]): PrincipalView[] {
  const unique = [...new Map(principals.map((p) => [`${p.type}:${p.id}`, p])).values()];
  const users = new Map(
    all(
      sql,
      { id: text, display_name: text, user_principal_name: text, mail: nullable(text) },
      `SELECT id, display_name, user_principal_name, mail FROM users
          WHERE deleted_at IS NULL AND id IN (SELECT value FROM json_each(?))`,
      JSON.stringify(unique.filter((p) => p.type === "user").map((p) => p.id)),
    ).map((row) => [row.id, row]),
  );
  const groups = new Map(
    all(
      sql,
      { id: text, display_name: text, mail: nullable(text), member_count: integer },
      `SELECT g.id, g.display_name, g.mail,
                ${memberCountSql("g.id")} AS member_count
           FROM groups g WHERE g.id IN (SELECT value FROM json_each(?))`,
      JSON.stringify(unique.filter((p) => p.type === "group").map((p) => p.id)),
    ).map((row) => [row.id, row]),
  );
  const missing = unique.filter((p) => !(p.type === "user" ? users : groups).has(p.id));
  if (missing.length > 0) {
    throw notFound(missing.length === 1 ? `The ${missing[0]!.type} ${missing[0]!.id}` : `${missing.length} of the principals`, {
      missing: missing.map(({ type, id }) => ({ type, id })),
    });
  }
  return unique.map((p): PrincipalView => {
    if (p.type === "user") {
      const user = users.get(p.id)!;
      return {
        type: "user",
        id: user.id,
        displayName: user.display_name,
        userPrincipalName: user.user_principal_name,
        ...(user.mail ? { mail: user.mail } : {}),
      };
    }
    const group = groups.get(p.id)!;
    return {
      type: "group",
      id: group.id,
      displayName: group.display_name,
      ...(group.mail ? { mail: group.mail } : {}),
      memberCount: group.member_count,
    };
  });
}

export const notEnoughLicenses = (needed: number, available: number) =>
  new AppSeatsError(
    "NotEnoughLicenses",
    `These users need ${needed} seat(s) but only ${available} are available. Unassign someone or ask the vendor for more.`,
    { needed, available },
  );

export const notUsable = (appName: string, status: SubscriptionStatusName) =>
  new AppSeatsError("SubscriptionNotUsable", `${appName} is ${status}: no seats can be given until the vendor makes it usable again.`, {
    status,
  });

export function assign(
  storage: DurableObjectStorage,
  change: StoreChange,
  request: { subscriptionId: string; appName: string; principals: Principal[]; dryRun?: boolean | undefined },
): AssignResult {
  const sql = storage.sql;
  return inTransaction(storage, request.dryRun === true, () => {
    const subscription = subscriptionOf(sql, request.subscriptionId);
    const views = principalViews(sql, request.principals);
    if (!isUsable(subscription.status)) throw notUsable(request.appName, subscription.status);
    const users = JSON.stringify(views.filter((v) => v.type === "user").map((v) => v.id));
    const groupIds = views.filter((v) => v.type === "group").map((v) => v.id);
    const groups = JSON.stringify(groupIds);
    const before = seatsNow(sql, subscription);

    // R3: every user named directly who holds no seat yet needs one, or nothing is done.
    const needing = all(
      sql,
      { id: text },
      `SELECT value AS id FROM json_each(?1)
          WHERE NOT EXISTS (SELECT 1 FROM licenses l WHERE l.subscription_id = ?2 AND l.user_id = value AND l.state = 'active')`,
      users,
      subscription.id,
    );
    if (needing.length > before.available) throw notEnoughLicenses(needing.length, before.available);

    const assignedNow = new Set(
      all(
        sql,
        { key: text },
        `INSERT INTO assignments (subscription_id, principal_type, principal_id, assigned_at, assigned_by)
           SELECT ?1, json_extract(value, '$.type'), json_extract(value, '$.id'), ?2, ?3 FROM json_each(?4) WHERE true
           ON CONFLICT DO NOTHING RETURNING principal_type || ':' || principal_id AS key`,
        subscription.id,
        change.now,
        change.actor.id,
        JSON.stringify(views.map(({ type, id }) => ({ type, id }))),
      ).map((row) => row.key),
    );
    // Users named directly: a seat each, a waiting one included (R1: the row is theirs already).
    because(sql, { via: "direct" }, () =>
      sql.exec(
        `INSERT INTO licenses (subscription_id, user_id, state, since) SELECT ?1, value, 'active', ?2 FROM json_each(?3) WHERE true
       ON CONFLICT (subscription_id, user_id) DO UPDATE SET state = 'active', since = excluded.since WHERE licenses.state = 'waiting'`,
        subscription.id,
        change.now,
        users,
      ),
    );
    // R4: the groups' members without a row, in membership order: seats while they last, then the
    // queue. One statement: the rows go from the memberships to the licenses without a trip
    // through this code, in membership order, so the queue's order is its insertion order. A user
    // in several of the groups joins once, at their first membership; with one group (the common
    // case, and a 50,000-member group's) no user can be twice, and the grouping's sort is skipped.
    const joining =
      groupIds.length === 1
        ? `SELECT m.user_id, m.added_at AS first_added FROM group_members m
             JOIN users u ON u.id = m.user_id AND u.deleted_at IS NULL
            WHERE m.group_id = ?1`
        : `SELECT m.user_id, MIN(m.added_at) AS first_added FROM group_members m
             JOIN users u ON u.id = m.user_id AND u.deleted_at IS NULL
            WHERE m.group_id IN (SELECT value FROM json_each(?1))`;
    const open = Math.max(0, before.available - needing.length);
    // changes() read inside: restoring the cause afterwards is a change of its own.
    const joined = because(sql, { via: "group" }, () => {
      sql.exec(
        `INSERT INTO licenses (subscription_id, user_id, state, since)
         SELECT ?2, user_id, CASE WHEN row_number() OVER (ORDER BY first_added, user_id) <= ?4 THEN 'active' ELSE 'waiting' END, ?5
           FROM (${joining}
                    AND NOT EXISTS (SELECT 1 FROM licenses l WHERE l.subscription_id = ?2 AND l.user_id = m.user_id)
                    AND m.user_id NOT IN (SELECT value FROM json_each(?3))
                  ${groupIds.length === 1 ? "" : "GROUP BY m.user_id"})
          ORDER BY first_added, user_id`,
        groupIds.length === 1 ? groupIds[0]! : groups,
        subscription.id,
        users,
        open,
        change.now,
      );
      return one(sql, { n: integer }, "SELECT changes() AS n").n;
    });
    const seated = Math.min(open, joined);
    const waiting = joined - seated;

    const assigned = views.filter((v) => assignedNow.has(`${v.type}:${v.id}`));
    if (assigned.length > 0) {
      audit(sql, change, {
        action: "license.assign",
        subscriptionId: subscription.id,
        principals: assigned,
        summary: `Assigned ${request.appName} to ${assigned.length} user(s) or group(s)`,
      });
    }
    const seats = seatsNow(sql, subscription);
    if (seats.assigned !== before.assigned || seats.waiting !== before.waiting) indexSubscription(sql, subscription, seats, change.now);
    return {
      assigned,
      alreadyAssigned: views.filter((v) => !assignedNow.has(`${v.type}:${v.id}`)),
      newlyLicensedUsers: needing.length + seated,
      newlyWaitingUsers: waiting,
      seats,
      dryRun: request.dryRun === true,
    };
  });
}
