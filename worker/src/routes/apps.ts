/** /api/v1/apps: an app's icon, served by the worker so that the extension loads none from a vendor (catalog/icons.ts). */
import { IdParam } from "@appseats/shared";
import { Hono } from "hono";
import { iconAt } from "../catalog/icons.js";
import { iconUrlOf } from "../control/plane.js";
import { notFound } from "../errors.js";
import type { AppEnv } from "../http/env.js";
import { documented } from "../http/openapi.js";
import { ask } from "../http/store.js";
import { validate } from "../http/validate.js";

export const appRoutes = new Hono<AppEnv>().get(
  "/:id/icon",
  documented({ summary: "An app's icon (of an app the tenant subscribes to)", answer: { mediaType: "image/*" }, errors: ["NotFound"] }),
  validate("param", IdParam),
  async (c) => {
    // The caller is checked by their store while the catalog is read.
    const [url] = await Promise.all([
      iconUrlOf(c.env.DB, c.get("target").tenantId, c.req.valid("param").id),
      ask(c, "check", { capability: "read" }),
    ]);
    if (!url || !URL.canParse(url) || new URL(url).protocol !== "https:") throw notFound("The app's icon");
    const icon = await iconAt(url, typeof caches === "undefined" ? undefined : caches.default);
    // The app-wide Content-Security-Policy (default-src 'none') keeps an SVG opened on its own inert.
    return c.body(icon.body, 200, { "content-type": icon.contentType, "cache-control": "private, max-age=86400" });
  },
);
