/**
 * The API's enumerations, each defined once, with no zod in this module: the schemas make their
 * enums of these, and the extension's pages import them (`@appseats/shared/enums`) without the
 * schemas' library.
 */

/** Admin roles (R10), as the Microsoft 365 admin center names them. */
export const roles = ["GlobalAdmin", "LicenseAdmin", "UserAdmin", "BillingAdmin", "GlobalReader"] as const;
export type RoleName = (typeof roles)[number];

/** A subscription's status (R8); statuses.ts says which give seats. */
export const subscriptionStatuses = ["active", "warning", "suspended", "lockedOut", "expired"] as const;
export type SubscriptionStatusName = (typeof subscriptionStatuses)[number];

/** Who holds a license: a user, or a group whose members each hold it. */
export const principalTypes = ["user", "group"] as const;
export type PrincipalTypeName = (typeof principalTypes)[number];

/** What a directory search looks for. */
export const searchTypes = [...principalTypes, "all"] as const;
export type SearchType = (typeof searchTypes)[number];

/** A license held (active) or a place in its queue (waiting; R6). */
export const licenseStates = ["active", "waiting"] as const;
export type LicenseStateName = (typeof licenseStates)[number];

/** What a vendor's webhook is told (API.md, "Vendor webhooks"). */
export const webhookEventTypes = ["license.granted", "license.revoked", "subscription.changed"] as const;
export type WebhookEventTypeName = (typeof webhookEventTypes)[number];

/** How users got their seat (`license.granted`'s `via`). */
export const grantPaths = ["direct", "group", "waitingList"] as const;
export type GrantPath = (typeof grantPaths)[number];

/** Why users lost their seat (`license.revoked`'s `reason`). */
export const revokeReasons = ["unassigned", "removedFromGroup", "userDeleted", "groupDeleted"] as const;
export type RevokeReason = (typeof revokeReasons)[number];

/** Where a delivery to a vendor's webhook stands. */
export const deliveryStatuses = ["pending", "delivered", "failed"] as const;
export type DeliveryStatusName = (typeof deliveryStatuses)[number];
