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
import { requireCapability } from "../auth/admin.js";
import { appsOfTenant } from "../control/plane.js";
import type { AppEnv } from "../http/env.js";
import { documented } from "../http/openapi.js";
import { ask, idempotent } from "../http/store.js";
import { validate } from "../http/validate.js";
import { byName } from "../order.js";

const manage = requireCapability("manageDirectory");
const byCaller = idempotent();
const directoryChange = { answer: DirectoryChangeResult, errors: ["NotFound" as const] };
const accountChange = { answer: DirectoryChangeResult, errors: ["NotFound" as const, "ProtectedAccount" as const] };

export const directoryRoutes = new Hono<AppEnv>()
  .get(
    "/search",
    documented({ summary: "Find users and groups", answer: DirectorySearchResult }),
    validate("query", DirectorySearchQuery),
    async (c) => {
      const items = await ask(c, "search", c.req.valid("query"));
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
    async (c) => c.json(await ask(c, "addMembers", { groupId: c.req.valid("param").id, userIds: c.req.valid("json").userIds })),
  )
  .post(
    "/groups/:id/members/remove",
    documented({ summary: "Remove members from a group (seats are released and refilled)", ...directoryChange }),
    manage,
    byCaller,
    validate("param", IdParam),
    validate("json", MemberChangeRequest),
    async (c) => c.json(await ask(c, "removeMembers", { groupId: c.req.valid("param").id, userIds: c.req.valid("json").userIds })),
  )
  .patch(
    "/users/:id",
    documented({ summary: "Enable or disable a user (seats are kept; sessions end)", ...accountChange }),
    manage,
    byCaller,
    validate("param", IdParam),
    validate("json", UserUpdateRequest),
    async (c) =>
      c.json(await ask(c, "setAccountEnabled", { userId: c.req.valid("param").id, accountEnabled: c.req.valid("json").accountEnabled })),
  )
  .delete(
    "/users/:id",
    documented({ summary: "Delete a user (seats are released and refilled)", ...accountChange }),
    manage,
    byCaller,
    validate("param", IdParam),
    async (c) => c.json(await ask(c, "deleteUser", { userId: c.req.valid("param").id })),
  );

export const userRoutes = new Hono<AppEnv>().get(
  "/:id/licenses",
  documented({ summary: "A user's licenses and how each is held", answer: UserLicenses, errors: ["NotFound"] }),
  validate("param", IdParam),
  async (c) => {
    const [held, apps] = await Promise.all([
      ask(c, "userLicenses", { id: c.req.valid("param").id }),
      appsOfTenant(c.env.DB, c.get("target").tenantId),
    ]);
    const items = held.items
      .filter((item) => apps.has(item.license.id))
      .map((item) => {
        const app = apps.get(item.license.id)!;
        return {
          ...item,
          license: {
            id: item.license.id,
            plan: item.license.plan,
            app: { id: app.id, name: app.name, publisher: app.publisher, ...(app.iconUrl ? { iconUrl: app.iconUrl } : {}) },
          },
        };
      })
      .sort((a, b) => byName(a.license.app.name, b.license.app.name) || (a.license.plan < b.license.plan ? -1 : 1));
    const answer: UserLicenses = { user: held.user, items };
    return c.json(answer);
  },
);
