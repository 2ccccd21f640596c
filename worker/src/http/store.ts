/**
 * How a request reaches its tenant's store: one RPC call (TenantStore.serve) carrying the
 * operation, its arguments and the request's credential, which authentication turned into a
 * target (the tenant, and the credential as the store checks it). A refusal comes back as a value
 * and is thrown here as the AppSeatsError it names; an Idempotency-Key's first answer comes back
 * as itself and is replayed (R13).
 */
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { sha256Hex } from "../auth/secrets.js";
import { AppSeatsError, isAppSeatsError } from "../errors.js";
import type { ArgsOf, OperationName, ResultOf, StoreCall, StoreCredential } from "../store/operations.js";
import type { StoreAnswer, TenantStore } from "../store/tenant-store.js";
import type { AppEnv } from "./env.js";
import { documents } from "./openapi.js";
import { credentialFailed } from "./rate-limit.js";

/** Where a request goes: its tenant's store, with the credential the store checks. */
export interface StoreTarget {
  tenantId: string;
  credential: StoreCredential;
}

/** The first answer to a repeated Idempotency-Key, answered again as it was (R13). */
export class Replayed extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super("replayed");
  }
}

export const storeOf = (env: Env, tenantId: string) =>
  env.TENANT_STORES.get(env.TENANT_STORES.idFromName(tenantId)) as unknown as DurableObjectStub<TenantStore>;

/** Calls a tenant's store once; throws its refusal. For code that is not a request's (the seed, the operator's commands). */
export async function askStore<K extends OperationName>(
  env: Env,
  target: StoreTarget,
  name: K,
  args: ArgsOf<K>,
  request: { requestId: string; now?: string; idempotency?: StoreCall["idempotency"] },
): Promise<ResultOf<K>> {
  const call: StoreCall = {
    tenantId: target.tenantId,
    requestId: request.requestId,
    now: request.now ?? new Date().toISOString(),
    credential: target.credential,
    ...(request.idempotency ? { idempotency: request.idempotency } : {}),
  };
  const serve = storeOf(env, target.tenantId).serve as unknown as (
    call: StoreCall,
    name: K,
    args: ArgsOf<K>,
  ) => Promise<StoreAnswer<ResultOf<K>>>;
  const answer = await serve(call, name, args);
  if (!answer.ok) throw new AppSeatsError(answer.refusal.code, answer.refusal.message, answer.refusal.details);
  if (answer.replay) throw new Replayed(answer.replay.status, answer.replay.body);
  return answer.value;
}

/**
 * The request's operation in its tenant's store. A credential the store does not admit counts
 * against the client's address, like any unknown credential (http/rate-limit.ts).
 */
export async function ask<K extends OperationName>(c: Context<AppEnv>, name: K, args: ArgsOf<K>): Promise<ResultOf<K>> {
  try {
    return await askStore(c.env, c.get("target"), name, args, { requestId: c.get("requestId"), idempotency: c.get("idempotency") });
  } catch (error) {
    if (isAppSeatsError(error) && error.code === "Unauthenticated") return credentialFailed(c, error);
    throw error;
  }
}

const keyPattern = /^[\x21-\x7e]{1,255}$/;

/**
 * R13: a change sent with an Idempotency-Key is done once. The same key and body within 24 hours
 * replays the first answer; the same key with another body is 422. The key is the caller's own
 * (an admin's, a vendor's): the store keeps it with the caller's change, in the same transaction.
 * `status` is the route's answer when it succeeds.
 */
export const idempotent = (status = 200) =>
  documents(
    createMiddleware<AppEnv>(async (c, next) => {
      const key = c.req.header("idempotency-key");
      if (key === undefined) return next();
      if (!keyPattern.test(key)) {
        throw new AppSeatsError("InvalidRequest", "The Idempotency-Key must be 1 to 255 visible ASCII characters.", {
          issues: [{ path: "Idempotency-Key", message: "must be 1 to 255 visible ASCII characters" }],
        });
      }
      const fingerprint = await sha256Hex(`${c.req.method} ${new URL(c.req.url).pathname}\n${await c.req.text()}`);
      c.set("idempotency", { key, fingerprint, status });
      await next();
    }),
    {
      errors: ["InvalidRequest", "IdempotencyKeyInFlight", "IdempotencyKeyReused"],
      parameters: [
        {
          name: "Idempotency-Key",
          in: "header",
          required: false,
          description: "Sent again with the same body within 24 hours, the first answer is replayed (R13).",
          schema: { type: "string", maxLength: 255 },
        },
      ],
    },
  );
