/**
 * A rate limit per credential (the Workers rate-limiting binding): each bearer token or vendor
 * key has its own budget, and requests without one share a budget per client address.
 * Over budget: 429 RateLimited with Retry-After.
 */
import { createMiddleware } from "hono/factory";
import { bearerOf } from "../auth/secrets.js";
import { AppSeatsError } from "../errors.js";
import type { AppEnv } from "./env.js";
import { documents } from "./openapi.js";

const periodSeconds = 60;

export const rateLimit = documents(
  createMiddleware<AppEnv>(async (c, next) => {
    const bearer = await bearerOf(c);
    const key = bearer ? `token:${bearer.hash.slice(0, 32)}` : `address:${c.req.header("cf-connecting-ip") ?? "local"}`;
    const { success } = await c.env.RATE_LIMITER.limit({ key });
    if (!success) {
      // The binding tells no reset time; the window is at most one period long.
      const retryAfterSeconds = periodSeconds - (Math.floor(Date.now() / 1000) % periodSeconds);
      throw new AppSeatsError("RateLimited", `Too many requests. Try again in ${retryAfterSeconds} seconds.`, { retryAfterSeconds });
    }
    await next();
  }),
  { errors: ["RateLimited"] },
);
