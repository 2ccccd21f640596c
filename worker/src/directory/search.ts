/**
 * Finding people and groups as an admin types: exact user principal name or mail first, then
 * names that start with the text (or have a word that does), then names that contain it.
 * Case-insensitive; a substring of a CJK name matches too. Text of 3 characters or more is
 * found through the FTS5 trigram indexes (migration 0002); shorter text by a scan.
 */
import type { DirectoryMatch, Match } from "@appseats/shared";
import { memberCountSql } from "../licensing/principals.js";
import { containsText, startsWithText, wordStartsWithText } from "../licensing/sql.js";

const rankToMatch: Match[] = ["exact", "prefix", "contains"];

interface SearchRow {
  type: "user" | "group";
  id: string;
  display_name: string;
  user_principal_name: string | null;
  mail: string | null;
  member_count: number | null;
  rank: number;
}

export async function searchDirectory(
  db: D1Database,
  tenantId: string,
  query: { q: string; type: "user" | "group" | "all"; limit: number },
): Promise<DirectoryMatch[]> {
  // Text of 3 characters or more is looked up in the trigram indexes; shorter text is scanned for.
  const indexed = [...query.q].length >= 3;
  const phrase = `"${query.q.replaceAll('"', '""')}"`;
  const userRows = indexed
    ? "(SELECT rowid AS found FROM users_search WHERE users_search MATCH ?4) f CROSS JOIN users u ON u.rowid = f.found"
    : "users u";
  const userMatch = indexed
    ? "1"
    : `(${containsText("u.display_name", "?1")} OR ${containsText("u.user_principal_name", "?1")} OR ${containsText("u.mail", "?1")})`;
  const users = `SELECT 'user' AS type, u.id, u.display_name, u.user_principal_name, u.mail, NULL AS member_count,
      CASE WHEN u.user_principal_name = ?1 OR u.mail = ?1 THEN 0
           WHEN ${startsWithText("u.display_name", "?1")} OR ${startsWithText("u.user_principal_name", "?1")} OR ${wordStartsWithText("u.display_name", "?1")} THEN 1
           ELSE 2 END AS rank
    FROM ${userRows} WHERE u.tenant_id = ?2 AND u.deleted_at IS NULL AND ${userMatch}`;
  const groupRows = indexed
    ? "(SELECT rowid AS found FROM groups_search WHERE groups_search MATCH ?4) f CROSS JOIN groups g ON g.rowid = f.found"
    : "groups g";
  const groupMatch = indexed ? "1" : `(${containsText("g.display_name", "?1")} OR ${containsText("g.mail", "?1")})`;
  const groups = `SELECT 'group' AS type, g.id, g.display_name, NULL AS user_principal_name, g.mail,
      ${memberCountSql("g.id")} AS member_count,
      CASE WHEN g.mail = ?1 OR g.display_name = ?1 COLLATE NOCASE THEN 0
           WHEN ${startsWithText("g.display_name", "?1")} OR ${wordStartsWithText("g.display_name", "?1")} OR ${startsWithText("g.mail", "?1")} THEN 1
           ELSE 2 END AS rank
    FROM ${groupRows} WHERE g.tenant_id = ?2 AND ${groupMatch}`;
  const parts = query.type === "user" ? [users] : query.type === "group" ? [groups] : [users, groups];
  const { results } = await db
    .prepare(`SELECT * FROM (${parts.join(" UNION ALL ")}) ORDER BY rank, display_name COLLATE NOCASE, id LIMIT ?3`)
    .bind(query.q, tenantId, query.limit, ...(indexed ? [phrase] : []))
    .all<SearchRow>();
  return results.map((row) => ({
    type: row.type,
    id: row.id,
    displayName: row.display_name,
    ...(row.user_principal_name ? { userPrincipalName: row.user_principal_name } : {}),
    ...(row.mail ? { mail: row.mail } : {}),
    ...(row.type === "group" ? { memberCount: row.member_count ?? 0 } : {}),
    match: rankToMatch[row.rank] ?? "contains",
  }));
}
