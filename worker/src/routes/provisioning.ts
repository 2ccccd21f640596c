/** /api/v1/provisioning/tokens: a GlobalAdmin's provisioning tokens for directory sync (SCIM). */
import { IdParam, ProvisioningTokenCreated, ProvisioningTokenList, ProvisioningTokenRequest } from "@appseats/shared";
import { Hono } from "hono";
import { requireCapability } from "../auth/admin.js";
import { newProvisioningToken } from "../auth/provisioning.js";
import { addProvisioningRoute, dropProvisioningRoute } from "../control/plane.js";
import type { AppEnv } from "../http/env.js";
import { documented } from "../http/openapi.js";
import { ask } from "../http/store.js";
import { validate } from "../http/validate.js";
import { scimBaseUrl } from "../scim/responses.js";

const manage = requireCapability("manageProvisioning");

export const provisioningRoutes = new Hono<AppEnv>()
  .post(
    "/tokens",
    documented({ summary: "Create a provisioning token, shown this once", answer: ProvisioningTokenCreated, status: 201 }),
    manage,
    validate("json", ProvisioningTokenRequest),
    async (c) => {
      const { tenantId } = c.get("target");
      const { token, ...stored } = await newProvisioningToken(new Date(), c.req.valid("json").expiresInDays);
      // Routed first, so that the token works the moment it is shown; a refused one is unrouted again.
      await addProvisioningRoute(c.env.DB, stored.hash, tenantId);
      try {
        const created = await ask(c, "createProvisioningToken", stored);
        const answer: ProvisioningTokenCreated = { ...created, token, scimBaseUrl: scimBaseUrl(c) };
        return c.json(answer, 201);
      } catch (error) {
        await dropProvisioningRoute(c.env.DB, stored.hash, tenantId);
        throw error;
      }
    },
  )
  .get(
    "/tokens",
    documented({ summary: "The tenant's provisioning tokens and their last use", answer: ProvisioningTokenList }),
    manage,
    async (c) => {
      const answer: ProvisioningTokenList = {
        items: await ask(c, "provisioningTokens", {}),
        nextCursor: null,
        scimBaseUrl: scimBaseUrl(c),
      };
      return c.json(answer);
    },
  )
  .delete(
    "/tokens/:id",
    documented({ summary: "Revoke a provisioning token: it stops working at once", answer: "none", errors: ["NotFound"] }),
    manage,
    validate("param", IdParam),
    async (c) => {
      const hash = await ask(c, "revokeProvisioningToken", { id: c.req.valid("param").id });
      await dropProvisioningRoute(c.env.DB, hash, c.get("target").tenantId);
      return c.body(null, 204);
    },
  );
