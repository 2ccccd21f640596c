/**
 * /scim/v2: directory sync by SCIM 2.0 (RFC 7643, RFC 7644) with a provisioning token, which
 * reaches its own tenant's users and groups and nothing else (R19). Answers are
 * application/scim+json; failures take SCIM's error shape (scim/responses.ts).
 */
import { type Context, Hono } from "hono";
import { authenticateProvisioning } from "../auth/provisioning.js";
import type { AppEnv } from "../http/env.js";
import { documented } from "../http/openapi.js";
import { listResponse, resourceTypes, schemaDefinitions, serviceProviderConfig } from "../scim/discovery.js";
import { scimJson, scimMediaType } from "../scim/responses.js";

const baseOf = (c: Context<AppEnv>) => new URL("/scim/v2", c.req.url).href;
const scimAnswer = { mediaType: scimMediaType };

export const scimRoutes = new Hono<AppEnv>()
  .use("*", authenticateProvisioning)
  .get("/ServiceProviderConfig", documented({ summary: "SCIM: what this endpoint supports", answer: scimAnswer }), (c) =>
    scimJson(c, serviceProviderConfig(baseOf(c))),
  )
  .get("/ResourceTypes", documented({ summary: "SCIM: the resource types, User and Group", answer: scimAnswer }), (c) =>
    scimJson(c, listResponse(resourceTypes(baseOf(c)))),
  )
  .get("/Schemas", documented({ summary: "SCIM: the schemas of the attributes kept", answer: scimAnswer }), (c) =>
    scimJson(c, listResponse(schemaDefinitions(baseOf(c)))),
  );
