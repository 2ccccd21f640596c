/**
 * Finding people and groups as an admin types: exact user principal name or mail first, then
 * names that start with the text (or have a word that does), then names that contain it.
 * Case-insensitive; a substring of a CJK name matches too.
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
  const users = `SELECT 'user' AS type, id, display_name, user_principal_name, mail, NULL AS member_count,
      CASE WHEN user_principal_name = ?1 OR mail = ?1 THEN 0
           WHEN ${startsWithText("display_name", "?1")} OR ${startsWithText("user_principal_name", "?1")} OR ${wordStartsWithText("display_name", "?1")} THEN 1
           ELSE 2 END AS rank
    FROM users WHERE tenant_id = ?2 AND deleted_at IS NULL
     AND (${containsText("display_name", "?1")} OR ${containsText("user_principal_name", "?1")} OR ${containsText("mail", "?1")})`;
  const groups = `SELECT 'group' AS type, g.id, g.display_name, NULL AS user_principal_name, g.mail,
      ${memberCountSql("g.id")} AS member_count,
      CASE WHEN g.mail = ?1 OR g.display_name = ?1 COLLATE NOCASE THEN 0
           WHEN ${startsWithText("g.display_name", "?1")} OR ${wordStartsWithText("g.display_name", "?1")} OR ${startsWithText("g.mail", "?1")} THEN 1
           ELSE 2 END AS rank
    FROM groups g WHERE g.tenant_id = ?2 AND (${containsText("g.display_name", "?1")} OR ${containsText("g.mail", "?1")})`;
  const parts = query.type === "user" ? [users] : query.type === "group" ? [groups] : [users, groups];
  const { results } = await db
    .prepare(`SELECT * FROM (${parts.join(" UNION ALL ")}) ORDER BY rank, display_name COLLATE NOCASE, id LIMIT ?3`)
    .bind(query.q, tenantId, query.limit)
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
