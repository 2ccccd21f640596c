/**
 * Hostile input: property-based requests over every route (bad JSON, wrong types, huge arrays,
 * 2 MiB bodies, unicode and CJK, SQL and header injection strings, path traversal, duplicate
 * principals, negative or fractional quantities). Only 4xx with the error shape, never a 5xx.
 */
import { type ErrorCode, errorCodes } from "@appseats/shared";
import fc from "fast-check";
import { demoProvisioningToken, demoVendorKey } from "../../../worker/seed/demo.ts";
import { newClientAddress } from "../../support/backend.ts";
import { crowd, relUser, subscriptions } from "../data.ts";
import type { Suite } from "../run.ts";

const nasty = [
  "../../etc/passwd",
  "..%2f..%2fwrangler.jsonc",
  "' OR 1=1 --",
  '"; DROP TABLE licenses; --',
  "陳美玲",
  "🙂".repeat(40),
  "a".repeat(400),
  "%00",
  "\\u0000",
  // Control characters themselves: a NUL, other C0 characters, DEL, a C1 character.
  "Sales\u0000",
  "a\u0001b",
  "\u001b[31mred",
  "x\u007fy",
  "line\u0085next",
  "<script>alert(1)</script>",
  "usr_fabrikam_isaiah",
  "sub_fabrikam_northwind_notes",
];

/** Text made mostly of control characters, with a quote and letters among them. */
const controlText = fc.string({ unit: fc.constantFrom("\u0000", "\u0001", "\u001f", "\u007f", "\u0085", "'", "a"), maxLength: 12 });

const id = fc.oneof(
  fc.constantFrom(...Object.values(subscriptions), relUser(1), relUser(599), crowd(3), "usr_contoso_adele", "grp_contoso_sales"),
  fc.constantFrom(...nasty),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
);
const principal = fc.oneof(
  fc.record({ type: fc.constantFrom("user", "group"), id }),
  fc.record({ type: fc.oneof(fc.string(), fc.integer()), id: fc.anything() }, { requiredKeys: [] }),
);
const quantity = fc.oneof(fc.integer({ min: -5, max: 50 }), fc.double(), fc.constantFrom(Number.POSITIVE_INFINITY, -0, 2 ** 53, "7", null));
const body = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record(
      { principals: fc.array(principal, { maxLength: 8 }), dryRun: fc.oneof(fc.boolean(), fc.anything()) },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.record({ principals: fc.constant(Array.from({ length: 501 }, () => ({ type: "user", id: relUser(1) }))) }) },
  { weight: 1, arbitrary: principal.map((p) => ({ principals: [p, p, p] })) },
  {
    weight: 2,
    arbitrary: fc.record(
      { quantity, status: fc.oneof(fc.constantFrom("active", "warning", "suspended", "lockedOut", "expired"), fc.string()) },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.record({ userIds: fc.array(id, { maxLength: 5 }), accountEnabled: fc.anything() }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: fc.record({ userPrincipalName: fc.oneof(fc.constantFrom(...nasty), fc.emailAddress()) }) },
  // A CSV import's names: addresses, nasty text, control characters.
  {
    weight: 1,
    arbitrary: fc.record({ names: fc.array(fc.oneof(fc.emailAddress(), fc.constantFrom(...nasty), controlText), { maxLength: 6 }) }),
  },
  // What a SCIM client sends, and sends wrong: PatchOps, users and groups with every type mixed up.
  {
    weight: 2,
    arbitrary: fc.record({
      schemas: fc.constant(["urn:ietf:params:scim:api:messages:2.0:PatchOp"]),
      Operations: fc.array(
        fc.record(
          {
            op: fc.constantFrom("add", "Replace", "remove", "REMOVE", "bogus"),
            path: fc.oneof(
              fc.constantFrom(
                "members",
                "active",
                "userName",
                "displayName",
                'members[value eq "x"]',
                'emails[type eq "work"].value',
                "name.givenName",
              ),
              fc.string({ maxLength: 40 }),
            ),
            value: fc.oneof(fc.anything(), fc.array(fc.record({ value: id })), fc.constantFrom("True", "False"), controlText),
          },
          { requiredKeys: ["op"] },
        ),
        { maxLength: 5 },
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record(
      {
        userName: fc.oneof(fc.constantFrom(...nasty), fc.emailAddress(), fc.integer()),
        displayName: fc.oneof(fc.string({ maxLength: 300 }), fc.anything(), controlText, fc.constantFrom(...nasty)),
        externalId: fc.oneof(controlText, fc.string({ maxLength: 20 })),
        name: fc.record({ givenName: fc.oneof(controlText, fc.string()), familyName: controlText }, { requiredKeys: [] }),
        active: fc.oneof(fc.boolean(), fc.string({ maxLength: 6 })),
        emails: fc.anything(),
        members: fc.array(fc.record({ value: id }), { maxLength: 5 }),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 2, arbitrary: fc.jsonValue() },
);
const raw = fc.oneof(
  { weight: 6, arbitrary: body.map((b) => JSON.stringify(b)) },
  { weight: 2, arbitrary: fc.constantFrom("{", "[1,2", '{"principals": [}', "null", "", "\u0000", "true", '{"a":1}{"b":2}') },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.constant("2MiB") },
);
const contentType = fc.constantFrom(
  "application/json",
  "application/json; charset=utf-8",
  "APPLICATION/JSON",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "",
);
const scimFilters = [
  'userName eq "rel0001@contoso.com"',
  'userName co "x"',
  "userName eq",
  'displayName eq "Crowd 03"',
  "(((",
  'a eq "b" or c eq "d"',
  "not (userName pr)",
];
const query = fc.dictionary(
  fc.constantFrom("q", "limit", "cursor", "state", "type", "licenseId", "user", "filter", "startIndex", "count", "excludedAttributes"),
  fc.oneof(fc.constantFrom(...nasty, ...scimFilters), fc.string({ maxLength: 20 }), fc.integer().map(String), controlText),
  { maxKeys: 3 },
);

type Caller = "admin" | "reader" | "vendor" | "otherVendor" | "scim" | "otherScim" | "garbage" | "forgedEntra" | "none";
const routes: { method: string; path: (id: string) => string; body?: boolean }[] = [
  { method: "GET", path: () => "/api/v1/me" },
  { method: "GET", path: () => "/api/v1/licenses" },
  { method: "GET", path: (i) => `/api/v1/licenses/${i}` },
  { method: "GET", path: (i) => `/api/v1/licenses/${i}/users` },
  { method: "GET", path: (i) => `/api/v1/licenses/${i}/export.csv` },
  { method: "POST", path: (i) => `/api/v1/licenses/${i}/assign`, body: true },
  { method: "POST", path: (i) => `/api/v1/licenses/${i}/unassign`, body: true },
  { method: "POST", path: (i) => `/api/v1/licenses/${i}/install` },
  { method: "POST", path: (i) => `/api/v1/licenses/${i}/import/preview`, body: true },
  { method: "GET", path: () => "/api/v1/directory/search" },
  { method: "POST", path: (i) => `/api/v1/directory/groups/${i}/members`, body: true },
  { method: "POST", path: (i) => `/api/v1/directory/groups/${i}/members/remove`, body: true },
  { method: "PATCH", path: (i) => `/api/v1/directory/users/${i}`, body: true },
  { method: "GET", path: (i) => `/api/v1/users/${i}/licenses` },
  { method: "GET", path: () => "/api/v1/audit" },
  { method: "POST", path: () => "/api/v1/dev/sign-in", body: true },
  { method: "GET", path: (i) => `/vendor/v1/subscriptions/${i}` },
  { method: "PUT", path: (i) => `/vendor/v1/subscriptions/${i}`, body: true },
  { method: "GET", path: (i) => `/vendor/v1/subscriptions/${i}/usage-rights` },
  { method: "POST", path: (i) => `/vendor/v1/installs/${i}/complete` },
  { method: "GET", path: () => "/scim/v2/Users" },
  { method: "POST", path: () => "/scim/v2/Users", body: true },
  { method: "GET", path: (i) => `/scim/v2/Users/${i}` },
  { method: "PUT", path: (i) => `/scim/v2/Users/${i}`, body: true },
  { method: "PATCH", path: (i) => `/scim/v2/Users/${i}`, body: true },
  { method: "GET", path: () => "/scim/v2/Groups" },
  { method: "GET", path: (i) => `/scim/v2/Groups/${i}` },
  { method: "PATCH", path: (i) => `/scim/v2/Groups/${i}`, body: true },
];

/** The credential a route expects, so that most requests reach validation and the rules. */
const properCaller = (path: string): Caller => (path.startsWith("/vendor") ? "vendor" : path.startsWith("/scim") ? "scim" : "admin");

export async function hostileInput({ http, checks, tokens, short, invariants, backend }: Suite) {
  const runs = short ? 400 : 3000;
  console.log(`Hostile input: ${runs} generated requests over ${routes.length} routes`);
  // An Entra ID token of the local stand-in whose claims were changed after signing.
  const [header, payload, signature] = (await backend.entra!.tokenFor("megan@contoso.com")).split(".");
  const forgedEntra = `${header}.${payload!.slice(0, -4)}AAAA.${signature}`;
  // Spread over several tokens: the rate limit is per token.
  const admins = await Promise.all(Array.from({ length: 4 }, () => http.token("megan@contoso.com")));
  const credentials: Record<Caller, () => string | undefined> = {
    admin: () => admins[Math.floor(Math.random() * admins.length)],
    reader: () => tokens.grady,
    vendor: () => demoVendorKey("northwind"),
    otherVendor: () => demoVendorKey("fabrikam"),
    scim: () => demoProvisioningToken("contoso"),
    otherScim: () => demoProvisioningToken("fabrikam"),
    garbage: () => "ass_garbage-token",
    forgedEntra: () => forgedEntra,
    none: () => undefined,
  };
  const sent = { total: 0, unsendable: 0, byStatus: {} as Record<string, number> };
  const shapes: string[] = [];

  await fc
    .assert(
      fc.asyncProperty(
        fc.nat({ max: routes.length - 1 }),
        id,
        fc.boolean(),
        raw,
        contentType,
        query,
        fc.oneof(
          { weight: 7, arbitrary: fc.constant<Caller | "proper">("proper") },
          {
            weight: 3,
            arbitrary: fc.constantFrom<Caller>(
              "admin",
              "vendor",
              "reader",
              "otherVendor",
              "scim",
              "otherScim",
              "garbage",
              "forgedEntra",
              "none",
            ),
          },
        ),
        fc.option(fc.oneof(fc.string({ maxLength: 300 }), fc.constantFrom("key\r\nX-Injected: 1", "k".repeat(300), "ok-key"))),
        async (routeIndex, pathId, encode, payload, type, params, caller, idempotencyKey) => {
          const route = routes[routeIndex]!;
          const search = new URLSearchParams(params).toString();
          const path = `${route.path(encode ? encodeURIComponent(pathId) : pathId)}${search ? `?${search}` : ""}`;
          // Many clients: one address's budget of failed credentials is the flood's to test (limits.ts).
          const headers: Record<string, string> = { "cf-connecting-ip": newClientAddress() };
          if (type) headers["content-type"] = type;
          if (idempotencyKey !== null) headers["idempotency-key"] = idempotencyKey;
          // Mostly the credential the route expects, so that requests reach validation and the rules.
          const token = credentials[caller === "proper" ? properCaller(route.path("x")) : caller]();
          const text = payload === "2MiB" ? `{"principals":[],"pad":"${"x".repeat(2 * 1024 * 1024)}"}` : payload;
          let answer: Awaited<
            ReturnType<
              typeof http.call<{ error?: { code: ErrorCode; message: string }; schemas?: string[]; status?: string; detail?: string }>
            >
          >;
          try {
            const withBody = route.body || (route.method !== "GET" && Math.random() < 0.3);
            answer = await http.call(route.method, path, { token, raw: withBody ? text : undefined, headers });
          } catch {
            // fetch itself refuses some inputs (a header with CR LF, a bad URL): nothing reached the worker.
            sent.unsendable += 1;
            return true;
          }
          sent.total += 1;
          sent.byStatus[answer.status] = (sent.byStatus[answer.status] ?? 0) + 1;
          if (answer.status >= 500) return false;
          if (answer.status >= 400) {
            const error = answer.body?.error;
            // A SCIM client is answered in SCIM's error shape, everyone else in the API's.
            const shaped = path.startsWith("/scim/")
              ? answer.body?.schemas?.[0] === "urn:ietf:params:scim:api:messages:2.0:Error" &&
                answer.body.status === String(answer.status) &&
                typeof answer.body.detail === "string"
              : error && errorCodes.includes(error.code) && typeof error.message === "string" && error.message.length > 0;
            if (!shaped) shapes.push(`${route.method} ${path} → ${answer.status} ${JSON.stringify(answer.body).slice(0, 120)}`);
          }
          return true;
        },
      ),
      { numRuns: runs, endOnFailure: true },
    )
    .then(
      () => checks.check(`hostile: ${sent.total} requests, no 5xx`, true),
      (error: Error) => checks.check("hostile: no 5xx", false, error.message.slice(0, 1500)),
    );
  checks.equal("hostile: every 4xx has the error shape", shapes.slice(0, 5), []);
  console.log(`  statuses: ${JSON.stringify(sent.byStatus)}; not sendable by fetch: ${sent.unsendable}`);
  await invariants("hostile input");
}
