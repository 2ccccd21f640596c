/**
 * SCIM answers: `application/scim+json`, and failures in SCIM's own error shape (RFC 7644 §3.12),
 * `status` as a string and a `scimType` where the RFC names one. The AppSeats error codes that
 * reach a SCIM client map onto it here, once.
 */
import { type ErrorCode, errorStatus } from "@appseats/shared";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { scimSchemas } from "./discovery.js";

export const scimMediaType = "application/scim+json";

/** The SCIM error type of an AppSeats error code, where RFC 7644 has one. */
const scimTypes: Partial<Record<ErrorCode, string>> = { InvalidRequest: "invalidValue", AlreadyExists: "uniqueness" };

export const isScimPath = (c: Context) => new URL(c.req.url).pathname.startsWith("/scim/");

/** The absolute address of the SCIM endpoint, as a directory is given it and as resources name themselves. */
export const scimBaseUrl = (c: Context) => new URL("/scim/v2", c.req.url).href;

export function scimJson(c: Context, body: unknown, status: ContentfulStatusCode = 200) {
  return c.body(JSON.stringify(body), status, { "content-type": `${scimMediaType}; charset=utf-8` });
}

/** A failure as SCIM shapes it; `scimType` overrides the code's own (invalidFilter, uniqueness, …). */
export function scimError(c: Context, code: ErrorCode, detail: string, scimType?: string) {
  const status = errorStatus[code] as ContentfulStatusCode;
  const type = scimType ?? scimTypes[code];
  return scimJson(c, { schemas: [scimSchemas.error], status: String(status), ...(type ? { scimType: type } : {}), detail }, status);
}
