import type { PrincipalTypeName, RoleName, SubscriptionStatusName } from "./enums.ts";

/** The error codes of the API (docs/api.md) and their HTTP statuses: no zod here, so that the extension's pages can take them. */
export const errorStatus = {
  InvalidRequest: 400,
  Unauthenticated: 401,
  Forbidden: 403,
  /** An Entra ID token of an organisation that no Global Administrator has brought in yet (R17). */
  TenantNotOnboarded: 403,
  /** An Entra ID sign-in whose user principal name belongs to a user linked to another account. */
  AccountConflict: 403,
  NotFound: 404,
  NotEnoughLicenses: 409,
  InheritedLicense: 409,
  SubscriptionNotUsable: 409,
  IdempotencyKeyInFlight: 409,
  /** Beyond the design's API.md: something unique (a user principal name) is taken already. */
  AlreadyExists: 409,
  /**
   * Beyond the design's API.md: a change to an account that nobody may make: disabling or
   * deleting one's own account, or the tenant's last Global Administrator. `details.reason`.
   */
  ProtectedAccount: 409,
  /** Beyond the design's API.md: an app's install address in the catalog is not https, so it is not opened. */
  InsecureUrl: 409,
  PayloadTooLarge: 413,
  UnsupportedMediaType: 415,
  IdempotencyKeyReused: 422,
  RateLimited: 429,
  Internal: 500,
  // Beyond the design's API.md: a change that lost the race to others several times in a row; sent with Retry-After.
  Unavailable: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;
export const errorCodes = Object.keys(errorStatus) as ErrorCode[];

/** A field that failed validation: where, and what it must be. */
export interface Issue {
  path: string;
  message: string;
}

/**
 * What an error's `details` holds, by code (API.md, "Errors"): the one definition the worker
 * throws with, the extension reads, and openapi.json documents (errors.ts checks its schemas
 * against it). A code not listed carries no details.
 */
export interface ErrorDetailsByCode {
  /** `issues` for the API; SCIM's answers name the kind of error as `scimType` instead. */
  InvalidRequest: { issues?: Issue[]; scimType?: string };
  Forbidden: { requiredRoles: readonly RoleName[] };
  TenantNotOnboarded: { entraTenantId: string };
  /** The principals of the request that are not in the caller's organisation. */
  NotFound: { missing?: { type: PrincipalTypeName; id: string }[] };
  NotEnoughLicenses: { needed: number; available: number };
  InheritedLicense: { users: { id: string; viaGroups: { id: string; displayName: string }[] }[] };
  SubscriptionNotUsable: { status: SubscriptionStatusName };
  AlreadyExists: { userPrincipalName: string };
  ProtectedAccount: { reason: "ownAccount" | "lastGlobalAdmin" };
  PayloadTooLarge: { maxBytes: number };
  UnsupportedMediaType: { contentType: string | null };
  RateLimited: { retryAfterSeconds: number };
  Unavailable: { retryAfterSeconds: number };
  Internal: { requestId: string };
}

/** The details of an error of code C; undefined for a code that carries none. */
export type ErrorDetails<C extends ErrorCode = ErrorCode> = C extends keyof ErrorDetailsByCode ? ErrorDetailsByCode[C] : undefined;
