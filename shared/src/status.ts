/** Subscription statuses and which of them give seats (R8). No zod here, so the extension can import it. */

export const subscriptionStatuses = ["active", "warning", "suspended", "lockedOut", "expired"] as const;
export type SubscriptionStatusName = (typeof subscriptionStatuses)[number];

/** R8: seats are given only while a subscription is active or in its grace period. */
export const usableStatuses: readonly SubscriptionStatusName[] = ["active", "warning"];
export const isUsable = (status: SubscriptionStatusName) => usableStatuses.includes(status);
