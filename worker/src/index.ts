/**
 * The AppSeats worker in production: the system of record for third-party app licenses. This
 * entry point has no local sign-in at all; wrangler dev and the tests run local.ts instead.
 */
import { Hono } from "hono";
import { createApp, handlersOf } from "./app.js";
import type { AppEnv } from "./http/env.js";

export const app = createApp(new Hono<AppEnv>());

/** Each tenant's store, a Durable Object (store/tenant-store.ts). */
export { TenantStore } from "./store/tenant-store.js";
/** The webhooks' sender, which the queue's consumer reaches through a service binding (webhooks/sender.ts). */
export { WebhookSender } from "./webhooks/sender.js";

export default handlersOf(app);
