/**
 * Rate limits (the Workers rate-limiting binding). Each credential has its own budget, and
 * requests without one share a budget per client address. Credentials that fail — of the wrong
 * shape, unknown, expired or revoked — count against their client address: past a small budget
 * the address is refused with 429 before any credential of its is looked up (the security
 * review: random tokens must not each buy a fresh budget and a database read). Over budget:
 * 429 RateLimited with Retry-After. The budgets are in wrangler.jsonc.
 */
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { bearerOf } from "../auth/secrets.js";
import { AppSeatsError } from "../errors.js";
import { addressBudgetKey } from "./client-address.js";
import type { AppEnv } from "./env.js";
import { documents } from "./openapi.js";

const periodSeconds = 60;

/** The client's address as Cloudflare tells it (an IPv6 one by its /64); local runs have none. */
const addressOf = (c: Context<AppEnv>) => addressBudgetKey(c.req.header("cf-connecting-ip") ?? "local");

/** Seconds until the binding's window ends: it tells no reset time, and a window is at most one period. */
const secondsLeft = (nowMs: number) => periodSeconds - (Math.floor(nowMs / 1000) % periodSeconds);

const rateLimited = (retryAfterSeconds: number) =>
  new AppSeatsError("RateLimited", `Too many requests. Try again in ${retryAfterSeconds} seconds.`, { retryAfterSeconds });

/**
 * Addresses past their budget of failed credentials, until when (ms), in this isolate: their
 * requests are refused before any lookup. The binding counts the failures across isolates; each
 * isolate learns of an address the first time one of its failures is refused there.
 */
const refusedAddresses = new Map<string, number>();
const refusedAddressesKept = 10_000;

function refusedUntil(address: string, nowMs: number): number | undefined {
  const until = refusedAddresses.get(address);
  if (until === undefined) return undefined;
  if (until > nowMs) return until;
  refusedAddresses.delete(address);
  return undefined;
}

function refuse(address: string, nowMs: number) {
  if (refusedAddresses.size >= refusedAddressesKept) refusedAddresses.delete(refusedAddresses.keys().next().value!);
  refusedAddresses.set(address, nowMs + secondsLeft(nowMs) * 1000);
}

/**
 * A credential failed: it counts against the client's address, and the request is answered
 * `refusal` (401) — or 429, once the address has failed too often this minute.
 */
export async function credentialFailed(c: Context<AppEnv>, refusal: AppSeatsError): Promise<never> {
  const address = addressOf(c);
  const { success } = await c.env.FAILED_CREDENTIALS_RATE_LIMITER.limit({ key: `address:${address}` });
  if (!success) {
    const now = Date.now();
    refuse(address, now);
    throw rateLimited(secondsLeft(now));
  }
  throw refusal;
}

/** One request against a budget; 429 when it is spent. */
async function spend(limiter: RateLimit, key: string) {
  const { success } = await limiter.limit({ key });
  if (!success) throw rateLimited(secondsLeft(Date.now()));
}

const limitedBy = (limiter: (env: Env) => RateLimit) =>
  documents(
    createMiddleware<AppEnv>(async (c, next) => {
      const address = addressOf(c);
      const until = refusedUntil(address, Date.now());
      if (until !== undefined) throw rateLimited(Math.ceil((until - Date.now()) / 1000));
      const bearer = await bearerOf(c);
      // A credential's own budget is spent before it is looked up; one that fails also counts
      // against the address (credentialFailed), so fresh random tokens do not buy fresh budgets.
      await spend(limiter(c.env), bearer ? `token:${bearer.hash.slice(0, 32)}` : `address:${address}`);
      await next();
    }),
    { errors: ["RateLimited"] },
  );

/** Admins and vendors: 1,200 requests a minute per credential. */
export const rateLimit = limitedBy((env) => env.RATE_LIMITER);

/** A directory's provisioning token: 30,000 a minute, for an initial sync of a large directory. */
export const provisioningRateLimit = limitedBy((env) => env.PROVISIONING_RATE_LIMITER);
