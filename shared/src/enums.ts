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
