/**
 * /api/v1/dev: local sign-in, only in the local entry point (local.ts: production does not
 * bundle this file), only when the worker variable DEV_SIGN_IN is "true", and only for requests
 * to 127.0.0.1 or localhost: a web page the developer visits cannot reach it by DNS rebinding.
 * Otherwise every path here is 404, exactly like a path that does not exist.
 */
import type { Role } from "@appseats/shared";
import { DevAccounts, DevSignInRequest, DevSignInResult } from "@appseats/shared/dev";
import { Hono } from "hono";
import { issueSession } from "../auth/session.js";
import { AppSeatsError } from "../errors.js";
import type { AppEnv } from "../http/env.js";
import { notFoundRoute } from "../http/errors.js";
import { devRoutesServed, documented } from "../http/openapi.js";
import { validate } from "../http/validate.js";

const loopbackHosts = new Set(["127.0.0.1", "localhost", "[::1]"]);

export const devRoutes = new Hono<AppEnv>()
  .use("*", async (c, next) => {
    if (!devRoutesServed(c.env) || !loopbackHosts.has(new URL(c.req.url).hostname)) return notFoundRoute(c);
    await next();
  })
  .post(
    "/sign-in",
    documented({ summary: "Local sign-in (local runs only)", answer: DevSignInResult, errors: ["NotFound"], open: true, devOnly: true }),
    validate("json", DevSignInRequest),
    async (c) => {
      const user = await c.env.DB.prepare(
        `SELECT id, tenant_id FROM users WHERE user_principal_name = ?1 AND deleted_at IS NULL AND account_enabled = 1`,
      )
        .bind(c.req.valid("json").userPrincipalName)
        .first<{ id: string; tenant_id: string }>();
      if (!user) throw new AppSeatsError("NotFound", "No enabled user signs in with that user principal name.");
      return c.json(await issueSession(c.env.DB, user, Number(c.env.SESSION_TTL_SECONDS) || 28_800));
    },
  )
  /** The accounts a local sign-in page can offer: every user who holds an admin role. */
  .get(
    "/accounts",
    documented({
      summary: "The demo accounts a local sign-in page offers (local runs only)",
      answer: DevAccounts,
      open: true,
      devOnly: true,
    }),
    async (c) => {
      const { results } = await c.env.DB.prepare(
        `SELECT u.user_principal_name AS userPrincipalName, u.display_name AS displayName, t.display_name AS tenant,
              json_group_array(r.role) AS roles
         FROM users u JOIN tenants t ON t.id = u.tenant_id JOIN admin_roles r ON r.user_id = u.id
        WHERE u.deleted_at IS NULL AND u.account_enabled = 1
        GROUP BY u.id ORDER BY t.display_name, u.display_name`,
      ).all<{ userPrincipalName: string; displayName: string; tenant: string; roles: string }>();
      const accounts: DevAccounts = { items: results.map((row) => ({ ...row, roles: JSON.parse(row.roles) as Role[] })) };
      return c.json(accounts);
    },
  );
