/**
 * A tenant's store (DESIGN.md, "Tenancy and scale"; R21–R23): a SQLite-backed Durable Object,
 * one per tenant, addressed by the tenant id. It owns its schema (migrated when it wakes), runs
 * each change as one synchronous transaction — read, decide, write, with no other change of the
 * tenant interleaved (R22) — and feeds the control plane through its outbox, delivered by its
 * alarm (R23). The worker reaches it with one RPC call per request.
 */

import { DurableObject } from "cloudflare:workers";
import type { Seats, SubscriptionStatus } from "@appseats/shared";
import { deliverToControlPlane } from "../control/indexes.js";
import { AppSeatsError } from "../errors.js";
import { indexSubscription, type SubscriptionRow, seatsNow } from "./changes.js";
import { migrate } from "./migrate.js";
import { deliverOutbox } from "./outbox.js";

/** A subscription as a vendor's purchase or change sets it. */
export interface SubscriptionTerms {
  id: string;
  appId: string;
  plan: string;
  purchased: number;
  status: SubscriptionStatus;
  renewsAt: string | null;
}

export class TenantStore extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Before any call reaches it: the schema as this deploy has it.
    void ctx.blockConcurrencyWhile(async () => {
      migrate(ctx.storage);
    });
  }

  /**
   * The tenant this store holds, fixed by its first call: a store answers only for its own tenant
   * (R21), so a call naming another is refused rather than served.
   */
  #tenant(tenantId: string): string {
    const sql = this.ctx.storage.sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS store_tenant (id INTEGER PRIMARY KEY CHECK (id = 1), tenant_id TEXT NOT NULL)`);
    sql.exec(`INSERT INTO store_tenant (id, tenant_id) VALUES (1, ?) ON CONFLICT (id) DO NOTHING`, tenantId);
    const held = sql.exec<{ tenant_id: string }>(`SELECT tenant_id FROM store_tenant`).one().tenant_id;
    if (held !== tenantId) throw new AppSeatsError("Internal", "A tenant store was asked about another tenant.");
    return held;
  }

  /**
   * Sets a subscription's terms as its vendor decides them (R9: no admin changes the quantity),
   * and tells the control plane its figures through the outbox, in the same transaction.
   */
  async setSubscription(tenantId: string, terms: SubscriptionTerms, now = new Date().toISOString()): Promise<Seats> {
    this.#tenant(tenantId);
    const sql = this.ctx.storage.sql;
    const seats = this.ctx.storage.transactionSync(() => {
      const subscription = sql
        .exec<SubscriptionRow & Record<string, SqlStorageValue>>(
          `INSERT INTO subscriptions (id, app_id, plan, purchased, status, renews_at, created_at, updated_at)
           VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
           ON CONFLICT (id) DO UPDATE SET plan = excluded.plan, purchased = excluded.purchased, status = excluded.status,
             renews_at = excluded.renews_at, updated_at = excluded.updated_at
           RETURNING id, app_id, plan, purchased, status, renews_at, created_at`,
          terms.id,
          terms.appId,
          terms.plan,
          terms.purchased,
          terms.status,
          terms.renewsAt,
          now,
        )
        .one();
      const seats = seatsNow(sql, subscription);
      indexSubscription(sql, subscription, seats, now);
      return seats;
    });
    await this.#deliverSoon();
    return seats;
  }

  /** The outbox is delivered at once, by the alarm, unless a delivery is already due. */
  async #deliverSoon(): Promise<void> {
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now());
  }

  /** Delivers the outbox to the control plane; what is left, or failed, is tried again later. */
  override async alarm(): Promise<void> {
    const tenantId = this.ctx.storage.sql.exec<{ tenant_id: string }>(`SELECT tenant_id FROM store_tenant`).toArray()[0]?.tenant_id;
    if (!tenantId) return;
    const next = await deliverOutbox(this.ctx.storage, (entries) => deliverToControlPlane(this.env.DB, tenantId, entries));
    if (next !== null) await this.ctx.storage.setAlarm(next);
  }
}
