/** /api/v1/me: who is signed in, in which tenant, and what they may do. */
import { can, Me } from "@appseats/shared";
import { Hono } from "hono";
import { tenantById } from "../control/plane.js";
import type { AppEnv } from "../http/env.js";
import { documented } from "../http/openapi.js";
import { ask } from "../http/store.js";

export const meRoutes = new Hono<AppEnv>().get(
  "/",
  documented({ summary: "Who is signed in, the tenant, roles and what they allow", answer: Me }),
  async (c) => {
    const [caller, tenant] = await Promise.all([ask(c, "me", {}), tenantById(c.env.DB, c.get("target").tenantId)]);
    const me: Me = {
      user: caller.user,
      tenant: { id: tenant!.id, displayName: tenant!.displayName, domains: tenant!.domains },
      roles: caller.roles,
      can: { read: can(caller.roles, "read"), assign: can(caller.roles, "assign"), install: can(caller.roles, "install") },
    };
    return c.json(me);
  },
);
