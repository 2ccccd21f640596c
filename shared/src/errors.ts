/**
 * The error codes of the API (docs/api.md), their HTTP statuses, and the one error body every
 * non-2xx answer uses, with each code's details as error-codes.ts defines them.
 */
import { z } from "zod";
import { principalTypes, roles, subscriptionStatuses } from "./enums.ts";
import { type ErrorCode, type ErrorDetails, type ErrorDetailsByCode, errorCodes } from "./error-codes.ts";

export { type ErrorCode, type ErrorDetails, type ErrorDetailsByCode, errorCodes, errorStatus, type Issue } from "./error-codes.ts";

const Issue = z.object({ path: z.string(), message: z.string() });

/** Each code's details as a schema, for openapi.json; the type below keeps them to ErrorDetailsByCode. */
const errorDetails: { [C in keyof ErrorDetailsByCode]: z.ZodType<ErrorDetailsByCode[C]> } = {
  InvalidRequest: z.object({ issues: z.array(Issue).optional(), scimType: z.string().optional() }),
  Forbidden: z.object({ requiredRoles: z.array(z.enum(roles)) }),
  TenantNotOnboarded: z.object({ entraTenantId: z.string() }),
  NotFound: z.object({ missing: z.array(z.object({ type: z.enum(principalTypes), id: z.string() })).optional() }),
  NotEnoughLicenses: z.object({ needed: z.int(), available: z.int() }),
  InheritedLicense: z.object({
    users: z.array(z.object({ id: z.string(), viaGroups: z.array(z.object({ id: z.string(), displayName: z.string() })) })),
  }),
  SubscriptionNotUsable: z.object({ status: z.enum(subscriptionStatuses) }),
  AlreadyExists: z.object({ userPrincipalName: z.string() }),
  ProtectedAccount: z.object({ reason: z.enum(["ownAccount", "lastGlobalAdmin"]) }),
  PayloadTooLarge: z.object({ maxBytes: z.int() }),
  UnsupportedMediaType: z.object({ contentType: z.string().nullable() }),
  RateLimited: z.object({ retryAfterSeconds: z.int() }),
  Unavailable: z.object({ retryAfterSeconds: z.int() }),
  Internal: z.object({ requestId: z.string() }),
};

const errorOf = (code: ErrorCode) =>
  z.object({
    code: z.literal(code),
    message: z.string(),
    ...(code in errorDetails ? { details: errorDetails[code as keyof ErrorDetailsByCode].optional() } : {}),
  });

/** `{ error: { code, message, details } }`, with the details each code carries. */
export type ErrorBody = { error: { [C in ErrorCode]: { code: C; message: string; details?: ErrorDetails<C> } }[ErrorCode] };
export const ErrorBody = z
  .object({ error: z.discriminatedUnion("code", errorCodes.map(errorOf) as [ReturnType<typeof errorOf>, ...ReturnType<typeof errorOf>[]]) })
  .meta({ id: "ErrorBody" }) as unknown as z.ZodType<ErrorBody>;
