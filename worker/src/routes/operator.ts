/**
 * /ops/v1: the operator's commands that reach every tenant's store, with the worker secret
 * OPERATOR_TOKEN as the bearer token (npm run move-to-stores, npm run catalog -- audit purge).
 * Without the secret set, every path here is 404, like a path that does not exist.
 */
import { plainText } from "@appseats/shared";
import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { z } from "zod";
import { bearerOf, sha256Hex } from "../auth/secrets.js";
import { moveStep, retireTenantTables } from "../control/move.js";
import { allTenants } from "../control/plane.js";
import { AppSeatsError } from "../errors.js";
import type { AppEnv } from "../http/env.js";
import { notFoundRoute } from "../http/errors.js";
import { documented } from "../http/openapi.js";
import { askStore } from "../http/store.js";
import { validate } from "../http/validate.js";

const operator = createMiddleware<AppEnv>(async (c, next) => {
  if (!c.env.OPERATOR_TOKEN) return notFoundRoute(c);
  const bearer = await bearerOf(c);
  if (!bearer || bearer.hash !== (await sha256Hex(c.env.OPERATOR_TOKEN))) {
    throw new AppSeatsError("Unauthenticated", "The operator token is missing or wrong.");
  }
  await next();
});

const local = (tenantId: string) => ({ tenantId, credential: { kind: "local" as const } });

export const operatorRoutes = new Hono<AppEnv>()
  .use("*", operator)
  .post(
    "/move",
    documented({
      summary: "The operator's move of a D1-design deployment into tenant stores: its next chunk, or a tenant verified",
      answer: { mediaType: "application/json" },
      errors: ["Unauthenticated"],
    }),
    validate("json", z.strictObject({ limit: z.number().int().min(1).max(10_000).default(2_000) })),
    async (c) => {
      const requestId = c.get("requestId");
      const step = await moveStep(c.env.DB, c.req.valid("json").limit, {
        importRows: (tenantId, rows) => askStore(c.env, local(tenantId), "importRows", { rows }, { requestId }),
        counts: (tenantId) => askStore(c.env, local(tenantId), "counts", {}, { requestId }),
      });
      return c.json(step);
    },
  )
  // After a verified move: D1's old tenant tables go (npm run move-to-stores -- --retire).
  .post(
    "/move/retire",
    documented({
      summary: "Once every tenant is moved: D1's old tenant tables are dropped",
      answer: { mediaType: "application/json" },
      errors: ["Unauthenticated"],
    }),
    async (c) => c.json(await retireTenantTables(c.env.DB)),
  )
  .post(
    "/audit/purge",
    documented({
      summary: "The audit's retention purge in every tenant's store",
      answer: { mediaType: "application/json" },
      errors: ["Unauthenticated", "InvalidRequest"],
    }),
    validate("json", z.strictObject({ before: plainText(40) })),
    async (c) => {
      const before = c.req.valid("json").before;
      if (!z.iso.datetime().safeParse(before).success || Date.parse(before) > Date.now()) {
        throw new AppSeatsError("InvalidRequest", "The cut-off must be a date and time that is not in the future.", {
          issues: [{ path: "before", message: "must be a past date and time" }],
        });
      }
      let removed = 0;
      for (const tenant of await allTenants(c.env.DB)) {
        removed += await askStore(c.env, local(tenant.id), "purgeAudit", { before }, { requestId: c.get("requestId") });
      }
      return c.json({ removed });
    },
  );
