/**
 * /api/v1/directory and /api/v1/users: finding principals, a user's licenses, and the
 * directory changes a sync would make (members joining and leaving groups, users disabled or
 * deleted), each applying the licensing rules in the same transaction.
 */
import { DirectorySearchQuery, IdParam, MemberChangeRequest, UserUpdateRequest } from "@appseats/shared";
import { Hono } from "hono";
import { changeContext, requireCapability } from "../auth/admin.js";
import { searchDirectory } from "../directory/search.js";
import type { AppEnv } from "../http/env.js";
import { idempotentForAdmin as byCaller } from "../http/idempotency.js";
import { validate } from "../http/validate.js";
import { addMembers, deleteUser, removeMembers, setAccountEnabled } from "../licensing/directory.js";
import { userLicenses } from "../licensing/holders.js";

const manage = requireCapability("manageDirectory");

export const directoryRoutes = new Hono<AppEnv>()
  .get("/search", validate("query", DirectorySearchQuery), async (c) => {
    const items = await searchDirectory(c.env.DB, c.get("caller").tenantId, c.req.valid("query"));
    return c.json({ items, nextCursor: null });
  })
  .post("/groups/:id/members", manage, byCaller, validate("param", IdParam), validate("json", MemberChangeRequest), async (c) =>
    c.json(await addMembers(c.env.DB, await changeContext(c), c.req.valid("param").id, c.req.valid("json").userIds)),
  )
  .post("/groups/:id/members/remove", manage, byCaller, validate("param", IdParam), validate("json", MemberChangeRequest), async (c) =>
    c.json(await removeMembers(c.env.DB, await changeContext(c), c.req.valid("param").id, c.req.valid("json").userIds)),
  )
  .patch("/users/:id", manage, byCaller, validate("param", IdParam), validate("json", UserUpdateRequest), async (c) =>
    c.json(await setAccountEnabled(c.env.DB, await changeContext(c), c.req.valid("param").id, c.req.valid("json").accountEnabled)),
  )
  .delete("/users/:id", manage, byCaller, validate("param", IdParam), async (c) =>
    c.json(await deleteUser(c.env.DB, await changeContext(c), c.req.valid("param").id)),
  );

export const userRoutes = new Hono<AppEnv>().get("/:id/licenses", validate("param", IdParam), async (c) =>
  c.json(await userLicenses(c.env.DB, c.get("caller").tenantId, c.req.valid("param").id)),
);
