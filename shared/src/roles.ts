/** Admin roles and what each may do (R10). Both the worker's checks and the extension's disabled controls read this. */
import { z } from "zod";

export const roles = ["GlobalAdmin", "LicenseAdmin", "UserAdmin", "BillingAdmin", "GlobalReader"] as const;
export const Role = z.enum(roles);
export type Role = z.infer<typeof Role>;

export type Capability = "read" | "assign" | "install" | "manageDirectory";

export const rolesAllowedTo: Record<Capability, readonly Role[]> = {
  read: roles,
  assign: ["GlobalAdmin", "LicenseAdmin", "UserAdmin"],
  install: ["GlobalAdmin"],
  manageDirectory: ["GlobalAdmin", "UserAdmin"],
};

export function can(held: readonly Role[], capability: Capability): boolean {
  return held.some((role) => rolesAllowedTo[capability].includes(role));
}
