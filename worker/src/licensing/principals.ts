/** Principals (users and groups) of a tenant as the API shows them, and the check that they exist. */
import type { Principal, PrincipalView } from "@appseats/shared";
import { notFound } from "../errors.js";
import { Batch, Committed, type Slot } from "./batch.js";
import { type SubscriptionRow, subscriptionFrom, subscriptionStatement } from "./subscriptions.js";

export interface UserRow {
  id: string;
  user_principal_name: string;
  display_name: string;
  mail: string | null;
  account_enabled: number;
}

export interface GroupRow {
  id: string;
  display_name: string;
  mail: string | null;
  member_count: number;
}

export const userView = (row: UserRow): PrincipalView => ({
  type: "user",
  id: row.id,
  displayName: row.display_name,
  userPrincipalName: row.user_principal_name,
  ...(row.mail ? { mail: row.mail } : {}),
});

export const groupView = (row: GroupRow): PrincipalView => ({
  type: "group",
  id: row.id,
  displayName: row.display_name,
  ...(row.mail ? { mail: row.mail } : {}),
  memberCount: row.member_count,
});

export const memberCountSql = (group: string) =>
  `(SELECT COUNT(*) FROM group_members gm JOIN users gu ON gu.id = gm.user_id AND gu.deleted_at IS NULL
     WHERE gm.group_id = ${group})`;

export const principalKey = (p: Principal) => `${p.type}:${p.id}`;

// What makes a principal one of the tenant's, written once: the lookup and the guard below must
// agree, or a change refused by the guard would find nothing missing when it reads again.
const userOfTenant = (user: string, tenant: string) => `${user}.tenant_id = ${tenant} AND ${user}.deleted_at IS NULL`;
const groupOfTenant = (group: string, tenant: string) => `${group}.tenant_id = ${tenant}`;

export interface ResolvedPrincipals {
  /** In request order, each principal once. */
  views: PrincipalView[];
  userIds: string[];
  groupIds: string[];
}

/** Principals being looked up in a batch: the requested ones, and how to read them once it ran. */
export interface PrincipalLookup {
  /** The requested principals, each once, in request order; and their ids by kind. */
  unique: Principal[];
  userIds: string[];
  groupIds: string[];
  /** The principals found; throws NotFound naming those that are not in the tenant. */
  read(committed: Committed): ResolvedPrincipals;
}

type PrincipalRow = (UserRow & { type: "user" }) | (GroupRow & { type: "group" });

/**
 * Adds to a batch the look-up of every principal in the caller's tenant (no statement for a kind
 * not requested). One that does not exist there (another tenant's included, R11) makes the whole
 * request 404, naming the ids that were not found.
 */
export function lookUpPrincipals(batch: Batch, tenantId: string, principals: Principal[]): PrincipalLookup {
  const unique = [...new Map(principals.map((p) => [principalKey(p), p])).values()];
  const userIds = unique.filter((p) => p.type === "user").map((p) => p.id);
  const groupIds = unique.filter((p) => p.type === "group").map((p) => p.id);
  const slots: Slot<PrincipalRow[]>[] = [];
  if (userIds.length > 0) {
    slots.push(
      batch.rows(
        batch.db
          // Driven by the requested ids (CROSS JOIN fixes the order): the tenant's index would scan every user.
          .prepare(
            `SELECT 'user' AS type, u.id, u.user_principal_name, u.display_name, u.mail, u.account_enabled
               FROM json_each(?2) j CROSS JOIN users u ON u.id = j.value
              WHERE ${userOfTenant("u", "?1")}`,
          )
          .bind(tenantId, JSON.stringify(userIds)),
      ),
    );
  }
  if (groupIds.length > 0) {
    slots.push(
      batch.rows(
        batch.db
          .prepare(
            `SELECT 'group' AS type, g.id, g.display_name, g.mail, ${memberCountSql("g.id")} AS member_count
               FROM json_each(?2) j CROSS JOIN groups g ON g.id = j.value
              WHERE ${groupOfTenant("g", "?1")}`,
          )
          .bind(tenantId, JSON.stringify(groupIds)),
      ),
    );
  }
  return {
    unique,
    userIds,
    groupIds,
    read(committed) {
      const found = new Map<string, PrincipalView>();
      for (const row of slots.flatMap((slot) => committed.get(slot))) {
        found.set(`${row.type}:${row.id}`, row.type === "user" ? userView(row) : groupView(row));
      }
      const missing = unique.filter((p) => !found.has(principalKey(p)));
      if (missing.length > 0) {
        throw notFound(missing.length === 1 ? `The ${missing[0]!.type} ${missing[0]!.id}` : `${missing.length} of the principals`, {
          missing: missing.map(({ type, id }) => ({ type, id })),
        });
      }
      return { views: unique.map((p) => found.get(principalKey(p))!), userIds, groupIds };
    },
  };
}

export async function resolvePrincipals(db: D1Database, tenantId: string, principals: Principal[]): Promise<ResolvedPrincipals> {
  const batch = new Batch(db);
  const lookup = lookUpPrincipals(batch, tenantId, principals);
  return lookup.read(batch.size > 0 ? await batch.commit() : new Committed([]));
}

/**
 * The subscription and the principals of a change, looked up in one round trip. An unknown
 * subscription is reported before unknown principals.
 */
export async function subscriptionAndPrincipals(
  db: D1Database,
  tenantId: string,
  subscriptionId: string,
  principals: Principal[],
): Promise<[SubscriptionRow, ResolvedPrincipals]> {
  const batch = new Batch(db);
  const subscription = batch.first<SubscriptionRow>(subscriptionStatement(db, tenantId, subscriptionId));
  const lookup = lookUpPrincipals(batch, tenantId, principals);
  const committed = await batch.commit();
  return [subscriptionFrom(committed.get(subscription)), lookup.read(committed)];
}

/** True when every user of a JSON array of ids (an SQL expression) is one of the tenant's, not deleted. */
export const usersExistSql = (tenant: string, usersJson: string) =>
  `NOT EXISTS (SELECT 1 FROM json_each(${usersJson}) j
    WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = j.value AND ${userOfTenant("u", tenant)}))`;

/**
 * For a change that reads nothing before its batch: true when the subscription and every
 * requested user and group (JSON arrays of ids, left out when none are requested) exist in the
 * tenant (R11). Each argument is an SQL expression. When a guard finds it false,
 * `subscriptionAndPrincipals` tells which did not.
 */
export const existInTenantSql = (tenant: string, subscription: string, principals: { usersJson?: string; groupsJson?: string }) =>
  [
    `EXISTS (SELECT 1 FROM subscriptions WHERE id = ${subscription} AND tenant_id = ${tenant})`,
    ...(principals.usersJson ? [usersExistSql(tenant, principals.usersJson)] : []),
    ...(principals.groupsJson
      ? [
          `NOT EXISTS (SELECT 1 FROM json_each(${principals.groupsJson}) j
           WHERE NOT EXISTS (SELECT 1 FROM groups g WHERE g.id = j.value AND ${groupOfTenant("g", tenant)}))`,
        ]
      : []),
  ].join(" AND ");
