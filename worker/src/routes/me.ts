/** /api/v1/me: who is signed in, in which tenant, and what they may do. */
import { can, Me } from "@appseats/shared";
import { Hono } from "hono";
import type { AppEnv } from "../http/env.js";
import { documented } from "../http/openapi.js";

export const meRoutes = new Hono<AppEnv>().get(
  "/",
  documented({ summary: "Who is signed in, the tenant, roles and what they allow", answer: Me }),
  async (c) => {
    const caller = c.get("caller");
    const tenant = await c.env.DB.prepare(
      `SELECT t.id, t.display_name, (SELECT json_group_array(domain) FROM (SELECT domain FROM tenant_domains d
        WHERE d.tenant_id = t.id ORDER BY d.position, d.domain)) AS domains
       FROM tenants t WHERE t.id = ?1`,
    )
      .bind(caller.tenantId)
      .first<{ id: string; display_name: string; domains: string }>();
    const me: Me = {
      user: caller.user,
      tenant: { id: tenant!.id, displayName: tenant!.display_name, domains: JSON.parse(tenant!.domains) as string[] },
      roles: caller.roles,
      can: { read: can(caller.roles, "read"), assign: can(caller.roles, "assign"), install: can(caller.roles, "install") },
    };
    return c.json(me);
  },
);
