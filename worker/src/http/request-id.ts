/**
 * Every request's id is the worker's own (the security review): a client cannot choose the id
 * that the audit trail and the logs record, to collide with or impersonate another request's.
 * An id the client sends in X-Request-Id is kept beside it, as the client's, for the logs.
 */
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./env.js";

/** What a client's own request id may be: short, and nothing a log line could be forged with. */
const clientIdShape = /^[\w\-=.:]{1,128}$/;

export const serverRequestId = createMiddleware<AppEnv>(async (c, next) => {
  const id = crypto.randomUUID();
  c.set("requestId", id);
  const client = c.req.header("x-request-id");
  if (client && clientIdShape.test(client)) c.set("clientRequestId", client);
  c.header("X-Request-Id", id);
  await next();
});
