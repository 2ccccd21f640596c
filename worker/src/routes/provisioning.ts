/** /api/v1/provisioning/tokens: a GlobalAdmin's provisioning tokens for directory sync (SCIM). */
import { IdParam, ProvisioningTokenCreated, ProvisioningTokenList, ProvisioningTokenRequest } from "@appseats/shared";
import { Hono } from "hono";
import { changeContext, requireCapability } from "../auth/admin.js";
import { createProvisioningToken, provisioningTokens, revokeProvisioningToken } from "../auth/provisioning.js";
import type { AppEnv } from "../http/env.js";
import { documented } from "../http/openapi.js";
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
      const created = await createProvisioningToken(c.env.DB, await changeContext(c), c.req.valid("json").expiresInDays);
      const answer: ProvisioningTokenCreated = { ...created, scimBaseUrl: scimBaseUrl(c) };
      return c.json(answer, 201);
    },
  )
  .get(
    "/tokens",
    documented({ summary: "The tenant's provisioning tokens and their last use", answer: ProvisioningTokenList }),
    manage,
    async (c) => {
      const answer: ProvisioningTokenList = {
        items: await provisioningTokens(c.env.DB, c.get("caller").tenantId),
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
      await revokeProvisioningToken(c.env.DB, await changeContext(c), c.req.valid("param").id);
      return c.body(null, 204);
    },
  );
