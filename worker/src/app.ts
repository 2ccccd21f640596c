/**
 * The AppSeats worker's app: admin API under /api/v1 (a tenant admin's token), vendor API under
 * /vendor/v1 (a vendor key), directory sync under /scim/v2 (a provisioning token). Built by the
 * two entry points: index.ts (production, nothing of local runs in it) and local.ts (wrangler dev
 * and the tests, with the local sign-in routes at /api/v1/dev).
 */

import { Hono } from "hono";
import { cors } from "hono/cors";
import { secureHeaders } from "hono/secure-headers";
import type { Schema } from "hono/types";
import { authenticateAdmin, readsNeedRole } from "./auth/admin.js";
import type { AppEnv } from "./http/env.js";
import { notFoundRoute, onError } from "./http/errors.js";
import { bodyErrors, jsonCharset, limitBody, requireJson } from "./http/guards.js";
import { documented, openApiDocument } from "./http/openapi.js";
import { provisioningRateLimit, rateLimit } from "./http/rate-limit.js";
import { serverRequestId } from "./http/request-id.js";
import { appRoutes } from "./routes/apps.js";
import { auditRoutes } from "./routes/audit.js";
import { directoryRoutes, userRoutes } from "./routes/directory.js";
import { licenseRoutes } from "./routes/licenses.js";
import { meRoutes } from "./routes/me.js";
import { operatorRoutes } from "./routes/operator.js";
import { provisioningRoutes } from "./routes/provisioning.js";
import { scimRoutes } from "./routes/scim.js";
import { authRoutes, sessionRoutes } from "./routes/session.js";
import { vendorRoutes } from "./routes/vendor.js";
import { consumeWebhookQueue } from "./webhooks/sender.js";

/** Only the extension's own pages may call from a browser. */
const extensionOrigin = /^(chrome-extension|moz-extension):\/\/[a-z0-9-]{1,64}$/i;

/**
 * The app, with `devRoutes` at /api/v1/dev: the local sign-in for local runs, or nothing at all
 * in production (every path there is then 404, like any path that does not exist).
 */
export function createApp<DevSchema extends Schema, DevPath extends string>(devRoutes: Hono<AppEnv, DevSchema, DevPath>) {
  const adminApi = new Hono<AppEnv>()
    .get(
      "/openapi.json",
      documented({
        summary: "This document: the OpenAPI 3.1 description of the API",
        answer: { mediaType: "application/json" },
        open: true,
      }),
      async (c) => c.json(await openApiDocument(documentedApp(), c, { bodyErrors })),
    )
    .route("/dev", devRoutes)
    .route("/auth", authRoutes)
    .use("*", authenticateAdmin)
    // Any signed-in user may ask who they are and sign out, whatever their roles.
    .route("/me", meRoutes)
    .route("/session", sessionRoutes)
    .route("/provisioning", provisioningRoutes)
    .use("*", readsNeedRole)
    .route("/licenses", licenseRoutes)
    .route("/directory", directoryRoutes)
    .route("/users", userRoutes)
    .route("/audit", auditRoutes)
    .route("/apps", appRoutes);

  const app = new Hono<AppEnv>()
    .use(serverRequestId)
    .use(
      secureHeaders({
        crossOriginResourcePolicy: "same-site",
        xFrameOptions: "DENY",
        contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
      }),
    )
    .use(
      cors({
        origin: (origin) => (extensionOrigin.test(origin) ? origin : null),
        allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE"],
        allowHeaders: ["Authorization", "Content-Type", "Idempotency-Key"],
        exposeHeaders: ["X-Request-Id", "Retry-After", "Idempotent-Replayed"],
        maxAge: 600,
      }),
    )
    .use(jsonCharset)
    .use("/api/*", rateLimit)
    .use("/vendor/*", rateLimit)
    .use("/scim/*", provisioningRateLimit)
    .use(limitBody)
    .use(requireJson)
    .route("/api/v1", adminApi)
    .route("/vendor/v1", vendorRoutes)
    .route("/ops/v1", operatorRoutes)
    .route("/scim/v2", scimRoutes);

  app.onError(onError);
  app.notFound(notFoundRoute);

  /** The app as openapi.json documents it; declared with its type so that the route serving it can name it. */
  function documentedApp(): Hono<AppEnv> {
    return app as unknown as Hono<AppEnv>;
  }
  return app;
}

/** The worker's handlers for an app: requests, and the webhooks' queues. Each tenant store keeps its own house (expired sessions, old idempotency records). */
export const handlersOf = (app: { fetch: ExportedHandlerFetchHandler<Env> }) =>
  ({ fetch: app.fetch, queue: consumeWebhookQueue }) satisfies ExportedHandler<Env>;
