/**
 * SQL fragments of the seat rules, written once and used by every statement that needs them.
 * Each takes SQL expressions (a column or a numbered parameter) so it reads the state at the
 * moment the statement runs, inside its batch, never a value read earlier.
 */
import { maxPrincipalsPerRequest, usableStatuses } from "@appseats/shared";

/** The statuses that give seats (R8), as an SQL list, from the one definition in shared/. */
const usable = `(${usableStatuses.map((status) => `'${status}'`).join(", ")})`;

/**
 * Seats that may be given now: none unless the subscription is usable (R8), never below zero.
 * `active_licenses` is R2's `assigned`, kept by triggers on licenses (migration 0005) in the
 * same statement as every license written, so it is exact inside a batch too.
 */
export const openSeats = (subscription: string) =>
  `(SELECT CASE WHEN sub.status IN ${usable} THEN MAX(0, sub.purchased - sub.active_licenses) ELSE 0 END
      FROM subscriptions sub WHERE sub.id = ${subscription})`;

export const isUsableSql = (subscription: string) =>
  `COALESCE((SELECT sub.status IN ${usable} FROM subscriptions sub WHERE sub.id = ${subscription}), 0)`;

/** The user has a direct assignment, unless the user is among `exceptUsers` (a JSON array). */
export const hasDirectPath = (subscription: string, user: string, exceptUsers?: string) =>
  `EXISTS (SELECT 1 FROM assignments direct WHERE direct.subscription_id = ${subscription}
      AND direct.principal_type = 'user' AND direct.principal_id = ${user}
      ${exceptUsers ? `AND direct.principal_id NOT IN (SELECT value FROM json_each(${exceptUsers}))` : ""})`;

/** The user is a member of an assigned group, not counting the groups in `exceptGroups` (a JSON array). */
export const hasGroupPath = (subscription: string, user: string, exceptGroups?: string) =>
  `EXISTS (SELECT 1 FROM group_members via JOIN assignments ga ON ga.subscription_id = ${subscription}
      AND ga.principal_type = 'group' AND ga.principal_id = via.group_id WHERE via.user_id = ${user}
      ${exceptGroups ? `AND via.group_id NOT IN (SELECT value FROM json_each(${exceptGroups}))` : ""})`;

/** The members of the given groups (a JSON array parameter) who are not deleted. */
export const liveMembersOf = (groupsJson: string) =>
  `SELECT m.user_id, MIN(m.added_at) AS first_added FROM group_members m
     JOIN users mu ON mu.id = m.user_id AND mu.deleted_at IS NULL
    WHERE m.group_id IN (SELECT value FROM json_each(${groupsJson}))
    GROUP BY m.user_id`;

/** A subscription's counts of active and waiting licenses, as the columns `assigned` and `waiting`. */
export const seatColumns = (subscription: string) =>
  `${subscription}.active_licenses AS assigned, ${subscription}.waiting_licenses AS waiting`;

/** Seat counts of a subscription as one row: purchased, assigned, waiting. */
export const seatCountsSql = `SELECT s.purchased AS purchased, ${seatColumns("s")} FROM subscriptions s WHERE s.id = ?1`;

/**
 * At most this many principals are written into one audit event; its summary gives the full count.
 * A request names no more, so an event of a request's principals names them all.
 */
export const auditPrincipalLimit = maxPrincipalsPerRequest;

/** Shifts the numbered parameters (?1, ?2, …) of an SQL fragment by `offset`, to join a statement that binds others first. */
export const renumberParams = (sql: string, offset: number) => sql.replace(/\?(\d+)/g, (_, n: string) => `?${Number(n) + offset}`);

/**
 * Text matching for search and filters, case-insensitive as LIKE is (ASCII letters). Not LIKE:
 * D1 refuses LIKE patterns over 50 bytes, and these need no escaping of % and _ either.
 */
export const containsText = (column: string, text: string) => `instr(lower(${column}), lower(${text})) > 0`;
export const startsWithText = (column: string, text: string) => `substr(lower(${column}), 1, length(${text})) = lower(${text})`;
/** A word of the column starts with the text ("bowen" finds "Megan Bowen"). */
export const wordStartsWithText = (column: string, text: string) => `instr(' ' || lower(${column}), ' ' || lower(${text})) > 0`;
