/**
 * The local sign-in's shapes (dev-only): a module of their own, so that the production bundle,
 * which does not import it, holds none of them (scripts/check-bundle.ts).
 */
import { z } from "zod";
import { Role } from "./roles.ts";
import { plainText } from "./schemas.ts";

export const DevSignInRequest = z.strictObject({ userPrincipalName: plainText(320).min(3) }).meta({ id: "DevSignInRequest" });
export const DevSignInResult = z.object({ token: z.string(), expiresAt: z.iso.datetime() }).meta({ id: "DevSignInResult" });
export type DevSignInResult = z.infer<typeof DevSignInResult>;

/** The accounts a local sign-in page can offer (dev-only). */
export const DevAccounts = z
  .object({
    items: z.array(z.object({ userPrincipalName: z.string(), displayName: z.string(), tenant: z.string(), roles: z.array(Role) })),
  })
  .meta({ id: "DevAccounts" });
export type DevAccounts = z.infer<typeof DevAccounts>;
