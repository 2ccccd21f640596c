/**
 * /api/v1/directory and /api/v1/users: finding principals, a user's licenses, and the
 * directory changes a sync would make (members joining and leaving groups, users disabled or
 * deleted), each applying the licensing rules in the same transaction.
 */
import {
  DirectoryChangeResult,
  DirectorySearchQuery,
  DirectorySearchResult,
  IdParam,
  MemberChangeRequest,
  UserLicenses,
  UserUpdateRequest,
} from "@appseats/shared";
import { Hono } from "hono";
import { changeContext, requireCapability } from "../auth/admin.js";
import { searchDirectory } from "../directory/search.js";
import type { AppEnv } from "../http/env.js";
import { idempotentForAdmin as byCaller } from "../http/idempotency.js";
import { documented } from "../http/openapi.js";
import { validate } from "../http/validate.js";
import { accountOfTenant, deleteUser, ensureMayChangeAccount, setAccountEnabled } from "../licensing/directory.js";
import { addMembers, removeMembers } from "../licensing/groups.js";
import { userLicenses } from "../licensing/holders.js";

const manage = requireCapability("manageDirectory");
const directoryChange = { answer: DirectoryChangeResult, errors: ["NotFound" as const] };
const accountChange = { answer: DirectoryChangeResult, errors: ["NotFound" as const, "ProtectedAccount" as const] };

export const directoryRoutes = new Hono<AppEnv>()
  .get(
    "/search",
    documented({ summary: "Find users and groups", answer: DirectorySearchResult }),
    validate("query", DirectorySearchQuery),
    async (c) => {
      const items = await searchDirectory(c.env.DB, c.get("caller").tenantId, c.req.valid("query"));
      return c.json({ items, nextCursor: null });
    },
  )
  .post(
    "/groups/:id/members",
    documented({ summary: "Add members to a group (licenses follow)", ...directoryChange }),
    manage,
    byCaller,
    validate("param", IdParam),
    validate("json", MemberChangeRequest),
    async (c) => c.json(await addMembers(c.env.DB, await changeContext(c), c.req.valid("param").id, c.req.valid("json").userIds)),
  )
  .post(
    "/groups/:id/members/remove",
    documented({ summary: "Remove members from a group (seats are released and refilled)", ...directoryChange }),
    manage,
    byCaller,
    validate("param", IdParam),
    validate("json", MemberChangeRequest),
    async (c) => c.json(await removeMembers(c.env.DB, await changeContext(c), c.req.valid("param").id, c.req.valid("json").userIds)),
  )
  .patch(
    "/users/:id",
    documented({ summary: "Enable or disable a user (seats are kept; sessions end)", ...accountChange }),
    manage,
    byCaller,
    validate("param", IdParam),
    validate("json", UserUpdateRequest),
    async (c) => {
      const ctx = await changeContext(c);
      const caller = { id: ctx.actor.id, roles: c.get("caller").roles };
      return c.json(await setAccountEnabled(c.env.DB, ctx, caller, c.req.valid("param").id, c.req.valid("json").accountEnabled));
    },
  )
  .delete(
    "/users/:id",
    documented({ summary: "Delete a user (seats are released and refilled)", ...accountChange }),
    manage,
    byCaller,
    validate("param", IdParam),
    async (c) => {
      const ctx = await changeContext(c);
      const account = await accountOfTenant(c.env.DB, ctx.tenantId, c.req.valid("param").id);
      ensureMayChangeAccount({ id: ctx.actor.id, roles: c.get("caller").roles }, account, "delete");
      return c.json(await deleteUser(c.env.DB, ctx, account));
    },
  );

export const userRoutes = new Hono<AppEnv>().get(
  "/:id/licenses",
  documented({ summary: "A user's licenses and how each is held", answer: UserLicenses, errors: ["NotFound"] }),
  validate("param", IdParam),
  async (c) => c.json(await userLicenses(c.env.DB, c.get("caller").tenantId, c.req.valid("param").id)),
);
