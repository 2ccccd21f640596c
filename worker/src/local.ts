/**
 * The AppSeats worker for local runs (npm start, wrangler dev, the tests): the production app
 * with the local sign-in at /api/v1/dev. `npm run deploy` never bundles this file (wrangler.jsonc's
 * main is index.ts), and CI checks that the production bundle has none of it.
 */
import { createApp, handlersOf } from "./app.js";
import { devRoutes } from "./routes/dev.js";

export const app = createApp(devRoutes);

/** The routes' types, for the extension's client (hono/client): the local ones, dev sign-in included. */
export type AppType = typeof app;

/** Each tenant's store, a Durable Object (store/tenant-store.ts). */
export { TenantStore } from "./store/tenant-store.js";
/** The webhooks' sender, which the queue's consumer reaches through a service binding (webhooks/sender.ts). */
export { WebhookSender } from "./webhooks/sender.js";

export default handlersOf(app);
