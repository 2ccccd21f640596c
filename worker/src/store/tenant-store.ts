/**
 * A tenant's store (DESIGN.md, "Tenancy and scale"; R21–R23): a SQLite-backed Durable Object,
 * one per tenant, addressed by the tenant id. It owns its schema (migrated when it wakes), admits
 * each request's caller and runs its operation as one synchronous transaction — read, decide,
 * write, with no other change of the tenant interleaved (R22) — and feeds the control plane
 * through its outbox, delivered by its alarm (R23). The worker reaches it with one RPC call per
 * request (serve).
 */

import { DurableObject } from "cloudflare:workers";
import { type ErrorBody, errorStatus } from "@appseats/shared";
import { AppSeatsError, isAppSeatsError } from "../errors.js";
import { doneWith, handOver, overdueAfterMs, wakeOverdue, watchEveryMs } from "../webhooks/sender.js";
import { emitLicenseEvents } from "./events.js";
import { migrate } from "./migrate.js";
import {
  type ArgsOf,
  authorize,
  identify,
  type OperationContext,
  type OperationName,
  operations,
  type ResultOf,
  type StoreCall,
} from "./operations.js";
import { deliverOutbox } from "./outbox.js";
import { first, integer, nullable, one, oneOf, text } from "./rows.js";
import { forgetWebhookBodies, keepWebhookBodies, keptBodies, webhookBody } from "./webhook-bodies.js";

/** A refusal, as a value: thrown across RPC it would be logged as an uncaught error of the object. */
export type StoreRefusal = ErrorBody["error"];

/** What serve answers: the operation's result, the first answer to a repeated Idempotency-Key (R13), or a refusal. */
export type StoreAnswer<T> =
  | { ok: true; value: T; replay?: undefined }
  | { ok: true; replay: { status: number; body: string } }
  | { ok: false; refusal: StoreRefusal };

/** An Idempotency-Key's first answer is replayed for this long (R13). */
const replayWindowMs = 24 * 60 * 60 * 1000;

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
    // Read from storage once per instance: the tenant a store holds never changes.
    if (this.#held === undefined) {
      const sql = this.ctx.storage.sql;
      sql.exec(`CREATE TABLE IF NOT EXISTS store_tenant (id INTEGER PRIMARY KEY CHECK (id = 1), tenant_id TEXT NOT NULL)`);
      sql.exec(`INSERT INTO store_tenant (id, tenant_id) VALUES (1, ?) ON CONFLICT (id) DO NOTHING`, tenantId);
      this.#held = one(sql, { tenant_id: text }, `SELECT tenant_id FROM store_tenant`).tenant_id;
    }
    if (this.#held !== tenantId) throw new AppSeatsError("Internal", "A tenant store was asked about another tenant.");
    return this.#held;
  }

  #held: string | undefined;

  /**
   * One request's operation: the caller admitted (401, 403), an Idempotency-Key's first answer
   * replayed or its key refused (R13), then the operation in one transaction, its answer recorded
   * for the key in the same transaction. The outbox is delivered after the answer.
   */
  async serve<K extends OperationName>(call: StoreCall, name: K, args: ArgsOf<K>): Promise<StoreAnswer<ResultOf<K>>> {
    const tenantId = this.#tenant(call.tenantId);
    this.#keepHouse(call.now);
    const storage = this.ctx.storage;
    const sql = storage.sql;
    const operation = operations[name] as unknown as {
      needs: Parameters<typeof identify>[2];
      run(context: OperationContext, args: ArgsOf<K>): ResultOf<K>;
    };
    let scope: string | null = null;
    try {
      const { caller, actor } = storage.transactionSync(() => identify(sql, call, operation.needs));
      authorize(caller, operation.needs);
      const idempotency = call.idempotency;
      scope = idempotency ? `${actor.type}:${actor.id}` : null;
      if (idempotency && scope) {
        const first = firstAnswer(sql, scope, idempotency, call.now);
        if (first) return { ok: true, replay: first };
      }
      const context: OperationContext = { sql, storage, change: { actor, requestId: call.requestId, now: call.now }, tenantId, caller };
      const value = storage.transactionSync(() => {
        const value = operation.run(context, args);
        emitLicenseEvents(sql, context.change);
        if (idempotency && scope) record(sql, scope, idempotency, idempotency.status, JSON.stringify(value ?? null), call.now);
        return value;
      });
      return { ok: true, value };
    } catch (error) {
      if (!isAppSeatsError(error)) throw error;
      const refusal = { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } as StoreRefusal;
      // A refusal of the operation itself is its answer too (R13); one of the caller or the key is not.
      const idempotency = call.idempotency;
      if (idempotency && scope && !["Unauthenticated", "Forbidden", "IdempotencyKeyReused"].includes(error.code)) {
        storage.transactionSync(() =>
          record(sql, scope!, idempotency, errorStatus[error.code], JSON.stringify({ error: refusal }), call.now),
        );
      }
      return { ok: false, refusal };
    } finally {
      await this.#deliverSoon();
    }
  }

  #lastHousekeeping = 0;

  /** At most once an hour: sessions that expired and idempotency records past their 24 hours go (R13). */
  #keepHouse(now: string): void {
    const at = Date.parse(now);
    if (at - this.#lastHousekeeping < 60 * 60 * 1000) return;
    this.#lastHousekeeping = at;
    const sql = this.ctx.storage.sql;
    sql.exec(`DELETE FROM session_tokens WHERE expires_at <= ?`, now);
    sql.exec(`DELETE FROM idempotency_records WHERE created_at < ?`, new Date(at - replayWindowMs).toISOString());
  }

  /** What waits in the outbox is delivered at once, by the alarm, unless a delivery is already due. */
  async #deliverSoon(): Promise<void> {
    if (this.ctx.storage.sql.exec(`SELECT 1 FROM outbox LIMIT 1`).toArray().length === 0) return;
    const alarm = await this.ctx.storage.getAlarm();
    if (alarm === null || alarm > Date.now()) await this.ctx.storage.setAlarm(Date.now());
  }

  /** When the store next looks at its pending webhook deliveries (epoch ms), or null. */
  #watch(): number | null {
    return first(this.ctx.storage.sql, { next_check_at: integer }, `SELECT next_check_at FROM webhook_watch`)?.next_check_at ?? null;
  }

  #setWatch(at: number | null): void {
    if (at === null) this.ctx.storage.sql.exec(`DELETE FROM webhook_watch`);
    else
      this.ctx.storage.sql.exec(
        `INSERT INTO webhook_watch (id, next_check_at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET next_check_at = excluded.next_check_at`,
        at,
      );
  }

  /** A delivery of this tenant's was made pending again (a vendor's retry): watched until done. */
  async watchDeliveries(): Promise<void> {
    const at = Date.now() + overdueAfterMs;
    const watch = this.#watch();
    if (watch === null || watch > at) this.#setWatch(at);
    const alarm = await this.ctx.storage.getAlarm();
    if (alarm === null || alarm > at) await this.ctx.storage.setAlarm(at);
  }

  /** A webhook event's body, for the sender's attempt; null when it is no longer kept. */
  webhookBody(tenantId: string, id: string): string | null {
    this.#tenant(tenantId);
    return webhookBody(this.ctx.storage.sql, id);
  }

  /**
   * Hands the outbox over to the control plane (its index, the webhooks' deliveries); what is left,
   * or failed, is tried again later. The bodies of events a webhook wants are kept; the others go
   * with their entries. While deliveries are pending, looks at them every 30 seconds: wakes those
   * overdue, and forgets the bodies of those done (delivered, or removed with their webhook). The
   * looks stop once none is pending and every kept body has been asked about.
   */
  override async alarm(): Promise<void> {
    const sql = this.ctx.storage.sql;
    const tenantId = first(sql, { tenant_id: text }, `SELECT tenant_id FROM store_tenant`)?.tenant_id;
    if (!tenantId) return;
    let handed = false;
    const next = await deliverOutbox(this.ctx.storage, async (entries) => {
      const pending = await handOver(this.env, tenantId, entries);
      keepWebhookBodies(sql, pending);
      handed ||= pending.length > 0;
    });
    const now = Date.now();
    let watch = this.#watch();
    if (handed && (watch === null || watch > now + watchEveryMs)) watch = now + watchEveryMs;
    if (watch !== null && watch <= now) {
      watch = await wakeOverdue(this.env, tenantId, now);
      const more = await this.#forgetDelivered(tenantId).catch((error: unknown) => {
        console.error(`store of ${tenantId}: the bodies of delivered webhook events are kept until a later look: ${String(error)}`);
        return false;
      });
      // Nothing pending, but bodies not yet asked about: the store looks again until it has asked about them all.
      if (watch === null && more) watch = now + watchEveryMs;
    }
    this.#setWatch(watch);
    const wakeAt = Math.min(next ?? Number.POSITIVE_INFINITY, watch ?? Number.POSITIVE_INFINITY);
    if (Number.isFinite(wakeAt)) await this.ctx.storage.setAlarm(wakeAt);
  }

  /** Where the next look goes on asking about the kept bodies (in the instance only: after an eviction, from the start). */
  #bodiesAfter = "";

  /**
   * The bodies kept whose deliveries are done, forgotten; those pending or failed stay. A look asks
   * about at most `bodiesPerLook` of them, going on where the last one stopped, so that a vendor
   * whose failures pile up costs a few queries a look, not one per 500 of its bodies. True when
   * the bodies have not all been asked about since the last pass ended.
   */
  async #forgetDelivered(tenantId: string): Promise<boolean> {
    const sql = this.ctx.storage.sql;
    for (let asked = 0; asked < bodiesPerLook; asked += bodiesAsked) {
      const ids = keptBodies(sql, this.#bodiesAfter, bodiesAsked);
      this.#bodiesAfter = ids.length === bodiesAsked ? ids.at(-1)! : "";
      if (ids.length > 0) forgetWebhookBodies(sql, await doneWith(this.env, tenantId, ids));
      if (this.#bodiesAfter === "") return false;
    }
    return true;
  }
}

/** How many kept bodies the control plane is asked about at once (one D1 query), and at most in one look. */
const bodiesAsked = 500;
const bodiesPerLook = 2_000;

/** The first answer to this key, if it was given in the last 24 hours with the same request; the key reused for another is 422. */
function firstAnswer(sql: SqlStorage, scope: string, idempotency: { key: string; fingerprint: string }, now: string) {
  const since = new Date(Date.parse(now) - replayWindowMs).toISOString();
  const row = first(
    sql,
    { fingerprint: text, state: oneOf("inFlight", "done"), status: nullable(integer), response: nullable(text), created_at: text },
    `SELECT fingerprint, state, status, response, created_at FROM idempotency_records WHERE scope = ? AND key = ? AND created_at >= ?`,
    scope,
    idempotency.key,
    since,
  );
  if (!row) return null;
  if (row.fingerprint !== idempotency.fingerprint) {
    throw new AppSeatsError("IdempotencyKeyReused", "This Idempotency-Key was already used for another request. Use a new key.");
  }
  if (row.state === "inFlight") {
    // Only a record moved from the D1 design can be in flight (a store's change and its record are one transaction);
    // one older than a minute is from a request that died, and its key may be taken again.
    if (Date.parse(now) - Date.parse(row.created_at) > 60_000) return null;
    throw new AppSeatsError("IdempotencyKeyInFlight", "A request with this Idempotency-Key is still being processed. Try again shortly.");
  }
  return { status: row.status ?? 200, body: row.response ?? "" };
}

function record(
  sql: SqlStorage,
  scope: string,
  idempotency: { key: string; fingerprint: string },
  status: number,
  body: string,
  now: string,
) {
  sql.exec(
    `INSERT INTO idempotency_records (scope, key, fingerprint, state, status, response, created_at) VALUES (?, ?, ?, 'done', ?, ?, ?)
     ON CONFLICT (scope, key) DO UPDATE SET fingerprint = excluded.fingerprint, state = 'done', status = excluded.status,
       response = excluded.response, created_at = excluded.created_at`,
    scope,
    idempotency.key,
    idempotency.fingerprint,
    status,
    body,
    now,
  );
}
