/** Admin roles and what each may do (R10). Both the worker's checks and the extension's disabled controls read this. */
import { z } from "zod";
import { roles } from "./enums.ts";

export { roles };
export const Role = z.enum(roles);
export type Role = z.infer<typeof Role>;

export type Capability = "read" | "assign" | "install" | "manageDirectory" | "manageProvisioning";

export const rolesAllowedTo: Record<Capability, readonly Role[]> = {
  read: roles,
  assign: ["GlobalAdmin", "LicenseAdmin", "UserAdmin"],
  install: ["GlobalAdmin"],
  manageDirectory: ["GlobalAdmin", "UserAdmin"],
  /** Directory sync (SCIM): its tokens reach every user and group of the tenant. */
  manageProvisioning: ["GlobalAdmin"],
};

export function can(held: readonly Role[], capability: Capability): boolean {
  return held.some((role) => rolesAllowedTo[capability].includes(role));
}

/**
 * The directory role template ids that Entra ID puts in a token's `wids` claim, and the role
 * each one is (R16). Other ids are ignored.
 */
export const entraRoleIds: Readonly<Record<string, Role>> = {
  "62e90394-69f5-4237-9190-012177145e10": "GlobalAdmin",
  "4d6ac14f-3453-41d0-bef9-a3e0c569773a": "LicenseAdmin",
  "fe930be7-5e62-47db-91af-98c3a49a38b1": "UserAdmin",
  "b0f54661-2d74-4c50-afa3-1ec803f12efe": "BillingAdmin",
  "f2ef992c-3afb-46b9-b7cf-a126ee74c451": "GlobalReader",
};

/** The roles of an Entra ID token's `wids`, each once, in the order of `roles`. */
export const rolesOfWids = (wids: readonly string[]): Role[] => roles.filter((role) => wids.some((id) => entraRoleIds[id] === role));
