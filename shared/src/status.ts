/** Which subscription statuses give seats (R8). No zod here, so the extension can import it. */
import { type SubscriptionStatusName, subscriptionStatuses } from "./enums.ts";

export { type SubscriptionStatusName, subscriptionStatuses };

/** R8: seats are given only while a subscription is active or in its grace period. */
export const usableStatuses: readonly SubscriptionStatusName[] = ["active", "warning"];
export const isUsable = (status: SubscriptionStatusName) => usableStatuses.includes(status);
