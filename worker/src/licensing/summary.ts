/** The license summary of a tenant (Billing > Licenses) and one license with its assignments. */
import type { AssignmentView, LicenseDetail, LicenseSummary, PrincipalView } from "@appseats/shared";
import { notFound } from "../errors.js";
import { decodeCursor, pageOf } from "./cursor.js";
import { groupView, memberCountSql, userView } from "./principals.js";
import { containsText, seatColumns } from "./sql.js";
import { seatsFrom } from "./subscriptions.js";

interface SummaryRow {
  id: string;
  plan: string;
  status: LicenseSummary["status"];
  purchased: number;
  assigned: number;
  waiting: number;
  renews_at: string | null;
  installed: number;
  app_id: string;
  app_name: string;
  publisher: string;
  icon_url: string | null;
  vendor_name: string;
  contact_url: string | null;
  contact_email: string | null;
}

const summarySql = `SELECT s.id, s.plan, s.status, s.purchased, s.renews_at,
    ${seatColumns("s")},
    EXISTS (SELECT 1 FROM installs i WHERE i.subscription_id = s.id AND i.completed_at IS NOT NULL) AS installed,
    a.id AS app_id, a.name AS app_name, a.publisher, a.icon_url,
    v.name AS vendor_name, COALESCE(a.contact_url, v.contact_url) AS contact_url, COALESCE(a.contact_email, v.contact_email) AS contact_email
  FROM subscriptions s JOIN apps a ON a.id = s.app_id JOIN vendors v ON v.id = a.vendor_id
  WHERE s.tenant_id = ?1`;

function summaryOf(row: SummaryRow): LicenseSummary {
  return {
    id: row.id,
    app: { id: row.app_id, name: row.app_name, publisher: row.publisher, ...(row.icon_url ? { iconUrl: row.icon_url } : {}) },
    plan: row.plan,
    status: row.status,
    seats: seatsFrom(row),
    installed: row.installed === 1,
    vendor: {
      name: row.vendor_name,
      ...(row.contact_url ? { contactUrl: row.contact_url } : {}),
      ...(row.contact_email ? { contactEmail: row.contact_email } : {}),
    },
    ...(row.renews_at ? { renewsAt: row.renews_at } : {}),
  };
}

export async function licenseSummaries(db: D1Database, tenantId: string): Promise<LicenseSummary[]> {
  const { results } = await db.prepare(`${summarySql} ORDER BY a.name COLLATE NOCASE, s.plan, s.id`).bind(tenantId).all<SummaryRow>();
  return results.map(summaryOf);
}

export async function licenseSummary(db: D1Database, tenantId: string, id: string): Promise<LicenseSummary> {
  const row = await db.prepare(`${summarySql} AND s.id = ?2`).bind(tenantId, id).first<SummaryRow>();
  if (!row) throw notFound("The license");
  return summaryOf(row);
}

interface AssignmentRow {
  principal_type: "user" | "group";
  principal_id: string;
  assigned_at: string;
  assigned_by: string;
  assigned_by_name: string | null;
  display_name: string;
  user_principal_name: string | null;
  mail: string | null;
  account_enabled: number | null;
  member_count: number | null;
}

export async function licenseDetail(
  db: D1Database,
  tenantId: string,
  id: string,
  query: { limit: number; cursor?: string | undefined; q?: string | undefined },
): Promise<LicenseDetail> {
  const summary = await licenseSummary(db, tenantId, id);
  const after = decodeCursor<[string, string, string]>(query.cursor, 3);
  const { results } = await db
    .prepare(
      `SELECT * FROM (
         SELECT a.principal_type, a.principal_id, a.assigned_at, a.assigned_by, by.display_name AS assigned_by_name,
                COALESCE(u.display_name, g.display_name) AS display_name, u.user_principal_name,
                COALESCE(u.mail, g.mail) AS mail, u.account_enabled,
                CASE WHEN a.principal_type = 'group' THEN ${memberCountSql("g.id")} END AS member_count
           FROM assignments a
           LEFT JOIN users u ON a.principal_type = 'user' AND u.id = a.principal_id
           LEFT JOIN groups g ON a.principal_type = 'group' AND g.id = a.principal_id
           LEFT JOIN users by ON by.id = a.assigned_by
          WHERE a.subscription_id = ?1)
        WHERE (?2 IS NULL OR ${containsText("display_name", "?2")} OR ${containsText("user_principal_name", "?2")} OR ${containsText("mail", "?2")})
          AND (?3 IS NULL OR (assigned_at, principal_type, principal_id) > (?3, ?4, ?5))
        ORDER BY assigned_at, principal_type, principal_id LIMIT ?6`,
    )
    .bind(summary.id, query.q || null, after?.[0] ?? null, after?.[1] ?? null, after?.[2] ?? null, query.limit + 1)
    .all<AssignmentRow>();
  const assignments = pageOf(results, query.limit, assignmentOf, (r) => [r.assigned_at, r.principal_type, r.principal_id]);
  return { ...summary, assignments };
}

function assignmentOf(row: AssignmentRow): AssignmentView {
  const principal: PrincipalView =
    row.principal_type === "user"
      ? userView({
          id: row.principal_id,
          display_name: row.display_name,
          user_principal_name: row.user_principal_name ?? "",
          mail: row.mail,
          account_enabled: row.account_enabled ?? 1,
        })
      : groupView({ id: row.principal_id, display_name: row.display_name, mail: row.mail, member_count: row.member_count ?? 0 });
  return {
    principal,
    assignedAt: row.assigned_at,
    assignedBy: { id: row.assigned_by, displayName: row.assigned_by_name ?? row.assigned_by },
  };
}
