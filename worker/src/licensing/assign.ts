/**
 * Assigning a subscription to users and groups.
 * R3: users assigned directly get seats all-or-nothing. R4: a group is never refused for lack
 * of seats; members get seats while they last and the rest wait, in order. R1: one row per
 * user whatever the paths. R8: only a usable subscription gives seats. R14: dryRun changes nothing.
 */
import { type AssignResult, isUsable, type Principal } from "@appseats/shared";
import { AppSeatsError } from "../errors.js";
import { auditWhenAny, eventAppNameSql } from "./audit.js";
import { Batch, type Committed, countOf, GuardFailed, guard, runBatch, type Slot, StateChanged, statesOf, withRetries } from "./batch.js";
import { type ChangeContext, newId } from "./context.js";
import { existInTenantSql, lookUpPrincipals, principalKey, subscriptionAndPrincipals } from "./principals.js";
import { isUsableSql, liveMembersOf, openSeats } from "./sql.js";
import { type SeatCounts, type SubscriptionRow, seatCounts, seatCountsStatement, seatsFrom } from "./subscriptions.js";

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

/**
 * One round trip: the principals are read for the answer inside the change's own batch, and
 * guards at its head stop it, before anything is written, when the caller no longer may (see
 * ChangeContext.callerCheck), the subscription or a principal is not in the caller's tenant (R11),
 * the subscription is not usable (R8) or seats are short (R3). Only then is the state read
 * again, to say which.
 */
export async function assign(
  db: D1Database,
  ctx: ChangeContext,
  subscriptionId: string,
  request: { principals: Principal[]; dryRun?: boolean | undefined },
): Promise<AssignResult> {
  if (request.dryRun) {
    // A preview reads before it could check its caller in a batch: the check goes first, alone.
    if (ctx.callerCheck) await runBatch(db, [guard(db, [ctx.callerCheck])]);
    const [subscription, resolved] = await subscriptionAndPrincipals(db, ctx.tenantId, subscriptionId, request.principals);
    if (!isUsable(subscription.status)) throw notUsable(subscription);
    return preview(db, subscription, resolved.views, JSON.stringify(resolved.userIds), JSON.stringify(resolved.groupIds));
  }

  return withRetries(() => assignOnce(db, ctx, subscriptionId, request.principals));
}

async function assignOnce(db: D1Database, ctx: ChangeContext, subscriptionId: string, requested: Principal[]): Promise<AssignResult> {
  const batch = new Batch(db);
  const lookup = lookUpPrincipals(batch, ctx.tenantId, requested);
  const users = JSON.stringify(lookup.userIds);
  const groups = JSON.stringify(lookup.groupIds);
  const principals = JSON.stringify(lookup.unique);
  const eventId = newId();
  const hasUsers = lookup.userIds.length > 0;
  const hasGroups = lookup.groupIds.length > 0;
  // Only the statements the request needs: each one is compiled and run by the database.
  batch.run(
    guard(
      db,
      [
        ...(ctx.callerCheck ? [ctx.callerCheck] : []),
        {
          code: "NotFound",
          ok: existInTenantSql("?4", "?1", { ...(hasUsers && { usersJson: "?2" }), ...(hasGroups && { groupsJson: "?3" }) }),
        },
        { code: "SubscriptionNotUsable", ok: isUsableSql("?1") },
        ...(hasUsers
          ? [{ code: "NotEnoughLicenses" as const, ok: `(SELECT COUNT(*) FROM (${usersNeedingSeat})) <= ${openSeats("?1")}` }]
          : []),
      ],
      subscriptionId,
      users,
      groups,
      ctx.tenantId,
    ),
    auditWhenAny(db, ctx, {
      action: "license.assign",
      subscriptionId,
      principalsSql: notYetAssigned,
      params: [subscriptionId, principals],
      summary: (count) => `'Assigned ' || ${eventAppNameSql} || ' to ' || ${count} || ' user(s) or group(s)'`,
    }),
  );
  const inserted = batch.rows<Principal>(
    db
      .prepare(
        `INSERT INTO assignments (subscription_id, principal_type, principal_id, tenant_id, assigned_at, assigned_by)
         SELECT ?1, json_extract(value, '$.type'), json_extract(value, '$.id'), ?3, ?4, ?5 FROM json_each(?2) WHERE true
         ON CONFLICT DO NOTHING RETURNING principal_type AS type, principal_id AS id`,
      )
      .bind(subscriptionId, principals, ctx.tenantId, ctx.now, ctx.actor.id),
  );
  // Direct users: a missing row is created active, a waiting one becomes active.
  const direct = hasUsers
    ? batch.rows<{ state: string }>(
        db
          .prepare(
            `INSERT INTO licenses (subscription_id, user_id, tenant_id, state, since, event_id)
             SELECT ?1, u.id, ?3, 'active', ?4, ?5 FROM json_each(?2) j JOIN users u ON u.id = j.value AND u.deleted_at IS NULL WHERE true
             ON CONFLICT (subscription_id, user_id) DO UPDATE SET state = 'active', since = excluded.since, event_id = excluded.event_id
                WHERE licenses.state = 'waiting'
             RETURNING state`,
          )
          .bind(subscriptionId, users, ctx.tenantId, ctx.now, eventId),
      )
    : undefined;
  // Group members: seats while they last, in membership order; the rest wait behind the queue.
  // Their states are counted, not returned: a group may bring tens of thousands of rows.
  let counted: Slot<Partial<Record<"active" | "waiting", number>>> | undefined;
  if (hasGroups) {
    batch.run(
      db
        .prepare(
          `INSERT INTO licenses (subscription_id, user_id, tenant_id, state, since, event_id)
           SELECT ?1, c.user_id, ?4, CASE WHEN ROW_NUMBER() OVER (ORDER BY c.first_added, c.user_id) <= ${openSeats("?1")}
                                        THEN 'active' ELSE 'waiting' END, ?5, ?6
             FROM (${groupMembersToLicense}) c ORDER BY c.first_added, c.user_id`,
        )
        .bind(subscriptionId, groups, users, ctx.tenantId, ctx.now, eventId),
    );
    counted = statesOf(batch, db.prepare(`SELECT state, COUNT(*) AS n FROM licenses WHERE event_id = ?1 GROUP BY state`).bind(eventId));
  }
  const counts = batch.first<SeatCounts>(seatCountsStatement(db, subscriptionId));
  let committed: Committed;
  try {
    committed = await batch.commit();
  } catch (error) {
    if (!(error instanceof GuardFailed) || error.code === "CallerChanged") throw error;
    await explainRefusal(db, ctx.tenantId, subscriptionId, requested, error);
    // Nothing refuses any more: the state changed between the batch and the reading.
    throw new StateChanged();
  }
  const views = lookup.read(committed).views;
  const assignedNow = new Set(committed.get(inserted).map(principalKey));
  // With groups, one count covers every license of this change; otherwise the direct rows are all of them.
  const byState = counted ? committed.get(counted) : { active: direct ? committed.get(direct).length : 0 };
  return {
    assigned: views.filter((v) => assignedNow.has(principalKey(v))),
    alreadyAssigned: views.filter((v) => !assignedNow.has(principalKey(v))),
    newlyLicensedUsers: byState.active ?? 0,
    newlyWaitingUsers: byState.waiting ?? 0,
    seats: seatsFrom(committed.get(counts)),
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
  const batch = new Batch(db);
  const pending = batch.rows<Principal>(db.prepare(notYetAssigned).bind(subscription.id, principals));
  const needing = countOf(batch, db.prepare(`SELECT COUNT(*) AS n FROM (${usersNeedingSeat})`).bind(subscription.id, users));
  const members = countOf(batch, db.prepare(`SELECT COUNT(*) AS n FROM (${groupMembersToLicense})`).bind(subscription.id, groups, users));
  const counts = batch.first<SeatCounts>(seatCountsStatement(db, subscription.id));
  const committed = await batch.commit();
  const notAssigned = new Set(committed.get(pending).map(principalKey));
  const needed = committed.get(needing);
  const candidates = committed.get(members);
  const before = committed.get(counts)!;
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

/** A guard stopped the batch: reads the state as it is now and throws the rule that refuses, with its figures. */
async function explainRefusal(db: D1Database, tenantId: string, subscriptionId: string, principals: Principal[], stop: GuardFailed) {
  // Throws NotFound naming the subscription, or the principals, that are not in the tenant.
  const [subscription, resolved] = await subscriptionAndPrincipals(db, tenantId, subscriptionId, principals);
  if (!isUsable(subscription.status)) throw notUsable(subscription);
  if (stop.code === "NotEnoughLicenses") {
    const [needing, counts] = await Promise.all([
      db
        .prepare(`SELECT COUNT(*) AS n FROM (${usersNeedingSeat})`)
        .bind(subscription.id, JSON.stringify(resolved.userIds))
        .first<{ n: number }>(),
      seatCounts(db, subscription.id),
    ]);
    const needed = needing?.n ?? 0;
    const { available } = seatsFrom(counts);
    if (needed > available) throw notEnough(needed, available);
  }
}
