/** /api/v1/audit: the tenant's audit trail, newest first. */
import { AuditPage, AuditQuery } from "@appseats/shared";
import { Hono } from "hono";
import type { AppEnv } from "../http/env.js";
import { documented } from "../http/openapi.js";
import { ask } from "../http/store.js";
import { validate } from "../http/validate.js";

export const auditRoutes = new Hono<AppEnv>().get(
  "/",
  documented({ summary: "The audit trail, newest first", answer: AuditPage }),
  validate("query", AuditQuery),
  async (c) => c.json(await ask(c, "audit", c.req.valid("query"))),
);
