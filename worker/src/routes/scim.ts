/**
 * /scim/v2: directory sync by SCIM 2.0 (RFC 7643, RFC 7644) with a provisioning token, which
 * reaches its own tenant's users and groups and nothing else (R19). Answers are
 * application/scim+json; failures take SCIM's error shape (scim/responses.ts).
 */
import { IdParam, plainText } from "@appseats/shared";
import { type Context, Hono } from "hono";
import { z } from "zod";
import { authenticateProvisioning, provisioningChange, provisioningContext } from "../auth/provisioning.js";
import { notFound } from "../errors.js";
import type { AppEnv } from "../http/env.js";
import { documented } from "../http/openapi.js";
import { validate } from "../http/validate.js";
import { Batch, countOf } from "../licensing/batch.js";
import { createUser, deleteUser, directoryUserColumns, type DirectoryUserRow as UserRow, updateUser } from "../licensing/directory.js";
import { changeGroup, createGroup, deleteGroup } from "../licensing/groups.js";
import { listResponse, maxResultsPerPage, resourceTypes, schemaDefinitions, serviceProviderConfig } from "../scim/discovery.js";
import { filterSql } from "../scim/filter.js";
import { type GroupRow, groupPatch, groupRowColumns, ScimGroupBody, scimGroup } from "../scim/groups.js";
import { scimBaseUrl, scimJson, scimMediaType } from "../scim/responses.js";
import { fieldsOf, PatchBody, patchedUser, ScimUserBody, scimUser, userFieldsFrom, withFields } from "../scim/users.js";

const baseOf = scimBaseUrl;
const scimAnswer = { mediaType: scimMediaType };

/** A user of the token's tenant, not deleted; another tenant's id is 404 like an unknown one (R11, R19). */
async function userOf(c: Context<AppEnv>, id: string): Promise<UserRow> {
  const row = await c.env.DB.prepare(`SELECT ${directoryUserColumns} FROM users WHERE id = ?1 AND tenant_id = ?2 AND deleted_at IS NULL`)
    .bind(id, c.get("provisioning").tenantId)
    .first<UserRow>();
  if (!row) throw notFound("The user");
  return row;
}

/** A group of the token's tenant; another tenant's id is 404 like an unknown one (R11, R19). */
async function groupOf(c: Context<AppEnv>, id: string): Promise<GroupRow> {
  const row = await c.env.DB.prepare(`SELECT ${groupRowColumns} FROM groups WHERE id = ?1 AND tenant_id = ?2`)
    .bind(id, c.get("provisioning").tenantId)
    .first<GroupRow>();
  if (!row) throw notFound("The group");
  return row;
}

type Member = { id: string; display_name: string };

/** The members of each of the groups, in one query, in the order they joined. */
async function membersOfGroups(c: Context<AppEnv>, groupIds: string[]): Promise<Map<string, Member[]>> {
  const { results } = await c.env.DB.prepare(
    `SELECT m.group_id, u.id, u.display_name FROM json_each(?1) j
       CROSS JOIN group_members m ON m.group_id = j.value
       JOIN users u ON u.id = m.user_id AND u.deleted_at IS NULL
      ORDER BY m.group_id, m.added_at, u.id`,
  )
    .bind(JSON.stringify(groupIds))
    .all<Member & { group_id: string }>();
  const members = new Map(groupIds.map((id) => [id, [] as Member[]]));
  for (const { group_id, ...member } of results) members.get(group_id)!.push(member);
  return members;
}

const membersOf = async (c: Context<AppEnv>, groupId: string) => (await membersOfGroups(c, [groupId])).get(groupId)!;

/** `excludedAttributes=members`: Entra ID reads groups without their members. */
const withMembers = (excluded: string | undefined) => !(excluded ?? "").split(",").some((name) => name.trim().toLowerCase() === "members");

async function groupAnswer(c: Context<AppEnv>, id: string, excluded?: string) {
  const row = await groupOf(c, id);
  return scimGroup(row, withMembers(excluded) ? await membersOf(c, id) : undefined, baseOf(c));
}

/**
 * One page of a list (RFC 7644 §3.4.2.4): the rows of `from` (its condition binds the tenant as
 * ?1) that match the filter (bound from ?2), in creation order, and how many match in all.
 */
async function listPage<T>(
  c: Context<AppEnv>,
  columns: string,
  from: string,
  where: { sql: string; params: string[] },
  startIndex: number,
  count: number,
): Promise<{ rows: T[]; total: number }> {
  const db = c.env.DB;
  const tenantId = c.get("provisioning").tenantId;
  const matching = `FROM ${from} AND (${where.sql})`;
  const next = 2 + where.params.length;
  const batch = new Batch(db);
  const total = countOf(batch, db.prepare(`SELECT COUNT(*) AS n ${matching}`).bind(tenantId, ...where.params));
  const rows = batch.rows<T>(
    db
      .prepare(`SELECT ${columns} ${matching} ORDER BY created_at, id LIMIT ?${next} OFFSET ?${next + 1}`)
      .bind(tenantId, ...where.params, count, startIndex - 1),
  );
  const committed = await batch.commit();
  return { rows: committed.get(rows), total: committed.get(total) };
}

const ListQuery = z.object({
  filter: plainText(1000).optional(),
  startIndex: z.coerce.number().int().min(1).default(1),
  count: z.coerce.number().int().min(0).max(maxResultsPerPage).default(100),
  excludedAttributes: z.string().max(200).optional(),
  attributes: z.string().max(200).optional(),
});

const groupFilterColumns = { displayname: "display_name COLLATE NOCASE", externalid: "external_id", id: "id" };

const userFilterColumns = {
  username: "user_principal_name",
  externalid: "external_id",
  id: "id",
  displayname: "display_name COLLATE NOCASE",
  "emails.value": "mail",
};

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
  )
  .post(
    "/Users",
    documented({ summary: "SCIM: create a user", answer: scimAnswer, status: 201, errors: ["AlreadyExists"] }),
    validate("json", ScimUserBody),
    async (c) => {
      const created = await provisioningChange(c, (ctx) => createUser(c.env.DB, ctx, userFieldsFrom(c.req.valid("json"))));
      const user = scimUser(created, baseOf(c));
      c.header("Location", user.meta.location);
      return scimJson(c, user, 201);
    },
  )
  .get(
    "/Users",
    documented({ summary: "SCIM: users, by filter, a page at a time", answer: scimAnswer }),
    validate("query", ListQuery),
    async (c) => {
      const { filter, startIndex, count } = c.req.valid("query");
      const where = filterSql(filter, userFilterColumns, 2);
      const page = await listPage<UserRow>(
        c,
        directoryUserColumns,
        "users WHERE tenant_id = ?1 AND deleted_at IS NULL",
        where,
        startIndex,
        count,
      );
      const base = baseOf(c);
      return scimJson(
        c,
        listResponse(
          page.rows.map((row) => scimUser(row, base)),
          page.total,
          startIndex,
        ),
      );
    },
  )
  .get(
    "/Users/:id",
    documented({ summary: "SCIM: one user", answer: scimAnswer, errors: ["NotFound"] }),
    validate("param", IdParam),
    async (c) => scimJson(c, scimUser(await userOf(c, c.req.valid("param").id), baseOf(c))),
  )
  .put(
    "/Users/:id",
    documented({ summary: "SCIM: replace a user", answer: scimAnswer, errors: ["NotFound", "AlreadyExists"] }),
    validate("param", IdParam),
    validate("json", ScimUserBody),
    async (c) => {
      const row = await userOf(c, c.req.valid("param").id);
      const fields = userFieldsFrom(c.req.valid("json"));
      await updateUser(c.env.DB, provisioningContext(c), { id: row.id, displayName: row.display_name }, fields);
      return scimJson(c, scimUser(withFields(row, fields), baseOf(c)));
    },
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
    async (c) => {
      const row = await userOf(c, c.req.valid("param").id);
      const fields = patchedUser(fieldsOf(row), c.req.valid("json").Operations);
      await provisioningChange(c, (ctx) => updateUser(c.env.DB, ctx, { id: row.id, displayName: row.display_name }, fields));
      return scimJson(c, scimUser(withFields(row, fields), baseOf(c)));
    },
  )
  .delete(
    "/Users/:id",
    documented({ summary: "SCIM: delete a user; their seats are refilled", answer: "none", errors: ["NotFound"] }),
    validate("param", IdParam),
    async (c) => {
      const row = await userOf(c, c.req.valid("param").id);
      await deleteUser(c.env.DB, provisioningContext(c), { id: row.id, displayName: row.display_name });
      return c.body(null, 204);
    },
  )
  .post(
    "/Groups",
    documented({ summary: "SCIM: create a group with its members", answer: scimAnswer, status: 201, errors: ["NotFound"] }),
    validate("json", ScimGroupBody),
    async (c) => {
      const body = c.req.valid("json");
      const members = (body.members ?? []).map((m) => m.value);
      const row = await provisioningChange(c, (ctx) =>
        createGroup(c.env.DB, ctx, { displayName: body.displayName, externalId: body.externalId ?? null, members }),
      );
      // Created as sent: only its members' names need reading.
      const group = scimGroup(row, members.length > 0 ? await membersOf(c, row.id) : [], baseOf(c));
      c.header("Location", group.meta.location);
      return scimJson(c, group, 201);
    },
  )
  .get(
    "/Groups",
    documented({ summary: "SCIM: groups, by filter, a page at a time", answer: scimAnswer }),
    validate("query", ListQuery),
    async (c) => {
      const { filter, startIndex, count, excludedAttributes } = c.req.valid("query");
      const where = filterSql(filter, groupFilterColumns, 2);
      const page = await listPage<GroupRow>(c, groupRowColumns, "groups WHERE tenant_id = ?1", where, startIndex, count);
      const base = baseOf(c);
      const members = withMembers(excludedAttributes)
        ? await membersOfGroups(
            c,
            page.rows.map((row) => row.id),
          )
        : undefined;
      const resources = page.rows.map((row) => scimGroup(row, members?.get(row.id), base));
      return scimJson(c, listResponse(resources, page.total, startIndex));
    },
  )
  .get(
    "/Groups/:id",
    documented({ summary: "SCIM: one group, with or without its members", answer: scimAnswer, errors: ["NotFound"] }),
    validate("param", IdParam),
    validate("query", ListQuery.pick({ excludedAttributes: true, attributes: true })),
    async (c) => scimJson(c, await groupAnswer(c, c.req.valid("param").id, c.req.valid("query").excludedAttributes)),
  )
  .put(
    "/Groups/:id",
    documented({ summary: "SCIM: replace a group's name and members", answer: scimAnswer, errors: ["NotFound"] }),
    validate("param", IdParam),
    validate("json", ScimGroupBody),
    async (c) => {
      const { id } = c.req.valid("param");
      const body = c.req.valid("json");
      const group = await groupOf(c, id);
      const current = new Set((await membersOf(c, id)).map((m) => m.id));
      const wanted = new Set((body.members ?? []).map((m) => m.value));
      await changeGroup(c.env.DB, provisioningContext(c), group.id, {
        displayName: body.displayName,
        externalId: body.externalId ?? null,
        addMembers: [...wanted].filter((m) => !current.has(m)),
        removeMembers: [...current].filter((m) => !wanted.has(m)),
      });
      return scimJson(c, await groupAnswer(c, id));
    },
  )
  .patch(
    "/Groups/:id",
    documented({ summary: "SCIM: add and remove members, rename; all operations or none", answer: "none", errors: ["NotFound"] }),
    validate("param", IdParam),
    validate("json", PatchBody),
    async (c) => {
      const { id } = c.req.valid("param");
      const patch = groupPatch(c.req.valid("json").Operations);
      let { addMembers, removeMembers } = patch;
      if (patch.setMembers) {
        await groupOf(c, id);
        const current = new Set((await membersOf(c, id)).map((m) => m.id));
        const wanted = new Set(patch.setMembers);
        addMembers = [...wanted].filter((m) => !current.has(m));
        removeMembers = [...current].filter((m) => !wanted.has(m));
      }
      // The group is found in the change's own batch (its guard); another tenant's is 404 (R19).
      await provisioningChange(c, (ctx) =>
        changeGroup(c.env.DB, ctx, id, { displayName: patch.displayName, externalId: patch.externalId, addMembers, removeMembers }),
      );
      // Entra ID expects 204 to a group PATCH; the group is at its address.
      return c.body(null, 204);
    },
  )
  .delete(
    "/Groups/:id",
    documented({ summary: "SCIM: delete a group; its seats are released and refilled", answer: "none", errors: ["NotFound"] }),
    validate("param", IdParam),
    async (c) => {
      await deleteGroup(c.env.DB, provisioningContext(c), await groupOf(c, c.req.valid("param").id));
      return c.body(null, 204);
    },
  );
