/** /api/v1/audit: the tenant's audit trail, newest first. */
import { AuditPage, AuditQuery } from "@appseats/shared";
import { Hono } from "hono";
import type { AppEnv } from "../http/env.js";
import { documented } from "../http/openapi.js";
import { validate } from "../http/validate.js";
import { auditTrail } from "../licensing/audit.js";

export const auditRoutes = new Hono<AppEnv>().get(
  "/",
  documented({ summary: "The audit trail, newest first", answer: AuditPage }),
  validate("query", AuditQuery),
  async (c) => c.json(await auditTrail(c.env.DB, c.get("caller").tenantId, c.req.valid("query"))),
);
