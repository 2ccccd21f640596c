/** Shapes every failure once, as the error body of the API (docs/api.md); nothing internal leaks in a 500. */
import { type ErrorCode, errorStatus } from "@appseats/shared";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { isAppSeatsError } from "../errors.js";
import { isScimPath, scimError } from "../scim/responses.js";
import type { AppEnv } from "./env.js";
import { Replayed } from "./store.js";

export function errorResponse(c: Context<AppEnv>, code: ErrorCode, message: string, details?: Record<string, unknown>) {
  // A directory at /scim/v2 is answered in SCIM's own error shape.
  if (isScimPath(c)) return scimError(c, code, message, typeof details?.scimType === "string" ? details.scimType : undefined);
  return c.json({ error: { code, message, ...(details ? { details } : {}) } }, errorStatus[code] as ContentfulStatusCode);
}

const fromHttpStatus: Partial<Record<number, ErrorCode>> = {
  400: "InvalidRequest",
  401: "Unauthenticated",
  403: "Forbidden",
  404: "NotFound",
  413: "PayloadTooLarge",
  415: "UnsupportedMediaType",
  429: "RateLimited",
};

export function onError(error: Error, c: Context<AppEnv>) {
  if (error instanceof Replayed) {
    c.header("Idempotent-Replayed", "true");
    return c.body(error.body, error.status as ContentfulStatusCode, { "content-type": "application/json; charset=utf-8" });
  }
  if (isAppSeatsError(error)) {
    if (error.details && "retryAfterSeconds" in error.details) c.header("Retry-After", String(error.details.retryAfterSeconds));
    return errorResponse(c, error.code, error.message, error.details);
  }
  if (error instanceof HTTPException && fromHttpStatus[error.status]) {
    const message = error.message || "The request could not be read.";
    const details = error.status === 400 ? { issues: [{ path: "body", message }] } : undefined;
    return errorResponse(c, fromHttpStatus[error.status]!, `${message.replace(/\.$/, "")}.`, details);
  }
  const requestId = c.get("requestId");
  const clientRequestId = c.get("clientRequestId");
  console.error(JSON.stringify({ level: "error", requestId, clientRequestId, error: String(error), stack: error.stack }));
  return errorResponse(c, "Internal", `Something went wrong on our side. Quote request ${requestId} if you contact support.`, {
    requestId,
  });
}

export const notFoundRoute = (c: Context<AppEnv>) =>
  errorResponse(c, "NotFound", `There is no ${c.req.method} ${new URL(c.req.url).pathname}.`);
