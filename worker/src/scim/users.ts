/**
 * SCIM users as AppSeats keeps them: `userName` ↔ user principal name, `displayName` (else
 * `name.formatted`, else given and family name), `active` ↔ account enabled, the work or primary
 * e-mail ↔ mail, `externalId`, and the enterprise extension's `department`. What Entra ID sends
 * is accepted as it sends it: operation names in any case, "True"/"False" for booleans, paths
 * such as `emails[type eq "work"].value`, and an operation without a path whose value is an
 * object of attributes.
 */
import { hasControlCharacters, plainText } from "@appseats/shared";
import { z } from "zod";
import { AppSeatsError } from "../errors.js";
import type { UserFields, DirectoryUserRow as UserRow } from "../store/directory.js";
import { scimSchemas } from "./discovery.js";

export function scimUser(row: UserRow, base: string) {
  return {
    schemas: [scimSchemas.user, scimSchemas.enterpriseUser],
    id: row.id,
    ...(row.external_id ? { externalId: row.external_id } : {}),
    userName: row.user_principal_name,
    displayName: row.display_name,
    name: {
      formatted: row.name_formatted ?? row.display_name,
      ...(row.given_name !== null ? { givenName: row.given_name } : {}),
      ...(row.family_name !== null ? { familyName: row.family_name } : {}),
    },
    active: row.account_enabled === 1,
    emails: row.mail ? [{ value: row.mail, type: "work", primary: true }] : [],
    [scimSchemas.enterpriseUser]: row.department ? { department: row.department } : {},
    meta: { resourceType: "User", created: row.created_at, location: `${base}/Users/${row.id}` },
  };
}

export const fieldsOf = (row: UserRow): UserFields => ({
  userPrincipalName: row.user_principal_name,
  displayName: row.display_name,
  mail: row.mail,
  accountEnabled: row.account_enabled === 1,
  externalId: row.external_id,
  department: row.department,
  givenName: row.given_name,
  familyName: row.family_name,
  nameFormatted: row.name_formatted,
});

/** The row as a change of `fields` left it: the answer to PUT and PATCH, without reading it again. */
export const withFields = (row: UserRow, fields: UserFields): UserRow => ({
  ...row,
  user_principal_name: fields.userPrincipalName,
  display_name: fields.displayName,
  mail: fields.mail,
  account_enabled: fields.accountEnabled ? 1 : 0,
  external_id: fields.externalId,
  department: fields.department,
  given_name: fields.givenName,
  family_name: fields.familyName,
  name_formatted: fields.nameFormatted,
});

const invalid = (detail: string, scimType = "invalidValue") => new AppSeatsError("InvalidRequest", detail, { scimType });

/** Entra ID sends booleans as the strings "True" and "False". */
const scimBoolean = z.union([z.boolean(), z.enum(["True", "False", "true", "false"]).transform((text) => text.toLowerCase() === "true")]);
const text = plainText;
const Email = z.object({ value: text(320), type: z.string().optional(), primary: scimBoolean.optional() }).loose();

/** A user as a directory sends it on create and replace. */
export const ScimUserBody = z
  .object({
    userName: text(320).min(3, "must be a user principal name"),
    externalId: text(256).optional(),
    displayName: text(256).optional(),
    name: z
      .object({ formatted: text(256).optional(), givenName: text(128).optional(), familyName: text(128).optional() })
      .loose()
      .optional(),
    active: scimBoolean.optional(),
    emails: z.array(Email).max(20).optional(),
    [scimSchemas.enterpriseUser]: z
      .object({ department: text(256).optional() })
      .loose()
      .optional(),
  })
  .loose();
type ScimUserBody = z.infer<typeof ScimUserBody>;

const displayNameOf = (body: Pick<ScimUserBody, "displayName" | "name" | "userName">) =>
  body.displayName || body.name?.formatted || [body.name?.givenName, body.name?.familyName].filter(Boolean).join(" ") || body.userName;

const mailOf = (emails: ScimUserBody["emails"]) =>
  (emails?.find((e) => e.type === "work") ?? emails?.find((e) => e.primary === true) ?? emails?.[0])?.value ?? null;

export function userFieldsFrom(body: ScimUserBody): UserFields {
  return {
    userPrincipalName: body.userName,
    displayName: displayNameOf(body),
    mail: mailOf(body.emails),
    accountEnabled: body.active ?? true,
    externalId: body.externalId ?? null,
    department: body[scimSchemas.enterpriseUser]?.department ?? null,
    givenName: body.name?.givenName ?? null,
    familyName: body.name?.familyName ?? null,
    nameFormatted: body.name?.formatted ?? null,
  };
}

const Operation = z.object({ op: z.string(), path: z.string().max(512).optional(), value: z.unknown().optional() }).loose();
export const PatchBody = z.object({ schemas: z.array(z.string()).optional(), Operations: z.array(Operation).min(1).max(1000) }).loose();
type Operation = z.infer<typeof Operation>;

/** Reads a boolean as Entra ID sends it. */
function booleanOf(value: unknown, path: string): boolean {
  const parsed = scimBoolean.safeParse(value);
  if (!parsed.success) throw invalid(`${path} must be true or false.`);
  return parsed.data;
}

function stringOf(value: unknown, path: string, max = 320): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== "string" || value.length > max) throw invalid(`${path} must be text of at most ${max} characters.`);
  if (hasControlCharacters(value)) throw invalid(`${path} must not contain control characters.`);
  return value.trim();
}

/** Sets one attribute, named by a SCIM path (case-insensitive, as RFC 7643 §2.1 has them), to a value. */
function setAttribute(fields: UserFields, path: string, value: unknown, remove: boolean, displayNameSent: boolean): void {
  const name = path.trim().toLowerCase();
  const enterprise = `${scimSchemas.enterpriseUser.toLowerCase()}:`;
  if (name === "username") {
    const upn = stringOf(value, "userName");
    if (remove || !upn || upn.length < 3) throw invalid("userName cannot be removed.", "mutability");
    fields.userPrincipalName = upn;
  } else if (name === "displayname") fields.displayName = stringOf(remove ? null : value, path, 256) || fields.userPrincipalName;
  else if (name === "name.formatted") {
    fields.nameFormatted = remove ? null : stringOf(value, path, 256);
    if (!displayNameSent) fields.displayName = fields.nameFormatted || fields.userPrincipalName;
  } else if (name === "name.givenname") fields.givenName = remove ? null : stringOf(value, path, 128);
  else if (name === "name.familyname") fields.familyName = remove ? null : stringOf(value, path, 128);
  else if (name === "active") fields.accountEnabled = remove ? true : booleanOf(value, "active");
  else if (name === "externalid") fields.externalId = remove ? null : stringOf(value, path, 256);
  else if (name === `${enterprise}department`) fields.department = remove ? null : stringOf(value, path, 256);
  else if (name === "emails" || /^emails\[type eq "?work"?\]\.value$/.test(name) || name === "emails.value") {
    if (remove) fields.mail = null;
    else if (Array.isArray(value)) fields.mail = mailOf(z.array(Email).parse(value));
    else fields.mail = stringOf(value, path);
  } else if (name === "name" && (remove || (value && typeof value === "object"))) {
    const parts = (remove ? {} : value) as { formatted?: unknown; givenName?: unknown; familyName?: unknown };
    fields.nameFormatted = stringOf(parts.formatted, "name.formatted", 256);
    fields.givenName = stringOf(parts.givenName, "name.givenName", 128);
    fields.familyName = stringOf(parts.familyName, "name.familyName", 128);
    const formatted = fields.nameFormatted || [fields.givenName, fields.familyName].filter(Boolean).join(" ");
    if (formatted && !displayNameSent) fields.displayName = formatted;
  } else if (name === scimSchemas.enterpriseUser.toLowerCase() && value && typeof value === "object") {
    fields.department = stringOf((value as { department?: unknown }).department, "department", 256);
  } else if (
    ["phonenumbers", "addresses", "title", "preferredlanguage", "locale", "timezone", "nickname", "usertype"].some((kept) =>
      name.startsWith(kept),
    ) ||
    name.startsWith(enterprise)
  ) {
    /* attributes AppSeats does not keep are accepted and left aside */
  } else throw invalid(`The attribute ${path} is not one a user has.`, "invalidPath");
}

/**
 * Applies a PATCH's operations to a user (RFC 7644 §3.5.2). All or nothing: the caller stores
 * the result only if every operation applied.
 */
export function patchedUser(current: UserFields, operations: Operation[]): UserFields {
  const fields = { ...current };
  // The display name follows the name's parts only when the PATCH does not set it itself.
  const displayNameSent = operations.some(
    (operation) =>
      operation.path?.trim().toLowerCase() === "displayname" ||
      (!operation.path && operation.value && typeof operation.value === "object" && "displayName" in operation.value),
  );
  for (const operation of operations) {
    const op = operation.op.toLowerCase();
    if (op !== "add" && op !== "replace" && op !== "remove")
      throw invalid(`The operation ${operation.op} is not add, replace or remove.`, "invalidSyntax");
    if (operation.path) setAttribute(fields, operation.path, operation.value, op === "remove", displayNameSent);
    else if (op !== "remove" && operation.value && typeof operation.value === "object" && !Array.isArray(operation.value)) {
      for (const [path, value] of Object.entries(operation.value)) setAttribute(fields, path, value, false, displayNameSent);
    } else throw invalid("An operation without a path needs an object of attributes as its value.", "invalidSyntax");
  }
  return fields;
}
