/**
 * A rate limit per credential (the Workers rate-limiting binding): each bearer token, vendor key
 * or provisioning token has its own budget, and requests without one share a budget per client
 * address. Over budget: 429 RateLimited with Retry-After. The budgets are in wrangler.jsonc.
 */
import { createMiddleware } from "hono/factory";
import { bearerOf } from "../auth/secrets.js";
import { AppSeatsError } from "../errors.js";
import type { AppEnv } from "./env.js";
import { documents } from "./openapi.js";

const periodSeconds = 60;

const limitedBy = (limiter: (env: Env) => RateLimit) =>
  documents(
    createMiddleware<AppEnv>(async (c, next) => {
      const bearer = await bearerOf(c);
      const key = bearer ? `token:${bearer.hash.slice(0, 32)}` : `address:${c.req.header("cf-connecting-ip") ?? "local"}`;
      const { success } = await limiter(c.env).limit({ key });
      if (!success) {
        // The binding tells no reset time; the window is at most one period long.
        const retryAfterSeconds = periodSeconds - (Math.floor(Date.now() / 1000) % periodSeconds);
        throw new AppSeatsError("RateLimited", `Too many requests. Try again in ${retryAfterSeconds} seconds.`, { retryAfterSeconds });
      }
      await next();
    }),
    { errors: ["RateLimited"] },
  );

/** Admins and vendors: 1,200 requests a minute per credential. */
export const rateLimit = limitedBy((env) => env.RATE_LIMITER);

/** A directory's provisioning token: 30,000 a minute, for an initial sync of a large directory. */
export const provisioningRateLimit = limitedBy((env) => env.PROVISIONING_RATE_LIMITER);
