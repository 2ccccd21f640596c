/**
 * Vendor webhooks (API.md, "Vendor webhooks"): the vendor's requests and answers, and the events
 * AppSeats sends, signed by the Standard Webhooks scheme.
 */
import { z } from "zod";
import { deliveryStatuses, grantPaths, revokeReasons, webhookEventTypes } from "./enums.ts";
import { webhookLimits } from "./limits.ts";
import { Seats, SubscriptionStatus } from "./seats.ts";

export const WebhookEventType = z.enum(webhookEventTypes).meta({ id: "WebhookEventType" });

/** Where the events go: an absolute `https:` URL (a loopback `http:` one too while local sign-in is on: the worker checks). */
export const WebhookUrl = z
  .url({ protocol: /^https?$/, error: "must be an absolute http(s) URL" })
  .max(webhookLimits.maxUrlLength, `must be at most ${webhookLimits.maxUrlLength} characters`);

export const WebhookRequest = z
  .strictObject({
    url: WebhookUrl,
    /** All events when omitted. */
    events: z.array(WebhookEventType).min(1, "name at least one event, or leave events out for all").optional(),
  })
  .meta({ id: "WebhookRequest" });
export type WebhookRequest = z.infer<typeof WebhookRequest>;

/** A signing secret as Standard Webhooks writes one: `whsec_` and the base64 of 32 random bytes. */
const Secret = z.string().regex(/^whsec_[A-Za-z0-9+/]{43}=$/);

/** The webhook just set, with its new signing secret, shown this once. */
export const WebhookCreated = z
  .object({ url: z.string(), events: z.array(WebhookEventType), secret: Secret })
  .meta({ id: "WebhookCreated" });
export type WebhookCreated = z.infer<typeof WebhookCreated>;

export const WebhookView = z
  .object({ url: z.string(), events: z.array(WebhookEventType), createdAt: z.iso.datetime() })
  .meta({ id: "WebhookView" });
export type WebhookView = z.infer<typeof WebhookView>;

/** A new signing secret, shown once; the previous one also signs until `previousUntil`. */
export const WebhookSecret = z.object({ secret: Secret, previousUntil: z.iso.datetime() }).meta({ id: "WebhookSecret" });
export type WebhookSecret = z.infer<typeof WebhookSecret>;

export const DeliveryStatus = z.enum(deliveryStatuses);

export const DeliveriesQuery = z.object({
  status: DeliveryStatus.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(512).optional(),
});

export const Delivery = z
  .object({
    id: z.string(),
    type: WebhookEventType,
    attempts: z.int().nonnegative(),
    status: DeliveryStatus,
    lastAttemptAt: z.iso.datetime().nullable(),
    /** The HTTP status the vendor answered last; null when it did not answer (refused, timed out). */
    lastStatus: z.int().nullable(),
    subscriptionId: z.string(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: "WebhookDelivery" });
export type Delivery = z.infer<typeof Delivery>;

export const DeliveriesPage = z.object({ items: z.array(Delivery), nextCursor: z.string().nullable() }).meta({ id: "WebhookDeliveries" });
export type DeliveriesPage = z.infer<typeof DeliveriesPage>;

// ---- The events --------------------------------------------------------------------------------

export const EventUser = z.object({ id: z.string(), userPrincipalName: z.string(), externalId: z.string().optional() });
export type EventUser = z.infer<typeof EventUser>;

const LicenseEventData = z.object({
  subscriptionId: z.string(),
  tenantId: z.string(),
  users: z.array(EventUser).min(1).max(webhookLimits.maxUsersPerEvent),
});

export const LicenseGranted = LicenseEventData.extend({ via: z.enum(grantPaths) });
export const LicenseRevoked = LicenseEventData.extend({ reason: z.enum(revokeReasons) });
export const SubscriptionChanged = z.object({ subscriptionId: z.string(), tenantId: z.string(), status: SubscriptionStatus, seats: Seats });

/** The body of every request to a webhook. */
export const WebhookEvent = z
  .discriminatedUnion("type", [
    z.object({ type: z.literal("license.granted"), timestamp: z.iso.datetime(), data: LicenseGranted }),
    z.object({ type: z.literal("license.revoked"), timestamp: z.iso.datetime(), data: LicenseRevoked }),
    z.object({ type: z.literal("subscription.changed"), timestamp: z.iso.datetime(), data: SubscriptionChanged }),
  ])
  .meta({ id: "WebhookEvent" });
export type WebhookEvent = z.infer<typeof WebhookEvent>;
export type WebhookEventData<T extends WebhookEvent["type"]> = Extract<WebhookEvent, { type: T }>["data"];
