/**
 * /vendor/v1: vendors record purchases, set quantity and status, ask for usage rights, complete
 * installs, and keep a webhook that is told of seats given and taken (API.md, "Vendor webhooks").
 */
import {
  DeliveriesPage,
  DeliveriesQuery,
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
  WebhookCreated,
  WebhookRequest,
  WebhookSecret,
  WebhookView,
  webhookEventTypes,
  webhookLimits,
} from "@appseats/shared";
import { type Context, Hono } from "hono";
import type { VendorSubscriptionRoute } from "../auth/callers.js";
import { sha256Hex } from "../auth/secrets.js";
import { authenticateVendor } from "../auth/vendor.js";
import { indexPurchase, purchaseTarget, vendorSubscriptions } from "../control/plane.js";
import { deleteWebhook, deliveriesOf, deliveryOf, retryDelivery, rotateSecret, setWebhook, webhookOf } from "../control/webhooks.js";
import { AppSeatsError, notFound } from "../errors.js";
import type { AppEnv } from "../http/env.js";
import { devRoutesServed, documented } from "../http/openapi.js";
import { ask, askStore, idempotent, storeOf } from "../http/store.js";
import { validate } from "../http/validate.js";
import { newId } from "../ids.js";
import { wakeDelivery } from "../webhooks/sender.js";
import { checkWebhookUrl, newSecret, sealSecret } from "../webhooks/signing.js";

/**
 * A new signing secret for a vendor's webhook: the secret, to show this once, and what is stored —
 * it sealed, and until when the secret it replaces also signs.
 */
async function issueSecret(env: Env, vendorId: string) {
  const secret = newSecret();
  const now = Date.now();
  const stored = {
    secret: await sealSecret(env, vendorId, secret),
    previousUntil: new Date(now + webhookLimits.previousSecretMs).toISOString(),
    now: new Date(now).toISOString(),
  };
  return { secret, stored };
}

const noWebhook = () => new AppSeatsError("NotFound", "You have no webhook. Set one with PUT /vendor/v1/webhook.");

/** The subscription the request names, if it is of one of the vendor's apps; any other is 404. */
function subscriptionOf(c: Context<AppEnv>, what = "The subscription"): VendorSubscriptionRoute {
  const subscription = c.get("vendorSubscription");
  if (!subscription) throw notFound(what);
  return subscription;
}

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
    idempotent(201),
    validate("json", Purchase),
    async (c) => {
      const purchase = c.req.valid("json");
      const vendor = c.get("vendor");
      const now = new Date().toISOString();
      const target = await purchaseTarget(c.env.DB, vendor.id, purchase, now);
      if (!target.app) throw notFound("The app");
      if (!target.tenantId) {
        throw notFound(
          `No organisation in AppSeats has the domain ${"domain" in purchase.tenant ? purchase.tenant.domain : ""}; name it by its Entra tenant id.`,
        );
      }
      // A purchase sent again with its Idempotency-Key names the same subscription, so that it is indexed once.
      const key = c.get("idempotency")?.key;
      const id = key ? `sub_${(await sha256Hex(`${vendor.id}\n${key}`)).slice(0, 32)}` : `sub_${newId()}`;
      const status = purchase.status ?? "active";
      // Indexed first, so that the subscription is found by the vendor's next request; its figures follow from the store.
      await indexPurchase(c.env.DB, {
        id,
        tenantId: target.tenantId,
        appId: target.app.id,
        plan: purchase.plan,
        purchased: purchase.quantity,
        status,
        renewsAt: purchase.renewsAt ?? null,
        now,
      });
      const answer = await askStore(
        c.env,
        { tenantId: target.tenantId, credential: { kind: "vendor", ...vendor } },
        "purchase",
        { id, app: target.app, purchase, broughtIn: target.broughtIn },
        { requestId: c.get("requestId"), now, idempotency: c.get("idempotency") },
      );
      return c.json(answer, 201);
    },
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
    async (c) => {
      return c.json(await ask(c, "subscription", { id: subscriptionOf(c).id }));
    },
  )
  .put(
    "/subscriptions/:id",
    documented({ summary: "Set purchased quantity, status and the renewal date", answer: VendorSubscription, errors: ["NotFound"] }),
    idempotent(),
    validate("param", IdParam),
    validate("json", SubscriptionUpdate),
    async (c) => {
      const subscription = subscriptionOf(c);
      return c.json(
        await ask(c, "updateSubscription", { id: subscription.id, appName: subscription.appName, update: c.req.valid("json") }),
      );
    },
  )
  .get(
    "/subscriptions/:id/usage-rights",
    documented({ summary: "Does this user hold a usable license?", answer: UsageRights, errors: ["NotFound"] }),
    validate("param", IdParam),
    validate("query", UsageRightsQuery),
    async (c) => c.json(await ask(c, "usageRights", { id: subscriptionOf(c).id, user: c.req.valid("query").user })),
  )
  .post(
    "/installs/:id/complete",
    documented({ summary: "Confirm an install", answer: InstallComplete, errors: ["NotFound"] }),
    idempotent(),
    validate("param", IdParam),
    async (c) => {
      const subscription = subscriptionOf(c, "The install");
      return c.json(await ask(c, "completeInstall", { installId: c.req.valid("param").id, appName: subscription.appName }));
    },
  )
  .put(
    "/webhook",
    documented({
      summary: "Set the vendor's webhook: its URL and the events it wants; answers its new signing secret, shown once",
      answer: WebhookCreated,
    }),
    validate("json", WebhookRequest),
    async (c) => {
      const { url, events = [...webhookEventTypes] } = c.req.valid("json");
      checkWebhookUrl(url, devRoutesServed(c.env));
      const wanted = [...new Set(events)];
      const { secret, stored } = await issueSecret(c.env, c.get("vendor").id);
      await setWebhook(c.env.DB, c.get("vendor").id, { url, events: wanted, ...stored });
      return c.json({ url, events: wanted, secret } satisfies WebhookCreated);
    },
  )
  .get("/webhook", documented({ summary: "The vendor's webhook", answer: WebhookView, errors: ["NotFound"] }), async (c) => {
    const webhook = await webhookOf(c.env.DB, c.get("vendor").id);
    if (!webhook) throw noWebhook();
    return c.json({ url: webhook.url, events: webhook.events, createdAt: webhook.createdAt } satisfies WebhookView);
  })
  .delete(
    "/webhook",
    documented({ summary: "Remove the vendor's webhook: nothing more is sent", answer: "none", errors: ["NotFound"] }),
    async (c) => {
      if (!(await deleteWebhook(c.env.DB, c.get("vendor").id))) throw noWebhook();
      return c.body(null, 204);
    },
  )
  .post(
    "/webhook/secret",
    documented({
      summary: "A new signing secret, shown once; for 24 hours the previous one signs too",
      answer: WebhookSecret,
      errors: ["NotFound"],
    }),
    async (c) => {
      const { secret, stored } = await issueSecret(c.env, c.get("vendor").id);
      if (!(await rotateSecret(c.env.DB, c.get("vendor").id, stored))) throw noWebhook();
      return c.json({ secret, previousUntil: stored.previousUntil } satisfies WebhookSecret);
    },
  )
  .get(
    "/webhook/deliveries",
    documented({ summary: "The webhook's deliveries, newest first", answer: DeliveriesPage }),
    validate("query", DeliveriesQuery),
    async (c) => c.json(await deliveriesOf(c.env.DB, c.get("vendor").id, c.req.valid("query"))),
  )
  .post(
    "/webhook/deliveries/:id/retry",
    documented({ summary: "Send a failed delivery again", answer: "none", status: 202, errors: ["NotFound"] }),
    validate("param", IdParam),
    async (c) => {
      const vendor = c.get("vendor");
      const id = c.req.valid("param").id;
      const delivery = await deliveryOf(c.env.DB, vendor.id, id);
      if (!delivery) throw new AppSeatsError("NotFound", "None of your webhook's deliveries has this id.");
      if (delivery.status !== "failed" || !(await retryDelivery(c.env.DB, vendor.id, id, new Date().toISOString()))) {
        throw new AppSeatsError("InvalidRequest", `Only a failed delivery can be sent again; this one is ${delivery.status}.`, {
          issues: [{ path: "id", message: `names a delivery that is ${delivery.status}, not failed` }],
        });
      }
      await wakeDelivery(c.env, id);
      // Its tenant's store watches it until it is done, should this message be lost.
      await storeOf(c.env, delivery.tenant_id).watchDeliveries();
      return c.body(null, 202);
    },
  );
