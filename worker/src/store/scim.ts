/**
 * Directory sync by SCIM 2.0 in the tenant store: each request of a provisioning token is one
 * call, read and change in one transaction (R22), so a PATCH applies to the user as it is, not as
 * it was read a round trip earlier. The SCIM shapes and the reading of PATCH operations are the
 * pure modules of scim/; the licensing consequences are directory.ts's.
 */
import type { DirectoryChangeResult } from "@appseats/shared";
import { notFound } from "../errors.js";
import { listResponse } from "../scim/discovery.js";
import { filterSql } from "../scim/filter.js";
import { type GroupRow, groupPatch, groupRowColumns, groupRowShape, scimGroup } from "../scim/groups.js";
import { fieldsOf, patchedUser, scimUser, withFields } from "../scim/users.js";
import type { StoreChange } from "./changes.js";
import {
  changeGroup,
  createGroup,
  createUser,
  type DirectoryUserRow,
  deleteGroup,
  deleteUser,
  directoryUserColumns,
  directoryUserShape,
  type UserFields,
  updateUser,
} from "./directory.js";
import { all, first, integer, one, type Shape, text } from "./rows.js";

/** A user of the tenant, not deleted; another tenant's id is 404 like an unknown one (R11, R19). */
function userRow(sql: SqlStorage, id: string): DirectoryUserRow {
  const row = first(sql, directoryUserShape, `SELECT ${directoryUserColumns} FROM users WHERE id = ? AND deleted_at IS NULL`, id);
  if (!row) throw notFound("The user");
  return row;
}

function groupRow(sql: SqlStorage, id: string): GroupRow {
  const row = first(sql, groupRowShape, `SELECT ${groupRowColumns} FROM groups WHERE id = ?`, id);
  if (!row) throw notFound("The group");
  return row;
}

type Member = { id: string; display_name: string };

/** The members of each of the groups, in the order they joined. */
function membersOfGroups(sql: SqlStorage, groupIds: string[]): Map<string, Member[]> {
  const members = new Map(groupIds.map((id) => [id, [] as Member[]]));
  for (const { group_id, ...member } of all(
    sql,
    { group_id: text, id: text, display_name: text },
    `SELECT m.group_id, u.id, u.display_name FROM json_each(?) j
         CROSS JOIN group_members m ON m.group_id = j.value
         JOIN users u ON u.id = m.user_id AND u.deleted_at IS NULL
        ORDER BY m.group_id, m.added_at, u.id`,
    JSON.stringify(groupIds),
  )) {
    members.get(group_id)!.push(member);
  }
  return members;
}

const membersOf = (sql: SqlStorage, groupId: string) => membersOfGroups(sql, [groupId]).get(groupId)!;

/** `excludedAttributes=members`: Entra ID reads groups without their members. */
const withMembers = (excluded: string | undefined) => !(excluded ?? "").split(",").some((name) => name.trim().toLowerCase() === "members");

const groupFilterColumns = { displayname: "display_name COLLATE NOCASE", externalid: "external_id", id: "id" };
const userFilterColumns = {
  username: "user_principal_name",
  externalid: "external_id",
  id: "id",
  displayname: "display_name COLLATE NOCASE",
  "emails.value": "mail",
};

export interface ListRequest {
  filter?: string | undefined;
  startIndex: number;
  count: number;
  excludedAttributes?: string | undefined;
}

/** One page of a list (RFC 7644 §3.4.2.4): the rows of `from` that match the filter, in creation order, and how many match in all. */
function listPage<S extends Shape>(
  sql: SqlStorage,
  shape: S,
  columns: string,
  from: string,
  columnsOf: Record<string, string>,
  request: ListRequest,
) {
  const where = filterSql(request.filter, columnsOf, 1);
  const matching = `FROM ${from} AND (${where.sql})`;
  const total = one(sql, { n: integer }, `SELECT COUNT(*) AS n ${matching}`, ...where.params).n;
  const next = 1 + where.params.length;
  const rows = all(
    sql,
    shape,
    `SELECT ${columns} ${matching} ORDER BY created_at, id LIMIT ?${next} OFFSET ?${next + 1}`,
    ...where.params,
    request.count,
    request.startIndex - 1,
  );
  return { rows, total };
}

export const scimUsers = {
  list(sql: SqlStorage, base: string, request: ListRequest) {
    const page = listPage(sql, directoryUserShape, directoryUserColumns, "users WHERE deleted_at IS NULL", userFilterColumns, request);
    return listResponse(
      page.rows.map((row) => scimUser(row, base)),
      page.total,
      request.startIndex,
    );
  },
  get: (sql: SqlStorage, base: string, id: string) => scimUser(userRow(sql, id), base),
  create: (sql: SqlStorage, change: StoreChange, base: string, fields: UserFields) => scimUser(createUser(sql, change, fields), base),
  replace(sql: SqlStorage, change: StoreChange, base: string, id: string, fields: UserFields) {
    const row = userRow(sql, id);
    updateUser(sql, change, { id: row.id, displayName: row.display_name }, fields);
    return scimUser(withFields(row, fields), base);
  },
  patch(sql: SqlStorage, change: StoreChange, base: string, id: string, operations: Parameters<typeof patchedUser>[1]) {
    const row = userRow(sql, id);
    const fields = patchedUser(fieldsOf(row), operations);
    updateUser(sql, change, { id: row.id, displayName: row.display_name }, fields);
    return scimUser(withFields(row, fields), base);
  },
  delete(sql: SqlStorage, change: StoreChange, id: string): DirectoryChangeResult {
    const row = userRow(sql, id);
    return deleteUser(sql, change, { id: row.id, displayName: row.display_name });
  },
};

export interface ScimGroupFields {
  displayName: string;
  externalId: string | null;
  members: string[];
}

export const scimGroups = {
  list(sql: SqlStorage, base: string, request: ListRequest) {
    const page = listPage(sql, groupRowShape, groupRowColumns, "groups WHERE true", groupFilterColumns, request);
    const members = withMembers(request.excludedAttributes)
      ? membersOfGroups(
          sql,
          page.rows.map((row) => row.id),
        )
      : undefined;
    return listResponse(
      page.rows.map((row) => scimGroup(row, members?.get(row.id), base)),
      page.total,
      request.startIndex,
    );
  },
  get(sql: SqlStorage, base: string, id: string, excludedAttributes?: string) {
    const row = groupRow(sql, id);
    return scimGroup(row, withMembers(excludedAttributes) ? membersOf(sql, id) : undefined, base);
  },
  create(sql: SqlStorage, change: StoreChange, base: string, group: ScimGroupFields) {
    const row = createGroup(sql, change, group);
    return scimGroup(row, group.members.length > 0 ? membersOf(sql, row.id) : [], base);
  },
  replace(sql: SqlStorage, change: StoreChange, base: string, id: string, group: ScimGroupFields) {
    groupRow(sql, id);
    const current = new Set(membersOf(sql, id).map((m) => m.id));
    const wanted = new Set(group.members);
    changeGroup(sql, change, id, {
      displayName: group.displayName,
      externalId: group.externalId,
      addMembers: [...wanted].filter((m) => !current.has(m)),
      removeMembers: [...current].filter((m) => !wanted.has(m)),
    });
    return scimGroups.get(sql, base, id);
  },
  patch(sql: SqlStorage, change: StoreChange, id: string, operations: Parameters<typeof groupPatch>[0]): DirectoryChangeResult {
    const patch = groupPatch(operations);
    let { addMembers, removeMembers } = patch;
    if (patch.setMembers) {
      groupRow(sql, id);
      const current = new Set(membersOf(sql, id).map((m) => m.id));
      const wanted = new Set(patch.setMembers);
      addMembers = [...wanted].filter((m) => !current.has(m));
      removeMembers = [...current].filter((m) => !wanted.has(m));
    }
    return changeGroup(sql, change, id, { displayName: patch.displayName, externalId: patch.externalId, addMembers, removeMembers });
  },
  delete(sql: SqlStorage, change: StoreChange, id: string): DirectoryChangeResult {
    const row = groupRow(sql, id);
    return deleteGroup(sql, change, { id: row.id, display_name: row.display_name });
  },
};
