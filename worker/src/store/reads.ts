/**
 * What an admin reads of the tenant store: each subscription's seats, one license's assignments
 * and holders, the seats likely wasted, a user's licenses, a CSV import's preview, the directory
 * search and the audit trail. Every read is of this tenant's own rows (R11): another tenant's ids
 * are simply not here. The catalog's part of an answer (the app's name, its vendor) is the
 * control plane's and is joined by the worker (control/catalog.ts).
 */
import {
  type AuditEvent,
  type AuditPage,
  auditActions,
  type DirectoryMatch,
  type GroupRef,
  type ImportOutcome,
  type ImportPreview,
  idleDays,
  type LicensedUser,
  type LicenseState,
  type Match,
  type PrincipalView,
  type ReclaimList,
  type ReclaimReason,
  type SearchType,
  type Seats,
  type SubscriptionStatus,
  seatsOf,
} from "@appseats/shared";
import { decodeCursor, pageOf } from "../cursor.js";
import { notFound } from "../errors.js";
import { seatsNow, subscriptionOf } from "./changes.js";
import { all, first, flag, integer, json, nullable, oneOf, type RowOf, text } from "./rows.js";

/** A subscription as this tenant's store holds it; the worker adds the catalog's part. */
export interface StoredLicense {
  id: string;
  appId: string;
  plan: string;
  status: SubscriptionStatus;
  seats: Seats;
  installed: boolean;
  renewsAt: string | null;
}

const statuses = oneOf("active", "warning", "suspended", "lockedOut", "expired");
const licenseStates = oneOf("active", "waiting");

const storedLicenseShape = {
  id: text,
  app_id: text,
  plan: text,
  status: statuses,
  purchased: integer,
  assigned: integer,
  waiting: integer,
  installed: flag,
  renews_at: nullable(text),
};

const storedLicenseSql = `SELECT s.id, s.app_id, s.plan, s.status, s.purchased, s.renews_at,
    (SELECT COUNT(*) FROM licenses l WHERE l.subscription_id = s.id AND l.state = 'active') AS assigned,
    (SELECT COUNT(*) FROM licenses l WHERE l.subscription_id = s.id AND l.state = 'waiting') AS waiting,
    EXISTS (SELECT 1 FROM installs i WHERE i.subscription_id = s.id AND i.completed_at IS NOT NULL) AS installed
  FROM subscriptions s`;

const storedLicenseOf = (row: RowOf<typeof storedLicenseShape>): StoredLicense => ({
  id: row.id,
  appId: row.app_id,
  plan: row.plan,
  status: row.status,
  seats: seatsOf(row.purchased, row.assigned, row.waiting),
  installed: row.installed,
  renewsAt: row.renews_at,
});

/** Every subscription of the tenant with its seats (Billing > Licenses). */
export const storedLicenses = (sql: SqlStorage): StoredLicense[] => all(sql, storedLicenseShape, storedLicenseSql).map(storedLicenseOf);

/** One subscription with its seats, or 404. */
export function storedLicense(sql: SqlStorage, id: string): StoredLicense {
  const row = first(sql, storedLicenseShape, `${storedLicenseSql} WHERE s.id = ?`, id);
  if (!row) throw notFound("The license");
  return storedLicenseOf(row);
}

/** Text matching for search and filters, case-insensitive as LIKE is (ASCII letters), with no pattern characters to escape. */
const contains = (column: string, text: string) => `instr(lower(${column}), lower(${text})) > 0`;
const startsWith = (column: string, text: string) => `substr(lower(${column}), 1, length(${text})) = lower(${text})`;
/** A word of the column starts with the text ("bowen" finds "Megan Bowen"). */
const wordStartsWith = (column: string, text: string) => `instr(' ' || lower(${column}), ' ' || lower(${text})) > 0`;

/** Live members of a group: deleted users are no one's members any more. */
export const memberCountSql = (group: string) =>
  `(SELECT COUNT(*) FROM group_members gm JOIN users gu ON gu.id = gm.user_id AND gu.deleted_at IS NULL WHERE gm.group_id = ${group})`;

const assignmentShape = {
  principal_type: oneOf("user", "group"),
  principal_id: text,
  assigned_at: text,
  assigned_by: text,
  assigned_by_name: nullable(text),
  display_name: text,
  user_principal_name: nullable(text),
  mail: nullable(text),
  member_count: nullable(integer),
};

/** A license's assignments, oldest first, optionally those whose name or address contains `q`. */
export function assignmentsOf(
  sql: SqlStorage,
  subscriptionId: string,
  query: { limit: number; cursor?: string | undefined; q?: string | undefined },
) {
  const license = storedLicense(sql, subscriptionId);
  const after = decodeCursor<[string, string, string]>(query.cursor, 3);
  const rows = all(
    sql,
    assignmentShape,
    `SELECT * FROM (
         SELECT a.principal_type, a.principal_id, a.assigned_at, a.assigned_by, by.display_name AS assigned_by_name,
                COALESCE(u.display_name, g.display_name) AS display_name, u.user_principal_name,
                COALESCE(u.mail, g.mail) AS mail,
                CASE WHEN a.principal_type = 'group' THEN ${memberCountSql("g.id")} END AS member_count
           FROM assignments a
           LEFT JOIN users u ON a.principal_type = 'user' AND u.id = a.principal_id
           LEFT JOIN groups g ON a.principal_type = 'group' AND g.id = a.principal_id
           LEFT JOIN users by ON by.id = a.assigned_by
          WHERE a.subscription_id = ?1)
        WHERE (?2 IS NULL OR ${contains("display_name", "?2")} OR ${contains("user_principal_name", "?2")} OR ${contains("mail", "?2")})
          AND (?3 IS NULL OR (assigned_at, principal_type, principal_id) > (?3, ?4, ?5))
        ORDER BY assigned_at, principal_type, principal_id LIMIT ?6`,
    license.id,
    query.q || null,
    after?.[0] ?? null,
    after?.[1] ?? null,
    after?.[2] ?? null,
    query.limit + 1,
  );
  const assignments = pageOf(
    rows,
    query.limit,
    (row) => {
      const principal: PrincipalView =
        row.principal_type === "user"
          ? {
              type: "user",
              id: row.principal_id,
              displayName: row.display_name,
              userPrincipalName: row.user_principal_name ?? "",
              ...(row.mail ? { mail: row.mail } : {}),
            }
          : {
              type: "group",
              id: row.principal_id,
              displayName: row.display_name,
              ...(row.mail ? { mail: row.mail } : {}),
              memberCount: row.member_count ?? 0,
            };
      return {
        principal,
        assignedAt: row.assigned_at,
        assignedBy: { id: row.assigned_by, displayName: row.assigned_by_name ?? row.assigned_by },
      };
    },
    (row) => [row.assigned_at, row.principal_type, row.principal_id],
  );
  return { license, assignments };
}

/** The groups (JSON array of {id, displayName}) through which the license row `l` is held. */
const viaGroupsSql = `(SELECT json_group_array(json_object('id', g.id, 'displayName', g.display_name)) FROM (
    SELECT g.id, g.display_name FROM group_members via
      JOIN assignments ga ON ga.subscription_id = l.subscription_id AND ga.principal_type = 'group' AND ga.principal_id = via.group_id
      JOIN groups g ON g.id = via.group_id
     WHERE via.user_id = l.user_id ORDER BY g.display_name) g)`;

/** The license row `l` has a direct assignment. */
const directSql = `EXISTS (SELECT 1 FROM assignments d WHERE d.subscription_id = l.subscription_id AND d.principal_type = 'user' AND d.principal_id = l.user_id)`;

const holderShape = {
  seq: integer,
  state: licenseStates,
  since: text,
  direct: flag,
  via_groups: json<GroupRef[]>(),
  id: text,
  display_name: text,
  user_principal_name: text,
  account_enabled: flag,
};

const holderOf = (row: RowOf<typeof holderShape>): LicensedUser => ({
  user: {
    id: row.id,
    displayName: row.display_name,
    userPrincipalName: row.user_principal_name,
    accountEnabled: row.account_enabled,
  },
  state: row.state,
  direct: row.direct,
  viaGroups: row.via_groups,
  since: row.since,
});

export interface HolderQuery {
  limit: number;
  cursor?: string | undefined;
  state?: LicenseState | undefined;
  q?: string | undefined;
}

/** Who holds a license: active holders first, then the waiting queue in the order seats will be given. */
export function holdersOf(sql: SqlStorage, subscriptionId: string, query: HolderQuery) {
  const subscription = subscriptionOf(sql, subscriptionId);
  const after = decodeCursor<[string, number]>(query.cursor, 2);
  const rows = all(
    sql,
    holderShape,
    `SELECT l.seq, l.state, l.since, ${directSql} AS direct, ${viaGroupsSql} AS via_groups,
              u.id, u.display_name, u.user_principal_name, u.account_enabled
         FROM licenses l JOIN users u ON u.id = l.user_id
        WHERE l.subscription_id = ?1 AND (?2 IS NULL OR l.state = ?2)
          AND (?3 IS NULL OR ${contains("u.display_name", "?3")} OR ${contains("u.user_principal_name", "?3")})
          AND (?4 IS NULL OR (l.state, l.seq) > (?4, ?5))
        ORDER BY l.state, l.seq LIMIT ?6`,
    subscription.id,
    query.state ?? null,
    query.q || null,
    after?.[0] ?? null,
    after?.[1] ?? null,
    query.limit + 1,
  );
  return pageOf(rows, query.limit, holderOf, (r) => [r.state, r.seq]);
}

const candidateShape = {
  ...holderShape,
  reason: oneOf<ReclaimReason>("disabled", "neverAsked", "notAskedLately"),
  last_asked_at: nullable(text),
  rank: integer,
  idle_from: text,
};

/**
 * Seats of a license that are likely wasted, each with its reason: the account is disabled (R15);
 * or the vendor has not asked about the user's usage rights for `idleDays` or more; or never
 * since the user got the seat, held that long. Disabled ones first, then the longest idle.
 */
export function reclaimCandidates(
  sql: SqlStorage,
  subscriptionId: string,
  query: { limit: number; cursor?: string | undefined },
  now: Date,
): ReclaimList {
  const subscription = subscriptionOf(sql, subscriptionId);
  const after = decodeCursor<[number, string, number]>(query.cursor, 3);
  const idleSince = new Date(now.getTime() - idleDays * 24 * 60 * 60 * 1000).toISOString();
  const rows = all(
    sql,
    candidateShape,
    `SELECT * FROM (
         SELECT l.seq, l.state, l.since, ${directSql} AS direct, ${viaGroupsSql} AS via_groups,
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
    subscription.id,
    idleSince,
    after?.[0] ?? null,
    after?.[1] ?? null,
    after?.[2] ?? null,
    query.limit + 1,
  );
  return pageOf(
    rows,
    query.limit,
    (row) => ({ ...holderOf(row), reason: row.reason, lastAskedAt: row.last_asked_at }),
    (row) => [row.rank, row.idle_from, row.seq],
  );
}

/** A user's licenses and how each is held, or 404; the worker adds each app from the catalog. */
export function licensesOfUser(sql: SqlStorage, userId: string) {
  const user = first(
    sql,
    { id: text, display_name: text, user_principal_name: text, account_enabled: flag },
    `SELECT id, display_name, user_principal_name, account_enabled FROM users WHERE id = ? AND deleted_at IS NULL`,
    userId,
  );
  if (!user) throw notFound("The user");
  const items = all(
    sql,
    { state: licenseStates, direct: flag, via_groups: json<GroupRef[]>(), id: text, plan: text, app_id: text },
    `SELECT l.state, ${directSql} AS direct, ${viaGroupsSql} AS via_groups, s.id, s.plan, s.app_id
         FROM licenses l JOIN subscriptions s ON s.id = l.subscription_id WHERE l.user_id = ?`,
    user.id,
  ).map((row) => ({
    license: { id: row.id, plan: row.plan, appId: row.app_id },
    state: row.state,
    direct: row.direct,
    viaGroups: row.via_groups,
  }));
  return {
    user: {
      id: user.id,
      displayName: user.display_name,
      userPrincipalName: user.user_principal_name,
      accountEnabled: user.account_enabled,
    },
    items,
  };
}

/**
 * A CSV import's preview: for each row's name (a user principal name or an e-mail address, found
 * without case), the user it names and what assigning them would do, and whether the seats
 * suffice. One statement for all the rows (up to 5,000); nothing is changed.
 */
export function importPreview(sql: SqlStorage, subscriptionId: string, names: string[]): ImportPreview {
  const subscription = subscriptionOf(sql, subscriptionId);
  const seats = seatsNow(sql, subscription);
  const rows = all(
    sql,
    {
      row: integer,
      name: text,
      id: nullable(text),
      display_name: nullable(text),
      user_principal_name: nullable(text),
      account_enabled: nullable(flag),
      state: nullable(licenseStates),
    },
    `SELECT j.key AS row, j.value AS name, u.id, u.display_name, u.user_principal_name, u.account_enabled, l.state
         FROM json_each(?1) j
         LEFT JOIN users u ON u.id = (
           SELECT id FROM (SELECT id FROM users WHERE user_principal_name = j.value AND deleted_at IS NULL
                           UNION ALL
                           SELECT id FROM users WHERE mail = j.value AND deleted_at IS NULL) LIMIT 1)
         LEFT JOIN licenses l ON l.subscription_id = ?2 AND l.user_id = u.id
        ORDER BY j.key`,
    JSON.stringify(names),
    subscription.id,
  );
  const seen = new Set<string>();
  const tally: Record<ImportOutcome, number> = { assign: 0, alreadyLicensed: 0, unknown: 0, duplicate: 0, blank: 0 };
  const previewed = rows.map((row) => {
    const outcome: ImportOutcome = !row.name
      ? "blank"
      : !row.id
        ? "unknown"
        : seen.has(row.id)
          ? "duplicate"
          : row.state
            ? "alreadyLicensed"
            : "assign";
    if (row.id) seen.add(row.id);
    tally[outcome] += 1;
    return {
      row: row.row,
      name: row.name,
      outcome,
      ...(row.id
        ? {
            user: {
              id: row.id,
              displayName: row.display_name!,
              userPrincipalName: row.user_principal_name!,
              accountEnabled: row.account_enabled === true,
            },
          }
        : {}),
      ...(row.state ? { state: row.state } : {}),
    };
  });
  return { rows: previewed, counts: tally, seats, enough: tally.assign <= seats.available };
}

const rankToMatch: Match[] = ["exact", "prefix", "contains"];

/**
 * Finding people and groups as an admin types: exact user principal name or mail first, then
 * names that start with the text (or have a word that does), then names that contain it.
 * Case-insensitive; a substring of a CJK name matches too. Text of 3 characters or more is found
 * through this store's own trigram indexes, shorter text by a scan of this tenant's rows alone.
 */
export function searchDirectory(sql: SqlStorage, query: { q: string; type: SearchType; limit: number }): DirectoryMatch[] {
  const indexed = [...query.q].length >= 3;
  const phrase = `"${query.q.replaceAll('"', '""')}"`;
  const userRows = indexed
    ? "(SELECT rowid AS found FROM users_search WHERE users_search MATCH ?3) f CROSS JOIN users u ON u.rowid = f.found"
    : "users u";
  const userMatch = indexed
    ? "1"
    : `(${contains("u.display_name", "?1")} OR ${contains("u.user_principal_name", "?1")} OR ${contains("u.mail", "?1")})`;
  const users = `SELECT 'user' AS type, u.id, u.display_name, u.user_principal_name, u.mail, NULL AS member_count,
      CASE WHEN u.user_principal_name = ?1 OR u.mail = ?1 THEN 0
           WHEN ${startsWith("u.display_name", "?1")} OR ${startsWith("u.user_principal_name", "?1")} OR ${wordStartsWith("u.display_name", "?1")} THEN 1
           ELSE 2 END AS rank
    FROM ${userRows} WHERE u.deleted_at IS NULL AND ${userMatch}`;
  const groupRows = indexed
    ? "(SELECT rowid AS found FROM groups_search WHERE groups_search MATCH ?3) f CROSS JOIN groups g ON g.rowid = f.found"
    : "groups g";
  const groupMatch = indexed ? "1" : `(${contains("g.display_name", "?1")} OR ${contains("g.mail", "?1")})`;
  const groups = `SELECT 'group' AS type, g.id, g.display_name, NULL AS user_principal_name, g.mail,
      ${memberCountSql("g.id")} AS member_count,
      CASE WHEN g.mail = ?1 OR g.display_name = ?1 COLLATE NOCASE THEN 0
           WHEN ${startsWith("g.display_name", "?1")} OR ${wordStartsWith("g.display_name", "?1")} OR ${startsWith("g.mail", "?1")} THEN 1
           ELSE 2 END AS rank
    FROM ${groupRows} WHERE ${groupMatch}`;
  const parts = query.type === "user" ? [users] : query.type === "group" ? [groups] : [users, groups];
  return all(
    sql,
    {
      type: oneOf("user", "group"),
      id: text,
      display_name: text,
      user_principal_name: nullable(text),
      mail: nullable(text),
      member_count: nullable(integer),
      rank: integer,
    },
    `SELECT * FROM (${parts.join(" UNION ALL ")}) ORDER BY rank, display_name COLLATE NOCASE, id LIMIT ?2`,
    query.q,
    query.limit,
    ...(indexed ? [phrase] : []),
  ).map((row) => ({
    type: row.type,
    id: row.id,
    displayName: row.display_name,
    ...(row.user_principal_name ? { userPrincipalName: row.user_principal_name } : {}),
    ...(row.mail ? { mail: row.mail } : {}),
    ...(row.type === "group" ? { memberCount: row.member_count ?? 0 } : {}),
    match: rankToMatch[row.rank] ?? "contains",
  }));
}

/** The tenant's audit trail, newest first, optionally for one license. */
export function auditTrail(
  sql: SqlStorage,
  query: { limit: number; cursor?: string | undefined; licenseId?: string | undefined },
): AuditPage {
  const after = decodeCursor<[number]>(query.cursor, 1);
  const rows = all(
    sql,
    {
      seq: integer,
      id: text,
      at: text,
      actor_type: oneOf("user", "vendor", "system", "provisioning"),
      actor_id: text,
      actor_name: text,
      action: oneOf(...auditActions),
      subscription_id: nullable(text),
      principals: nullable(json<NonNullable<AuditEvent["principals"]>>()),
      summary: text,
      request_id: text,
    },
    `SELECT seq, id, at, actor_type, actor_id, actor_name, action, subscription_id, principals, summary, request_id FROM audit_events
        WHERE (?1 IS NULL OR subscription_id = ?1) AND (?2 IS NULL OR seq < ?2)
        ORDER BY seq DESC LIMIT ?3`,
    query.licenseId ?? null,
    after?.[0] ?? null,
    query.limit + 1,
  );
  return pageOf(
    rows,
    query.limit,
    (row): AuditEvent => ({
      id: row.id,
      at: row.at,
      actor: { id: row.actor_id, displayName: row.actor_name, type: row.actor_type },
      action: row.action,
      ...(row.subscription_id ? { licenseId: row.subscription_id } : {}),
      ...(row.principals ? { principals: row.principals } : {}),
      summary: row.summary,
      requestId: row.request_id,
    }),
    (row) => [row.seq],
  );
}
