/** What every request passes before a route (JSON only, at most maxBodyBytes) and what every answer says of its type. */
import { type ErrorCode, maxBodyBytes, sizeText } from "@appseats/shared";
import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import { AppSeatsError } from "../errors.js";
import type { AppEnv } from "./env.js";

/** What limitBody and requireJson may answer, on every route whose method carries a body. */
export const bodyErrors: ErrorCode[] = ["PayloadTooLarge", "UnsupportedMediaType"];

export const limitBody = bodyLimit({
  maxSize: maxBodyBytes,
  onError: () => {
    throw new AppSeatsError("PayloadTooLarge", `The request body is over ${sizeText(maxBodyBytes)}. Send fewer principals per request.`, {
      maxBytes: maxBodyBytes,
    });
  },
});

/** A request that carries a body must say it is JSON, or SCIM's JSON (415 otherwise). */
export const requireJson = createMiddleware<AppEnv>(async (c, next) => {
  const hasBody = Number(c.req.header("content-length") ?? 0) > 0 || c.req.header("transfer-encoding") !== undefined;
  if (hasBody && !["GET", "HEAD", "OPTIONS"].includes(c.req.method)) {
    const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    if (type !== "application/json" && type !== "application/scim+json") {
      throw new AppSeatsError("UnsupportedMediaType", "Send the body as JSON, with Content-Type: application/json.", {
        contentType: type || null,
      });
    }
  }
  await next();
});

/** docs/api.md: JSON answers are `application/json; charset=utf-8`. */
export const jsonCharset = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  if (c.res.headers.get("content-type") === "application/json") {
    c.res.headers.set("content-type", "application/json; charset=utf-8");
  }
});
