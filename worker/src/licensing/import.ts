/**
 * A CSV import's preview: for each row's name (a user principal name or an e-mail address, found
 * without case), the user it names in the tenant and what assigning them would do, and whether
 * the seats suffice. One statement for all the rows, however many (up to 5,000); nothing is
 * changed: the extension then assigns the users to assign, 500 a request.
 */
import type { ImportOutcome, ImportPreview } from "@appseats/shared";
import { Batch } from "./batch.js";
import {
  type SeatCounts,
  type SubscriptionRow,
  seatCountsStatement,
  seatsFrom,
  subscriptionFrom,
  subscriptionStatement,
} from "./subscriptions.js";

interface Row {
  row: number;
  name: string;
  id: string | null;
  display_name: string | null;
  user_principal_name: string | null;
  account_enabled: number | null;
  state: "active" | "waiting" | null;
}

export async function importPreview(db: D1Database, tenantId: string, subscriptionId: string, names: string[]): Promise<ImportPreview> {
  const batch = new Batch(db);
  const subscription = batch.first<SubscriptionRow>(subscriptionStatement(db, tenantId, subscriptionId));
  const counts = batch.first<SeatCounts>(seatCountsStatement(db, subscriptionId));
  const rows = batch.rows<Row>(
    db
      .prepare(
        `SELECT j.key AS row, j.value AS name, u.id, u.display_name, u.user_principal_name, u.account_enabled, l.state
           FROM json_each(?2) j
           LEFT JOIN users u ON u.id = (
             SELECT id FROM (SELECT id FROM users WHERE tenant_id = ?1 AND user_principal_name = j.value AND deleted_at IS NULL
                             UNION ALL
                             SELECT id FROM users WHERE tenant_id = ?1 AND mail = j.value AND deleted_at IS NULL) LIMIT 1)
           LEFT JOIN licenses l ON l.subscription_id = ?3 AND l.user_id = u.id
          ORDER BY j.key`,
      )
      .bind(tenantId, JSON.stringify(names), subscriptionId),
  );
  const committed = await batch.commit();
  subscriptionFrom(committed.get(subscription));
  const seats = seatsFrom(committed.get(counts));
  const seen = new Set<string>();
  const tally: Record<ImportOutcome, number> = { assign: 0, alreadyLicensed: 0, unknown: 0, duplicate: 0, blank: 0 };
  const previewed = committed.get(rows).map((row) => {
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
              accountEnabled: row.account_enabled === 1,
            },
          }
        : {}),
      ...(row.state ? { state: row.state } : {}),
    };
  });
  return { rows: previewed, counts: tally, seats, enough: tally.assign <= seats.available };
}
