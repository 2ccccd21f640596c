/**
 * Which backend the extension talks to, and with which Entra ID registration it signs in there.
 * The built-in backend's registration is fixed when the extension is built (built-in.ts); a
 * backend of the admin's own choosing comes with the client id (and, for a sovereign cloud, the
 * authority) that the admin enters with its address. What a backend says of itself at run time
 * (GET /api/v1/auth/config) decides only whether it offers a sign-in, never where to get tokens.
 */
import type { EntraRegistration } from "../../built-in.ts";

export type { EntraRegistration };

export const builtInBackend = __APPSEATS_BUILT_IN__;

/** A backend and how to sign in to it with Microsoft (null: only its local sign-in, if it has one). */
export interface Backend {
  url: string;
  entra: EntraRegistration | null;
}

/** The scopes asked of Entra ID for a registration: AppSeats' delegated permission, and a refresh token. */
export const entraScopesOf = (registration: EntraRegistration) => [
  `api://${registration.clientId}/access_as_user`,
  "openid",
  "profile",
  "offline_access",
];

/** An application (client) id as Entra ID gives one: a GUID. */
export const isClientId = (text: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text.trim());

/** The backend at `url`: the built-in one with its own registration, or another with the one entered for it. */
export const backendAt = (url: string, entered: EntraRegistration | null | undefined): Backend =>
  url === builtInBackend.url ? builtInBackend : { url, entra: entered ?? null };
