/**
 * Assigning a subscription to users and groups.
 * R3: users assigned directly get seats all-or-nothing. R4: a group is never refused for lack
 * of seats; members get seats while they last and the rest wait, in order. R1: one row per
 * user whatever the paths. R8: only a usable subscription gives seats. R14: dryRun changes nothing.
 */
import { type AssignResult, isUsable, type Principal } from "@appseats/shared";
import { AppSeatsError } from "../errors.js";
import { auditWhenAny } from "./audit.js";
import { countsByState, GuardFailed, guard, rowsOf, runBatch } from "./batch.js";
import { type ChangeContext, newId } from "./context.js";
import { principalKey, subscriptionAndPrincipals } from "./principals.js";
import { isUsableSql, liveMembersOf, openSeats, sqlString } from "./sql.js";
import { type SubscriptionRow, seatCounts, seatCountsStatement, seatsFrom } from "./subscriptions.js";

/** Requested users (JSON ?2) who hold no active seat yet: each needs one (R3). */
const usersNeedingSeat = `SELECT u.id FROM json_each(?2) j JOIN users u ON u.id = j.value AND u.deleted_at IS NULL
  WHERE NOT EXISTS (SELECT 1 FROM licenses l WHERE l.subscription_id = ?1 AND l.user_id = u.id AND l.state = 'active')`;

/** Members of requested groups (JSON ?2) with no license row and not among requested users (JSON ?3). */
const groupMembersToLicense = `SELECT c.user_id, c.first_added FROM (${liveMembersOf("?2")}) c
  WHERE NOT EXISTS (SELECT 1 FROM licenses l WHERE l.subscription_id = ?1 AND l.user_id = c.user_id)
    AND c.user_id NOT IN (SELECT value FROM json_each(?3))`;

/** Requested principals (JSON ?2 of {type, id}) not yet assigned. */
const notYetAssigned = `SELECT json_extract(j.value, '$.type') AS type, json_extract(j.value, '$.id') AS id FROM json_each(?2) j
  WHERE NOT EXISTS (SELECT 1 FROM assignments a WHERE a.subscription_id = ?1
    AND a.principal_type = json_extract(j.value, '$.type') AND a.principal_id = json_extract(j.value, '$.id'))`;

export async function assign(
  db: D1Database,
  ctx: ChangeContext,
  subscriptionId: string,
  request: { principals: Principal[]; dryRun?: boolean | undefined },
): Promise<AssignResult> {
  const [subscription, resolved] = await subscriptionAndPrincipals(db, ctx.tenantId, subscriptionId, request.principals);
  if (!isUsable(subscription.status)) throw notUsable(subscription);
  const principals = resolved.views.map(({ type, id }) => ({ type, id }));
  const users = JSON.stringify(resolved.userIds);
  const groups = JSON.stringify(resolved.groupIds);

  if (request.dryRun) return preview(db, subscription, resolved.views, users, groups);

  const eventId = newId();
  const hasUsers = resolved.userIds.length > 0;
  const hasGroups = resolved.groupIds.length > 0;
  // Only the statements the request needs: each one is compiled and run by the database.
  const statements: D1PreparedStatement[] = [];
  const add = (statement: D1PreparedStatement) => statements.push(statement) - 1;
  add(guard(db, "SubscriptionNotUsable", isUsableSql("?1"), subscription.id));
  if (hasUsers) add(guard(db, "NotEnoughLicenses", `(SELECT COUNT(*) FROM (${usersNeedingSeat})) <= ${openSeats("?1")}`, subscription.id, users));
  add(
    auditWhenAny(db, ctx, {
      action: "license.assign",
      subscriptionId: subscription.id,
      principalsSql: notYetAssigned,
      params: [subscription.id, JSON.stringify(principals)],
      summary: (count) => `'Assigned ' || ${sqlString(subscription.app_name)} || ' to ' || ${count} || ' user(s) or group(s)'`,
    }),
  );
  const assignedAt = add(
    db
      .prepare(
        `INSERT INTO assignments (subscription_id, principal_type, principal_id, tenant_id, assigned_at, assigned_by)
         SELECT ?1, type, id, ?3, ?4, ?5 FROM (${notYetAssigned}) WHERE true
         ON CONFLICT DO NOTHING RETURNING principal_type AS type, principal_id AS id`,
      )
      .bind(subscription.id, JSON.stringify(principals), ctx.tenantId, ctx.now, ctx.actor.id),
  );
  // Direct users: a waiting row becomes active, a missing one is created active.
  const directAt: number[] = [];
  if (hasUsers) {
    directAt.push(
      add(
        db
          .prepare(
            `UPDATE licenses SET state = 'active', since = ?3, event_id = ?4
              WHERE subscription_id = ?1 AND state = 'waiting' AND user_id IN (SELECT value FROM json_each(?2))
              RETURNING 'active' AS state`,
          )
          .bind(subscription.id, users, ctx.now, eventId),
      ),
      add(
        db
          .prepare(
            `INSERT INTO licenses (subscription_id, user_id, tenant_id, state, since, event_id)
             SELECT ?1, u.id, ?3, 'active', ?4, ?5 FROM json_each(?2) j JOIN users u ON u.id = j.value AND u.deleted_at IS NULL
              WHERE NOT EXISTS (SELECT 1 FROM licenses l WHERE l.subscription_id = ?1 AND l.user_id = u.id)
             RETURNING state`,
          )
          .bind(subscription.id, users, ctx.tenantId, ctx.now, eventId),
      ),
    );
  }
  // Group members: seats while they last, in membership order; the rest wait behind the queue.
  // Their states are counted, not returned: a group may bring tens of thousands of rows.
  let countedAt: number | undefined;
  if (hasGroups) {
    add(
      db
        .prepare(
          `INSERT INTO licenses (subscription_id, user_id, tenant_id, state, since, event_id)
           SELECT ?1, c.user_id, ?4, CASE WHEN ROW_NUMBER() OVER (ORDER BY c.first_added, c.user_id) <= ${openSeats("?1")}
                                        THEN 'active' ELSE 'waiting' END, ?5, ?6
             FROM (${groupMembersToLicense}) c ORDER BY c.first_added, c.user_id`,
        )
        .bind(subscription.id, groups, users, ctx.tenantId, ctx.now, eventId),
    );
    countedAt = add(db.prepare(`SELECT state, COUNT(*) AS n FROM licenses WHERE event_id = ?1 GROUP BY state`).bind(eventId));
  }
  const countsAt = add(seatCountsStatement(db, subscription.id));
  const results = await runBatch(db, statements).catch((error) => rethrow(error, db, subscription, users));
  const inserted = new Set(rowsOf<Principal>(results[assignedAt]).map(principalKey));
  // With groups, one count covers every license of this change; otherwise the direct rows are all of them.
  const byState =
    countedAt === undefined ? { active: directAt.reduce((sum, at) => sum + rowsOf(results[at]).length, 0) } : countsByState(results[countedAt]);
  return {
    assigned: resolved.views.filter((v) => inserted.has(principalKey(v))),
    alreadyAssigned: resolved.views.filter((v) => !inserted.has(principalKey(v))),
    newlyLicensedUsers: byState.active ?? 0,
    newlyWaitingUsers: byState.waiting ?? 0,
    seats: seatsFrom(rowsOf<{ purchased: number; assigned: number; waiting: number }>(results[countsAt])[0]),
    dryRun: false,
  };
}

/** R14: what the assignment would do, computed from the same SQL, with nothing written. */
async function preview(
  db: D1Database,
  subscription: SubscriptionRow,
  views: AssignResult["assigned"],
  users: string,
  groups: string,
): Promise<AssignResult> {
  const principals = JSON.stringify(views.map(({ type, id }) => ({ type, id })));
  const [pending, needing, members, counts] = await db.batch([
    db.prepare(notYetAssigned).bind(subscription.id, principals),
    db.prepare(`SELECT COUNT(*) AS n FROM (${usersNeedingSeat})`).bind(subscription.id, users),
    db.prepare(`SELECT COUNT(*) AS n FROM (${groupMembersToLicense})`).bind(subscription.id, groups, users),
    seatCountsStatement(db, subscription.id),
  ]);
  const notAssigned = new Set(rowsOf<Principal>(pending).map(principalKey));
  const needed = rowsOf<{ n: number }>(needing)[0]?.n ?? 0;
  const candidates = rowsOf<{ n: number }>(members)[0]?.n ?? 0;
  const before = rowsOf<{ purchased: number; assigned: number; waiting: number }>(counts)[0]!;
  const available = Math.max(0, before.purchased - before.assigned);
  if (needed > available) throw notEnough(needed, available);
  const fromGroups = Math.min(candidates, available - needed);
  return {
    assigned: views.filter((v) => notAssigned.has(principalKey(v))),
    alreadyAssigned: views.filter((v) => !notAssigned.has(principalKey(v))),
    newlyLicensedUsers: needed + fromGroups,
    newlyWaitingUsers: candidates - fromGroups,
    seats: seatsFrom({
      purchased: before.purchased,
      assigned: before.assigned + needed + fromGroups,
      waiting: before.waiting + candidates - fromGroups,
    }),
    dryRun: true,
  };
}

const notUsable = (subscription: Pick<SubscriptionRow, "status" | "app_name">) =>
  new AppSeatsError(
    "SubscriptionNotUsable",
    `${subscription.app_name} is ${subscription.status}: no seats can be given until the vendor makes it usable again.`,
    { status: subscription.status },
  );

const notEnough = (needed: number, available: number) =>
  new AppSeatsError(
    "NotEnoughLicenses",
    `These users need ${needed} seat(s) but only ${available} are available. Unassign someone or ask the vendor for more.`,
    { needed, available },
  );

/** A guard stopped the batch: answer with the rule and the figures as they are now. */
async function rethrow(error: unknown, db: D1Database, subscription: SubscriptionRow, users: string): Promise<never> {
  if (!(error instanceof GuardFailed)) throw error;
  if (error.code === "NotEnoughLicenses") {
    const [needing, counts] = await Promise.all([
      db.prepare(`SELECT COUNT(*) AS n FROM (${usersNeedingSeat})`).bind(subscription.id, users).first<{ n: number }>(),
      seatCounts(db, subscription.id),
    ]);
    throw notEnough(needing?.n ?? 0, seatsFrom(counts).available);
  }
  const current = await db.prepare(`SELECT status FROM subscriptions WHERE id = ?1`).bind(subscription.id).first<SubscriptionRow>();
  throw notUsable({ ...subscription, status: current?.status ?? subscription.status });
}
