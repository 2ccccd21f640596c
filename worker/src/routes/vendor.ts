/** /vendor/v1: vendors set quantity and status, ask for usage rights, and complete installs. */
import { IdParam, SubscriptionUpdate, UsageRightsQuery } from "@appseats/shared";
import { Hono } from "hono";
import { authenticateVendor } from "../auth/vendor.js";
import type { AppEnv } from "../http/env.js";
import { idempotentForVendor } from "../http/idempotency.js";
import { validate } from "../http/validate.js";
import { completeInstall } from "../licensing/install.js";
import { updateSubscription, usageRights, vendorSubscription } from "../licensing/vendor.js";

export const vendorRoutes = new Hono<AppEnv>()
  .use("*", authenticateVendor)
  .get("/subscriptions/:id", validate("param", IdParam), async (c) =>
    c.json(await vendorSubscription(c.env.DB, c.get("vendor").id, c.req.valid("param").id)),
  )
  .put("/subscriptions/:id", idempotentForVendor, validate("param", IdParam), validate("json", SubscriptionUpdate), async (c) =>
    c.json(await updateSubscription(c.env.DB, c.get("vendor"), c.get("requestId"), c.req.valid("param").id, c.req.valid("json"))),
  )
  .get("/subscriptions/:id/usage-rights", validate("param", IdParam), validate("query", UsageRightsQuery), async (c) =>
    c.json(await usageRights(c.env.DB, c.get("vendor").id, c.req.valid("param").id, c.req.valid("query").user)),
  )
  .post("/installs/:id/complete", idempotentForVendor, validate("param", IdParam), async (c) =>
    c.json(await completeInstall(c.env.DB, c.get("vendor"), c.get("requestId"), c.req.valid("param").id)),
  );
