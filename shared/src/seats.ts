/** The seat arithmetic, in one place. */
import { z } from "zod";
import { subscriptionStatuses } from "./status.ts";

export const Seats = z
  .object({
    purchased: z.int().nonnegative(),
    assigned: z.int().nonnegative(),
    available: z.int().nonnegative(),
    waiting: z.int().nonnegative(),
    overBy: z.int().nonnegative(),
  })
  .meta({ id: "Seats" });
export type Seats = z.infer<typeof Seats>;

export function seatsOf(purchased: number, assigned: number, waiting: number): Seats {
  return {
    purchased,
    assigned,
    available: Math.max(0, purchased - assigned),
    waiting,
    overBy: Math.max(0, assigned - purchased),
  };
}

export const SubscriptionStatus = z.enum(subscriptionStatuses);
export type SubscriptionStatus = z.infer<typeof SubscriptionStatus>;
