/** The OpenAPI 3.1 document of the v1 API, generated from the shared zod schemas. */
import * as shared from "@appseats/shared";
import { type ErrorCode, errorStatus } from "@appseats/shared";
import { z } from "zod";

type Auth = "admin" | "vendor" | "none";
interface Operation {
  method: "get" | "post" | "put" | "patch" | "delete";
  path: string;
  summary: string;
  auth: Auth;
  query?: z.ZodObject;
  body?: z.ZodType;
  response?: z.ZodType;
  responseType?: string;
  errors: ErrorCode[];
}

const read: ErrorCode[] = ["InvalidRequest", "Unauthenticated", "Forbidden", "RateLimited"];
const change: ErrorCode[] = [...read, "NotFound", "IdempotencyKeyInFlight", "IdempotencyKeyReused", "PayloadTooLarge", "UnsupportedMediaType"];

const operations: Operation[] = [
  { method: "get", path: "/api/v1/me", summary: "Who is signed in, the tenant, roles and what they allow", auth: "admin", response: shared.Me, errors: read },
  { method: "get", path: "/api/v1/licenses", summary: "Every license of the tenant with its seats", auth: "admin", response: shared.LicenseList, errors: read },
  { method: "get", path: "/api/v1/licenses/{id}", summary: "One license with its assignments", auth: "admin", query: shared.LicenseDetailQuery, response: shared.LicenseDetail, errors: [...read, "NotFound"] },
  { method: "get", path: "/api/v1/licenses/{id}/users", summary: "Users holding or waiting for the license", auth: "admin", query: shared.LicenseUsersQuery, response: shared.LicenseUsers, errors: [...read, "NotFound"] },
  { method: "get", path: "/api/v1/licenses/{id}/export.csv", summary: "The license's users as CSV", auth: "admin", responseType: "text/csv", errors: [...read, "NotFound"] },
  { method: "post", path: "/api/v1/licenses/{id}/assign", summary: "Assign users and groups", auth: "admin", body: shared.AssignRequest, response: shared.AssignResult, errors: [...change, "NotEnoughLicenses", "SubscriptionNotUsable"] },
  { method: "post", path: "/api/v1/licenses/{id}/unassign", summary: "Unassign users and groups", auth: "admin", body: shared.UnassignRequest, response: shared.UnassignResult, errors: [...change, "InheritedLicense"] },
  { method: "post", path: "/api/v1/licenses/{id}/install", summary: "Start installing the product (GlobalAdmin)", auth: "admin", response: shared.InstallResult, errors: change },
  { method: "get", path: "/api/v1/directory/search", summary: "Find users and groups", auth: "admin", query: shared.DirectorySearchQuery, response: shared.DirectorySearchResult, errors: read },
  { method: "post", path: "/api/v1/directory/groups/{id}/members", summary: "Add members to a group (licenses follow)", auth: "admin", body: shared.MemberChangeRequest, response: shared.DirectoryChangeResult, errors: change },
  { method: "post", path: "/api/v1/directory/groups/{id}/members/remove", summary: "Remove members from a group (seats are released and refilled)", auth: "admin", body: shared.MemberChangeRequest, response: shared.DirectoryChangeResult, errors: change },
  { method: "patch", path: "/api/v1/directory/users/{id}", summary: "Enable or disable a user (seats are kept)", auth: "admin", body: shared.UserUpdateRequest, response: shared.DirectoryChangeResult, errors: change },
  { method: "delete", path: "/api/v1/directory/users/{id}", summary: "Delete a user (seats are released and refilled)", auth: "admin", response: shared.DirectoryChangeResult, errors: change },
  { method: "get", path: "/api/v1/users/{id}/licenses", summary: "A user's licenses and how each is held", auth: "admin", response: shared.UserLicenses, errors: [...read, "NotFound"] },
  { method: "get", path: "/api/v1/audit", summary: "The audit trail, newest first", auth: "admin", query: shared.AuditQuery, response: shared.AuditPage, errors: read },
  { method: "post", path: "/api/v1/dev/sign-in", summary: "Local sign-in (only when DEV_SIGN_IN is true)", auth: "none", body: shared.DevSignInRequest, response: shared.DevSignInResult, errors: ["InvalidRequest", "NotFound"] },
  { method: "get", path: "/vendor/v1/subscriptions/{id}", summary: "A subscription of the vendor's app", auth: "vendor", response: shared.VendorSubscription, errors: ["Unauthenticated", "NotFound"] },
  { method: "put", path: "/vendor/v1/subscriptions/{id}", summary: "Set purchased quantity and status", auth: "vendor", body: shared.SubscriptionUpdate, response: shared.VendorSubscription, errors: ["InvalidRequest", "Unauthenticated", "NotFound", "IdempotencyKeyInFlight", "IdempotencyKeyReused"] },
  { method: "get", path: "/vendor/v1/subscriptions/{id}/usage-rights", summary: "Does this user hold a usable license?", auth: "vendor", query: shared.UsageRightsQuery, response: shared.UsageRights, errors: ["InvalidRequest", "Unauthenticated", "NotFound"] },
  { method: "post", path: "/vendor/v1/installs/{id}/complete", summary: "Confirm an install", auth: "vendor", response: shared.InstallComplete, errors: ["Unauthenticated", "NotFound"] },
];

const ref = (schema: z.ZodType) => {
  const id = z.globalRegistry.get(schema)?.id;
  return id ? { $ref: `#/components/schemas/${id}` } : z.toJSONSchema(schema, { unrepresentable: "any" });
};

function operationObject(op: Operation) {
  const parameters = [
    ...(op.path.includes("{id}") ? [{ name: "id", in: "path", required: true, schema: { type: "string" } }] : []),
    ...Object.entries(op.query?.shape ?? {}).map(([name, field]) => ({
      name,
      in: "query",
      required: !(field as z.ZodType).safeParse(undefined).success,
      schema: z.toJSONSchema(field as z.ZodType, { io: "input", unrepresentable: "any" }),
    })),
    ...(op.method !== "get" && op.auth !== "none" ? [{ name: "Idempotency-Key", in: "header", required: false, schema: { type: "string", maxLength: 255 } }] : []),
  ];
  const errors = Object.fromEntries(
    [...new Set(op.errors.map((code) => errorStatus[code]))].map((status) => [
      String(status),
      { description: op.errors.filter((code) => errorStatus[code] === status).join(", "), content: { "application/json": { schema: ref(shared.ErrorBody) } } },
    ]),
  );
  return {
    summary: op.summary,
    ...(op.auth === "none" ? { security: [] } : { security: [{ [op.auth === "admin" ? "adminToken" : "vendorKey"]: [] }] }),
    parameters,
    ...(op.body ? { requestBody: { required: true, content: { "application/json": { schema: ref(op.body) } } } } : {}),
    responses: {
      "200": {
        description: "OK",
        content: op.responseType ? { [op.responseType]: { schema: { type: "string" } } } : { "application/json": { schema: ref(op.response!) } },
      },
      ...errors,
      "500": { description: "Internal", content: { "application/json": { schema: ref(shared.ErrorBody) } } },
    },
  };
}

let cached: object | undefined;

export function openApiDocument(): object {
  if (cached) return cached;
  const generated = z.toJSONSchema(z.globalRegistry, { uri: (id) => `#/components/schemas/${id}`, unrepresentable: "any" });
  // Components are referenced by path; each schema's own $schema and $id would only repeat that.
  const schemas = Object.fromEntries(
    Object.entries(generated.schemas).map(([id, { $schema: _schema, $id: _id, ...schema }]) => [id, schema]),
  );
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) (paths[op.path] ??= {})[op.method] = operationObject(op);
  cached = {
    openapi: "3.1.0",
    info: { title: "AppSeats API", version: "1.0.0", description: "Licenses of third-party apps across an organisation's directory." },
    servers: [{ url: "/" }],
    components: {
      securitySchemes: {
        adminToken: { type: "http", scheme: "bearer", description: "A session token of a tenant admin" },
        vendorKey: { type: "http", scheme: "bearer", description: "A vendor's API key" },
      },
      schemas,
    },
    paths,
  };
  return cached;
}
