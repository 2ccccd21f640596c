/**
 * /api/v1/dev: local sign-in, only in the local entry point (local.ts: production does not
 * bundle this file), only when the worker variable DEV_SIGN_IN is "true", and only for requests
 * to 127.0.0.1 or localhost: a web page the developer visits cannot reach it by DNS rebinding.
 * Otherwise every path here is 404, exactly like a path that does not exist. The demo's data is
 * written into the tenants' stores here too (POST /seed), by `npm start` and the tests.
 */
import { DevAccounts, DevSignInRequest, DevSignInResult } from "@appseats/shared/dev";
import { Hono } from "hono";
import { seedDemoStores } from "../../seed/stores.js";
import { forgetKeySets } from "../auth/entra.js";
import { sha256Hex } from "../auth/secrets.js";
import { newSessionToken } from "../auth/session.js";
import { allTenants, type TenantRecord, tenantByDomain } from "../control/plane.js";
import { forgetRemembered } from "../control/remembered.js";
import { AppSeatsError } from "../errors.js";
import type { AppEnv } from "../http/env.js";
import { notFoundRoute } from "../http/errors.js";
import { devRoutesServed, documented } from "../http/openapi.js";
import { askStore } from "../http/store.js";
import { validate } from "../http/validate.js";

const loopbackHosts = new Set(["127.0.0.1", "localhost", "[::1]"]);
const local = (tenant: TenantRecord) => ({ tenantId: tenant.id, credential: { kind: "local" as const } });

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
      const { userPrincipalName } = c.req.valid("json");
      const now = new Date();
      const expiresAt = new Date(now.getTime() + (Number(c.env.SESSION_TTL_SECONDS) || 28_800) * 1000).toISOString();
      // The tenant of the name's domain first; a user a directory named otherwise is looked for in every tenant.
      const byDomain = await tenantByDomain(c.env.DB, userPrincipalName.split("@")[1] ?? "");
      const tenants = [...(byDomain ? [byDomain] : []), ...(await allTenants(c.env.DB)).filter((t) => t.id !== byDomain?.id)];
      for (const tenant of tenants) {
        const token = newSessionToken(tenant.id);
        const opened = await askStore(
          c.env,
          local(tenant),
          "devSignIn",
          { userPrincipalName, tokenHash: await sha256Hex(token), expiresAt },
          { requestId: c.get("requestId"), now: now.toISOString() },
        );
        if (opened) return c.json({ token, expiresAt } satisfies DevSignInResult);
      }
      throw new AppSeatsError("NotFound", "No enabled user signs in with that user principal name.");
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
      const items: DevAccounts["items"] = [];
      for (const tenant of await allTenants(c.env.DB)) {
        const accounts = await askStore(c.env, local(tenant), "devAccounts", {}, { requestId: c.get("requestId") });
        items.push(...accounts.map((account) => ({ ...account, tenant: tenant.displayName })));
      }
      return c.json({ items } satisfies DevAccounts);
    },
  )
  /** The demo's tenants' data (DEMO.md) written into their stores, where missing: what `npm start` seeds. */
  .post(
    "/seed",
    documented({ summary: "Seed the demo's stores (local runs only)", answer: "none", open: true, devOnly: true }),
    async (c) => {
      await seedDemoStores(c.env, c.get("requestId"));
      forgetRemembered();
      forgetKeySets();
      return c.body(null, 204);
    },
  );
