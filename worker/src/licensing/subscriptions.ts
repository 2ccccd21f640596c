/** Subscriptions as the rules see them: looked up in the caller's tenant, with their seat counts. */
import { type Seats, type SubscriptionStatus, seatsOf } from "@appseats/shared";
import { notFound } from "../errors.js";
import { seatCountsSql } from "./sql.js";

export interface SubscriptionRow {
  id: string;
  tenant_id: string;
  app_id: string;
  app_name: string;
  plan: string;
  status: SubscriptionStatus;
  purchased: number;
  renews_at: string | null;
}

export interface SeatCounts {
  purchased: number;
  assigned: number;
  waiting: number;
}

const subscriptionSql = `SELECT s.id, s.tenant_id, s.app_id, a.name AS app_name, s.plan, s.status, s.purchased, s.renews_at
  FROM subscriptions s JOIN apps a ON a.id = s.app_id`;

export const subscriptionStatement = (db: D1Database, tenantId: string, id: string) =>
  db.prepare(`${subscriptionSql} WHERE s.id = ?1 AND s.tenant_id = ?2`).bind(id, tenantId);

/** R11: a subscription of another tenant is answered exactly like one that does not exist. */
export function subscriptionFrom(row: SubscriptionRow | null | undefined): SubscriptionRow {
  if (!row) throw notFound("The license");
  return row;
}

export async function subscriptionOfTenant(db: D1Database, tenantId: string, id: string): Promise<SubscriptionRow> {
  return subscriptionFrom(await subscriptionStatement(db, tenantId, id).first<SubscriptionRow>());
}

/** A vendor sees only subscriptions of its own apps; any other id is 404. */
export async function subscriptionOfVendor(db: D1Database, vendorId: string, id: string): Promise<SubscriptionRow> {
  const row = await db.prepare(`${subscriptionSql} WHERE s.id = ?1 AND a.vendor_id = ?2`).bind(id, vendorId).first<SubscriptionRow>();
  if (!row) throw notFound("The subscription");
  return row;
}

export const seatCountsStatement = (db: D1Database, subscriptionId: string) => db.prepare(seatCountsSql).bind(subscriptionId);

export async function seatCounts(db: D1Database, subscriptionId: string): Promise<SeatCounts> {
  return (await seatCountsStatement(db, subscriptionId).first<SeatCounts>())!;
}

export const seatsFrom = (counts: SeatCounts | undefined): Seats =>
  seatsOf(counts?.purchased ?? 0, counts?.assigned ?? 0, counts?.waiting ?? 0);
