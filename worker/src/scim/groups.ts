/**
 * SCIM groups as AppSeats keeps them: `displayName`, `externalId`, and `members` (users of the
 * tenant, by id). PATCH adds and removes members (also by a path such as
 * `members[value eq "<id>"]`) and replaces `displayName`, as Entra ID and Okta send it.
 */
import { hasControlCharacters, plainText } from "@appseats/shared";
import { z } from "zod";
import { AppSeatsError } from "../errors.js";
import { nullable, type RowOf, text } from "../store/rows.js";
import { scimSchemas } from "./discovery.js";

/** A group's row as SCIM answers it: its columns, each read as its type (store/rows.ts). */
export const groupRowShape = { id: text, display_name: text, external_id: nullable(text), created_at: text };
export type GroupRow = RowOf<typeof groupRowShape>;
export const groupRowColumns = Object.keys(groupRowShape).join(", ");

export function scimGroup(row: GroupRow, members: { id: string; display_name: string }[] | undefined, base: string) {
  return {
    schemas: [scimSchemas.group],
    id: row.id,
    ...(row.external_id ? { externalId: row.external_id } : {}),
    displayName: row.display_name,
    ...(members ? { members: members.map((m) => ({ value: m.id, display: m.display_name, $ref: `${base}/Users/${m.id}` })) } : {}),
    meta: { resourceType: "Group", created: row.created_at, location: `${base}/Groups/${row.id}` },
  };
}

const Member = z.object({ value: plainText(128).min(1) }).loose();

/** A group as a directory sends it on create and replace. */
export const ScimGroupBody = z
  .object({
    displayName: plainText(256).min(1, "must not be empty"),
    externalId: plainText(256).optional(),
    members: z.array(Member).max(50_000).optional(),
  })
  .loose();

const invalid = (detail: string, scimType = "invalidValue") => new AppSeatsError("InvalidRequest", detail, { scimType });

/** What a group PATCH asks for, as changes to make. `setMembers` replaces the whole list. */
export interface GroupPatch {
  displayName?: string;
  externalId?: string | null;
  addMembers: string[];
  removeMembers: string[];
  setMembers?: string[];
}

const membersOf = (value: unknown, path: string): string[] => {
  const parsed = z
    .array(Member)
    .max(50_000)
    .safeParse(Array.isArray(value) ? value : value === undefined ? [] : [value]);
  if (!parsed.success) throw invalid(`${path} must be a list of members, each with its value.`);
  return parsed.data.map((m) => m.value);
};

const textOf = (value: unknown, path: string) => {
  if (typeof value !== "string" || !value.trim() || value.length > 256) throw invalid(`${path} must be text of 1 to 256 characters.`);
  if (hasControlCharacters(value)) throw invalid(`${path} must not contain control characters.`);
  return value.trim();
};

/** `members[value eq "<id>"]`: one member, named in the path. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: a member id holds no control character.
const memberPath = /^members\[value eq "([^"\u0000-\u001f\u007f]{1,128})"\]$/i;

/** Reads a PATCH's operations (RFC 7644 §3.5.2) into the changes they make; refuses any it cannot apply. */
export function groupPatch(operations: { op: string; path?: string | undefined; value?: unknown }[]): GroupPatch {
  const patch: GroupPatch = { addMembers: [], removeMembers: [] };
  const set = (path: string, value: unknown, op: string) => {
    const name = path.trim().toLowerCase();
    // Okta repeats the group's id in a whole-value replace; it cannot change.
    if (name === "id" || name === "schemas" || name === "meta") return;
    if (name === "displayname") patch.displayName = textOf(value, "displayName");
    else if (name === "externalid") patch.externalId = op === "remove" ? null : textOf(value, "externalId");
    else if (name === "members") {
      const ids = membersOf(value, "members");
      if (op === "add") patch.addMembers.push(...ids);
      else if (op === "remove" && value === undefined) patch.setMembers = [];
      else if (op === "remove") patch.removeMembers.push(...ids);
      else patch.setMembers = ids;
    } else if (memberPath.test(path.trim()) && op === "remove") patch.removeMembers.push(memberPath.exec(path.trim())![1]!);
    else throw invalid(`The attribute ${path} is not one a group has, or cannot be changed so.`, "invalidPath");
  };
  for (const operation of operations) {
    const op = operation.op.toLowerCase();
    if (op !== "add" && op !== "replace" && op !== "remove")
      throw invalid(`The operation ${operation.op} is not add, replace or remove.`, "invalidSyntax");
    if (operation.path) set(operation.path, operation.value, op);
    else if (op !== "remove" && operation.value && typeof operation.value === "object" && !Array.isArray(operation.value)) {
      for (const [path, value] of Object.entries(operation.value)) set(path, value, op);
    } else throw invalid("An operation without a path needs an object of attributes as its value.", "invalidSyntax");
  }
  return patch;
}
