/** Who holds a license and how: per license (the users list and its CSV) and per user. */
import {
  type GroupRef,
  idleDays,
  type LicensedUser,
  type LicenseState,
  type ReclaimList,
  type ReclaimReason,
  type UserLicenses,
} from "@appseats/shared";
import { notFound } from "../errors.js";
import { decodeCursor, pageOf } from "./cursor.js";
import { containsText, hasDirectPath } from "./sql.js";
import { subscriptionOfTenant } from "./subscriptions.js";

/** The groups (JSON array of {id, displayName}) through which the license row `l` is held. */
const viaGroupsSql = `(SELECT json_group_array(json_object('id', g.id, 'displayName', g.display_name)) FROM (
    SELECT g.id, g.display_name FROM group_members via
      JOIN assignments ga ON ga.subscription_id = l.subscription_id AND ga.principal_type = 'group' AND ga.principal_id = via.group_id
      JOIN groups g ON g.id = via.group_id
     WHERE via.user_id = l.user_id ORDER BY g.display_name) g)`;

interface HolderRow {
  seq: number;
  state: LicenseState;
  since: string;
  direct: number;
  via_groups: string;
  id: string;
  display_name: string;
  user_principal_name: string;
  account_enabled: number;
}

const holderOf = (row: HolderRow): LicensedUser => ({
  user: {
    id: row.id,
    displayName: row.display_name,
    userPrincipalName: row.user_principal_name,
    accountEnabled: row.account_enabled === 1,
  },
  state: row.state,
  direct: row.direct === 1,
  viaGroups: JSON.parse(row.via_groups) as GroupRef[],
  since: row.since,
});

export interface HolderQuery {
  limit: number;
  cursor?: string | undefined;
  state?: LicenseState | undefined;
  q?: string | undefined;
}

/** Active holders first, then the waiting queue in the order seats will be given. */
export async function licenseHolders(db: D1Database, tenantId: string, subscriptionId: string, query: HolderQuery) {
  const subscription = await subscriptionOfTenant(db, tenantId, subscriptionId);
  const after = decodeCursor<[string, number]>(query.cursor, 2);
  const { results } = await db
    .prepare(
      `SELECT l.seq, l.state, l.since, ${hasDirectPath("l.subscription_id", "l.user_id")} AS direct, ${viaGroupsSql} AS via_groups,
              u.id, u.display_name, u.user_principal_name, u.account_enabled
         FROM licenses l JOIN users u ON u.id = l.user_id
        WHERE l.subscription_id = ?1 AND (?2 IS NULL OR l.state = ?2)
          AND (?3 IS NULL OR ${containsText("u.display_name", "?3")} OR ${containsText("u.user_principal_name", "?3")})
          AND (?4 IS NULL OR (l.state, l.seq) > (?4, ?5))
        ORDER BY l.state, l.seq LIMIT ?6`,
    )
    .bind(subscription.id, query.state ?? null, query.q || null, after?.[0] ?? null, after?.[1] ?? null, query.limit + 1)
    .all<HolderRow>();
  return pageOf(results, query.limit, holderOf, (r) => [r.state, r.seq]);
}

interface CandidateRow extends HolderRow {
  reason: ReclaimReason;
  last_asked_at: string | null;
  rank: number;
  idle_from: string;
}

/**
 * Seats of a license that are likely wasted, each with its reason: the account is disabled (R15);
 * or the vendor has not asked about the user's usage rights for `idleDays` or more; or never
 * since the user got the seat, held that long. Disabled ones first, then the longest idle.
 */
export async function reclaimCandidates(
  db: D1Database,
  tenantId: string,
  subscriptionId: string,
  query: { limit: number; cursor?: string | undefined },
  now = new Date(),
): Promise<ReclaimList> {
  const subscription = await subscriptionOfTenant(db, tenantId, subscriptionId);
  const after = decodeCursor<[number, string, number]>(query.cursor, 3);
  const idleSince = new Date(now.getTime() - idleDays * 24 * 60 * 60 * 1000).toISOString();
  const { results } = await db
    .prepare(
      `SELECT * FROM (
         SELECT l.seq, l.state, l.since, ${hasDirectPath("l.subscription_id", "l.user_id")} AS direct, ${viaGroupsSql} AS via_groups,
                u.id, u.display_name, u.user_principal_name, u.account_enabled, c.last_asked_at,
                CASE WHEN u.account_enabled = 0 THEN 'disabled'
                     WHEN c.last_asked_at IS NULL OR c.last_asked_at < l.since THEN 'neverAsked'
                     ELSE 'notAskedLately' END AS reason,
                CASE WHEN u.account_enabled = 0 THEN 0 ELSE 1 END AS rank,
                COALESCE(MAX(c.last_asked_at, l.since), l.since) AS idle_from
           FROM licenses l JOIN users u ON u.id = l.user_id
           LEFT JOIN usage_checks c ON c.subscription_id = l.subscription_id AND c.user_id = l.user_id
          WHERE l.subscription_id = ?1 AND l.state = 'active')
        WHERE (account_enabled = 0 OR idle_from <= ?2)
          AND (?3 IS NULL OR (rank, idle_from, seq) > (?3, ?4, ?5))
        ORDER BY rank, idle_from, seq LIMIT ?6`,
    )
    .bind(subscription.id, idleSince, after?.[0] ?? null, after?.[1] ?? null, after?.[2] ?? null, query.limit + 1)
    .all<CandidateRow>();
  return pageOf(
    results,
    query.limit,
    (row) => ({ ...holderOf(row), reason: row.reason, lastAskedAt: row.last_asked_at }),
    (row) => [row.rank, row.idle_from, row.seq],
  );
}

export async function userLicenses(db: D1Database, tenantId: string, userId: string): Promise<UserLicenses> {
  const user = await db
    .prepare(
      `SELECT id, display_name, user_principal_name, account_enabled FROM users WHERE id = ?1 AND tenant_id = ?2 AND deleted_at IS NULL`,
    )
    .bind(userId, tenantId)
    .first<{ id: string; display_name: string; user_principal_name: string; account_enabled: number }>();
  if (!user) throw notFound("The user");
  const { results } = await db
    .prepare(
      `SELECT l.state, ${hasDirectPath("l.subscription_id", "l.user_id")} AS direct, ${viaGroupsSql} AS via_groups,
              s.id, s.plan, a.id AS app_id, a.name AS app_name, a.publisher, a.icon_url
         FROM licenses l JOIN subscriptions s ON s.id = l.subscription_id JOIN apps a ON a.id = s.app_id
        WHERE l.user_id = ?1 AND l.tenant_id = ?2 ORDER BY a.name, s.plan`,
    )
    .bind(user.id, tenantId)
    .all<{
      state: LicenseState;
      direct: number;
      via_groups: string;
      id: string;
      plan: string;
      app_id: string;
      app_name: string;
      publisher: string;
      icon_url: string | null;
    }>();
  return {
    user: {
      id: user.id,
      displayName: user.display_name,
      userPrincipalName: user.user_principal_name,
      accountEnabled: user.account_enabled === 1,
    },
    items: results.map((row) => ({
      license: {
        id: row.id,
        plan: row.plan,
        app: { id: row.app_id, name: row.app_name, publisher: row.publisher, ...(row.icon_url ? { iconUrl: row.icon_url } : {}) },
      },
      state: row.state,
      direct: row.direct === 1,
      viaGroups: JSON.parse(row.via_groups) as GroupRef[],
    })),
  };
}
