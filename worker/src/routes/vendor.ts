/** /vendor/v1: vendors set quantity and status, ask for usage rights, and complete installs. */
import {
  IdParam,
  InstallComplete,
  ListQuery,
  Purchase,
  PurchasedSubscription,
  SubscriptionUpdate,
  UsageRights,
  UsageRightsQuery,
  VendorSubscription,
  VendorSubscriptionsPage,
} from "@appseats/shared";
import { Hono } from "hono";
import { authenticateVendor } from "../auth/vendor.js";
import type { AppEnv } from "../http/env.js";
import { idempotentForVendor } from "../http/idempotency.js";
import { documented } from "../http/openapi.js";
import { validate } from "../http/validate.js";
import { completeInstall } from "../licensing/install.js";
import { recordPurchase, vendorSubscriptions } from "../licensing/purchases.js";
import { updateSubscription, usageRights, vendorSubscription } from "../licensing/vendor.js";

export const vendorRoutes = new Hono<AppEnv>()
  .use("*", authenticateVendor)
  .post(
    "/subscriptions",
    documented({
      summary: "Record a purchase; an unknown Entra tenant id brings its organisation in (R17)",
      answer: PurchasedSubscription,
      status: 201,
      errors: ["NotFound"],
    }),
    idempotentForVendor,
    validate("json", Purchase),
    async (c) => c.json(await recordPurchase(c.env.DB, c.get("vendor"), c.get("requestId"), c.req.valid("json")), 201),
  )
  .get(
    "/subscriptions",
    documented({ summary: "The vendor's subscriptions, a page at a time", answer: VendorSubscriptionsPage }),
    validate("query", ListQuery),
    async (c) => c.json(await vendorSubscriptions(c.env.DB, c.get("vendor").id, c.req.valid("query"))),
  )
  .get(
    "/subscriptions/:id",
    documented({ summary: "A subscription of the vendor's app", answer: VendorSubscription, errors: ["NotFound"] }),
    validate("param", IdParam),
    async (c) => c.json(await vendorSubscription(c.env.DB, c.get("vendor").id, c.req.valid("param").id)),
  )
  .put(
    "/subscriptions/:id",
    documented({ summary: "Set purchased quantity, status and the renewal date", answer: VendorSubscription, errors: ["NotFound"] }),
    idempotentForVendor,
    validate("param", IdParam),
    validate("json", SubscriptionUpdate),
    async (c) =>
      c.json(await updateSubscription(c.env.DB, c.get("vendor"), c.get("requestId"), c.req.valid("param").id, c.req.valid("json"))),
  )
  .get(
    "/subscriptions/:id/usage-rights",
    documented({ summary: "Does this user hold a usable license?", answer: UsageRights, errors: ["NotFound"] }),
    validate("param", IdParam),
    validate("query", UsageRightsQuery),
    async (c) => c.json(await usageRights(c.env.DB, c.get("vendor").id, c.req.valid("param").id, c.req.valid("query").user)),
  )
  .post(
    "/installs/:id/complete",
    documented({ summary: "Confirm an install", answer: InstallComplete, errors: ["NotFound"] }),
    idempotentForVendor,
    validate("param", IdParam),
    async (c) => c.json(await completeInstall(c.env.DB, c.get("vendor"), c.get("requestId"), c.req.valid("param").id)),
  );
