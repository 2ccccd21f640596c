/**
 * /scim/v2: directory sync by SCIM 2.0 (RFC 7643, RFC 7644) with a provisioning token, which
 * reaches its own tenant's users and groups and nothing else (R19). Answers are
 * application/scim+json; failures take SCIM's error shape (scim/responses.ts).
 */
import { IdParam, plainText } from "@appseats/shared";
import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { z } from "zod";
import { authenticateProvisioning } from "../auth/provisioning.js";
import type { AppEnv } from "../http/env.js";
import { documented } from "../http/openapi.js";
import { ask } from "../http/store.js";
import { validate } from "../http/validate.js";
import { listResponse, maxResultsPerPage, resourceTypes, schemaDefinitions, serviceProviderConfig } from "../scim/discovery.js";
import { ScimGroupBody } from "../scim/groups.js";
import { scimBaseUrl, scimJson, scimMediaType } from "../scim/responses.js";
import { PatchBody, ScimUserBody, userFieldsFrom } from "../scim/users.js";

const baseOf = scimBaseUrl;

const checkToken = createMiddleware<AppEnv>(async (c, next) => {
  await ask(c, "provisioningCheck", {});
  await next();
});
const scimAnswer = { mediaType: scimMediaType };

const ListQuery = z.object({
  filter: plainText(1000).optional(),
  startIndex: z.coerce.number().int().min(1).default(1),
  count: z.coerce.number().int().min(0).max(maxResultsPerPage).default(100),
  excludedAttributes: z.string().max(200).optional(),
  attributes: z.string().max(200).optional(),
});

export const scimRoutes = new Hono<AppEnv>()
  .use("*", authenticateProvisioning)
  // What this endpoint supports is told only to a token its store admits (and records as used).
  .use("/ServiceProviderConfig", checkToken)
  .use("/ResourceTypes", checkToken)
  .use("/Schemas", checkToken)
  .get("/ServiceProviderConfig", documented({ summary: "SCIM: what this endpoint supports", answer: scimAnswer }), (c) =>
    scimJson(c, serviceProviderConfig(baseOf(c))),
  )
  .get("/ResourceTypes", documented({ summary: "SCIM: the resource types, User and Group", answer: scimAnswer }), (c) =>
    scimJson(c, listResponse(resourceTypes(baseOf(c)))),
  )
  .get("/Schemas", documented({ summary: "SCIM: the schemas of the attributes kept", answer: scimAnswer }), (c) =>
    scimJson(c, listResponse(schemaDefinitions(baseOf(c)))),
  )
  .post(
    "/Users",
    documented({ summary: "SCIM: create a user", answer: scimAnswer, status: 201, errors: ["AlreadyExists"] }),
    validate("json", ScimUserBody),
    async (c) => {
      const user = await ask(c, "scimCreateUser", { base: baseOf(c), fields: userFieldsFrom(c.req.valid("json")) });
      c.header("Location", user.meta.location);
      return scimJson(c, user, 201);
    },
  )
  .get(
    "/Users",
    documented({ summary: "SCIM: users, by filter, a page at a time", answer: scimAnswer }),
    validate("query", ListQuery),
    async (c) => scimJson(c, await ask(c, "scimListUsers", { base: baseOf(c), request: c.req.valid("query") })),
  )
  .get(
    "/Users/:id",
    documented({ summary: "SCIM: one user", answer: scimAnswer, errors: ["NotFound"] }),
    validate("param", IdParam),
    async (c) => scimJson(c, await ask(c, "scimGetUser", { base: baseOf(c), id: c.req.valid("param").id })),
  )
  .put(
    "/Users/:id",
    documented({ summary: "SCIM: replace a user", answer: scimAnswer, errors: ["NotFound", "AlreadyExists"] }),
    validate("param", IdParam),
    validate("json", ScimUserBody),
    async (c) =>
      scimJson(
        c,
        await ask(c, "scimReplaceUser", { base: baseOf(c), id: c.req.valid("param").id, fields: userFieldsFrom(c.req.valid("json")) }),
      ),
  )
  .patch(
    "/Users/:id",
    documented({
      summary: "SCIM: change a user's attributes, all operations or none",
      answer: scimAnswer,
      errors: ["NotFound", "AlreadyExists"],
    }),
    validate("param", IdParam),
    validate("json", PatchBody),
    async (c) =>
      scimJson(
        c,
        await ask(c, "scimPatchUser", { base: baseOf(c), id: c.req.valid("param").id, operations: c.req.valid("json").Operations }),
      ),
  )
  .delete(
    "/Users/:id",
    documented({ summary: "SCIM: delete a user; their seats are refilled", answer: "none", errors: ["NotFound"] }),
    validate("param", IdParam),
    async (c) => {
      await ask(c, "scimDeleteUser", { id: c.req.valid("param").id });
      return c.body(null, 204);
    },
  )
  .post(
    "/Groups",
    documented({ summary: "SCIM: create a group with its members", answer: scimAnswer, status: 201, errors: ["NotFound"] }),
    validate("json", ScimGroupBody),
    async (c) => {
      const body = c.req.valid("json");
      const group = await ask(c, "scimCreateGroup", {
        base: baseOf(c),
        group: { displayName: body.displayName, externalId: body.externalId ?? null, members: (body.members ?? []).map((m) => m.value) },
      });
      c.header("Location", group.meta.location);
      return scimJson(c, group, 201);
    },
  )
  .get(
    "/Groups",
    documented({ summary: "SCIM: groups, by filter, a page at a time", answer: scimAnswer }),
    validate("query", ListQuery),
    async (c) => scimJson(c, await ask(c, "scimListGroups", { base: baseOf(c), request: c.req.valid("query") })),
  )
  .get(
    "/Groups/:id",
    documented({ summary: "SCIM: one group, with or without its members", answer: scimAnswer, errors: ["NotFound"] }),
    validate("param", IdParam),
    validate("query", ListQuery.pick({ excludedAttributes: true, attributes: true })),
    async (c) =>
      scimJson(
        c,
        await ask(c, "scimGetGroup", {
          base: baseOf(c),
          id: c.req.valid("param").id,
          excludedAttributes: c.req.valid("query").excludedAttributes,
        }),
      ),
  )
  .put(
    "/Groups/:id",
    documented({ summary: "SCIM: replace a group's name and members", answer: scimAnswer, errors: ["NotFound"] }),
    validate("param", IdParam),
    validate("json", ScimGroupBody),
    async (c) => {
      const body = c.req.valid("json");
      const group = {
        displayName: body.displayName,
        externalId: body.externalId ?? null,
        members: (body.members ?? []).map((m) => m.value),
      };
      return scimJson(c, await ask(c, "scimReplaceGroup", { base: baseOf(c), id: c.req.valid("param").id, group }));
    },
  )
  .patch(
    "/Groups/:id",
    documented({ summary: "SCIM: add and remove members, rename; all operations or none", answer: "none", errors: ["NotFound"] }),
    validate("param", IdParam),
    validate("json", PatchBody),
    async (c) => {
      await ask(c, "scimPatchGroup", { id: c.req.valid("param").id, operations: c.req.valid("json").Operations });
      // Entra ID expects 204 to a group PATCH; the group is at its address.
      return c.body(null, 204);
    },
  )
  .delete(
    "/Groups/:id",
    documented({ summary: "SCIM: delete a group; its seats are released and refilled", answer: "none", errors: ["NotFound"] }),
    validate("param", IdParam),
    async (c) => {
      await ask(c, "scimDeleteGroup", { id: c.req.valid("param").id });
      return c.body(null, 204);
    },
  );
