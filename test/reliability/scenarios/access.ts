/**
 * The access matrix: every admin route × every role × own and other tenant, and every route
 * with no, expired and garbage tokens, against the status API.md prescribes.
 */
import { demoProvisioningToken, demoVendorKey } from "../../../worker/seed/demo.ts";
import { newClientAddress } from "../../support/backend.ts";
import { crowd, relUser, subscriptions } from "../data.ts";
import type { Suite } from "../run.ts";

type Capability = "read" | "assign" | "install" | "directory" | "me";
const allowed: Record<Capability, string[]> = {
  me: ["GlobalAdmin", "LicenseAdmin", "UserAdmin", "BillingAdmin", "GlobalReader", "none"],
  read: ["GlobalAdmin", "LicenseAdmin", "UserAdmin", "BillingAdmin", "GlobalReader"],
  assign: ["GlobalAdmin", "LicenseAdmin", "UserAdmin"],
  install: ["GlobalAdmin"],
  directory: ["GlobalAdmin", "UserAdmin"],
};

interface Route {
  name: string;
  capability: Capability;
  method: string;
  /** The path for an id of the caller's tenant or of the other tenant; undefined when the route takes no id. */
  path: (tenant: "own" | "other", n: number) => string;
  takesId: boolean;
  body?: (tenant: "own" | "other") => unknown;
}

const own = { license: subscriptions.litwareChat, user: "usr_contoso_adele", group: crowd(5) };
const other = { license: subscriptions.fabrikamTenantNotes, user: "usr_fabrikam_isaiah", group: "grp_does_not_exist" };
const ids = (tenant: "own" | "other") => (tenant === "own" ? own : other);

const routes: Route[] = [
  { name: "me", capability: "me", method: "GET", path: () => "/api/v1/me", takesId: false },
  { name: "licenses", capability: "read", method: "GET", path: () => "/api/v1/licenses", takesId: false },
  { name: "license", capability: "read", method: "GET", path: (t) => `/api/v1/licenses/${ids(t).license}`, takesId: true },
  { name: "license users", capability: "read", method: "GET", path: (t) => `/api/v1/licenses/${ids(t).license}/users`, takesId: true },
  { name: "export", capability: "read", method: "GET", path: (t) => `/api/v1/licenses/${ids(t).license}/export.csv`, takesId: true },
  { name: "user licenses", capability: "read", method: "GET", path: (t) => `/api/v1/users/${ids(t).user}/licenses`, takesId: true },
  { name: "search", capability: "read", method: "GET", path: () => "/api/v1/directory/search?q=a", takesId: false },
  { name: "audit", capability: "read", method: "GET", path: () => "/api/v1/audit", takesId: false },
  {
    name: "assign",
    capability: "assign",
    method: "POST",
    path: (t) => `/api/v1/licenses/${ids(t).license}/assign`,
    takesId: true,
    body: () => ({ principals: [{ type: "user", id: own.user }], dryRun: true }),
  },
  {
    name: "unassign",
    capability: "assign",
    method: "POST",
    path: (t) => `/api/v1/licenses/${ids(t).license}/unassign`,
    takesId: true,
    body: () => ({ principals: [{ type: "user", id: "usr_contoso_lidia" }], dryRun: true }),
  },
  { name: "install", capability: "install", method: "POST", path: (t) => `/api/v1/licenses/${ids(t).license}/install`, takesId: true },
  {
    name: "add members",
    capability: "directory",
    method: "POST",
    path: (t) => `/api/v1/directory/groups/${ids(t).group}/members`,
    takesId: true,
    body: () => ({ userIds: [relUser(501)] }),
  },
  {
    name: "remove members",
    capability: "directory",
    method: "POST",
    path: (t) => `/api/v1/directory/groups/${ids(t).group}/members/remove`,
    takesId: true,
    body: () => ({ userIds: [relUser(580)] }),
  },
  {
    name: "update user",
    capability: "directory",
    method: "PATCH",
    path: (t) => `/api/v1/directory/users/${t === "own" ? relUser(550) : other.user}`,
    takesId: true,
    body: () => ({ accountEnabled: true }),
  },
  // Each allowed delete takes a user of its own, so every cell can succeed.
  {
    name: "delete user",
    capability: "directory",
    method: "DELETE",
    path: (t, n) => `/api/v1/directory/users/${t === "own" ? relUser(560 + n) : other.user}`,
    takesId: true,
  },
];

const roles = [
  ["megan@contoso.com", "GlobalAdmin"],
  ["lidia@contoso.com", "LicenseAdmin"],
  ["alex@contoso.com", "UserAdmin"],
  ["ben@contoso.com", "BillingAdmin"],
  ["grady@contoso.com", "GlobalReader"],
  ["adele@contoso.com", "none"],
] as const;

export async function accessMatrix({ http, checks, backend }: Suite) {
  console.log("Access matrix: routes × roles × own and other tenant × token kinds");
  const counts: Record<string, number> = {};
  const mismatches: string[] = [];
  let cells = 0;
  let deletes = 0;
  const expect = async (label: string, expected: number, method: string, path: string, token: string | undefined, body?: unknown) => {
    // Each cell from a client address of its own: the matrix asks what roles reach, not how
    // often one address may fail (the flood in limits.ts asks that).
    const answer = await http.call(method, path, { token, body, headers: { "cf-connecting-ip": newClientAddress() } });
    cells += 1;
    counts[expected] = (counts[expected] ?? 0) + 1;
    if (answer.status !== expected) mismatches.push(`${label}: ${method} ${path} → ${answer.status}, expected ${expected}`);
  };

  // Each role with a local session token, then with an Entra ID access token of the local stand-in.
  const entra = backend.entra!;
  const signIns = { local: (upn: string) => http.token(upn), entra: (upn: string) => entra.tokenFor(upn) };
  for (const [kind, signIn] of Object.entries(signIns))
    for (const [upn, role] of roles) {
      const token = await signIn(upn);
      for (const route of routes) {
        for (const tenant of route.takesId ? (["own", "other"] as const) : (["own"] as const)) {
          const may = allowed[route.capability].includes(role);
          const expected = !may ? 403 : tenant === "other" ? 404 : 200;
          await expect(
            `${role} (${kind}) ${route.name} (${tenant})`,
            expected,
            route.method,
            route.path(tenant, deletes),
            token,
            route.body?.(tenant),
          );
          if (route.name === "delete user" && tenant === "own" && may) deletes += 1;
        }
      }
    }

  // No, expired and garbage credentials: 401 on every admin route.
  const expired = await http.token("megan@contoso.com");
  const db = backend.stores().get("contoso")!;
  db.prepare(
    `UPDATE session_tokens SET expires_at = '2020-01-01T00:00:00.000Z' WHERE expires_at = (SELECT MAX(expires_at) FROM session_tokens)`,
  ).run();
  db.close();
  const now = Math.floor(Date.now() / 1000);
  const entraToken = await entra.tokenFor("megan@contoso.com");
  const [header, payload, signature] = entraToken.split(".");
  const otherTenant = "fab00000-2222-4222-8222-000000000002";
  for (const [kind, token] of [
    ["no", undefined],
    ["expired", expired],
    ["garbage", "ass_not-a-real-token"],
    ["expired Entra", await entra.tokenFor("megan@contoso.com", { iat: now - 7200, nbf: now - 7200, exp: now - 3600 })],
    ["forged Entra (claims changed after signing)", `${header}.${payload!.slice(0, -4)}AAAA.${signature}`],
    [
      "Entra issued by another tenant than its tid",
      await entra.tokenFor("megan@contoso.com", { iss: `${entra.authority}/${otherTenant}/v2.0` }),
    ],
    ["Entra for another audience", await entra.tokenFor("megan@contoso.com", { aud: "api://someone-else" })],
  ] as const) {
    for (const route of routes)
      await expect(`${kind} token ${route.name}`, 401, route.method, route.path("own", 0), token, route.body?.("own"));
  }

  const megan = await entra.tokenFor("megan@contoso.com");
  // Another organisation's admin, signed in with Microsoft, reaches nothing of Contoso's.
  const pradeep = await entra.tokenFor("pradeep@fabrikam.com");
  for (const route of routes.filter((r) => r.takesId && r.capability !== "directory")) {
    await expect(`Fabrikam's admin (entra) ${route.name}`, 404, route.method, route.path("own", 0), pradeep, route.body?.("own"));
  }

  // Account protections with Entra ID callers (API.md, "Roles last seen"): Nestor is a Global
  // Administrator known only from Entra ID (no stored role); his roles of his last sign-in protect him.
  const globalAdminWid = "62e90394-69f5-4237-9190-012177145e10";
  const entraOnly = (upn: string, changes: Record<string, unknown> = {}) =>
    entra.tokenFor("megan@contoso.com", { preferred_username: upn, name: upn, oid: crypto.randomUUID(), ...changes });
  const nestor = await entraOnly("nestor@contoso.com", { wids: [globalAdminWid] });
  const nestorId = (await http.call("GET", "/api/v1/me", { token: nestor })).body.user.id as string;
  const alex = await entra.tokenFor("alex@contoso.com");
  await expect("UserAdmin (entra) disables a GlobalAdmin known from Entra", 403, "PATCH", `/api/v1/directory/users/${nestorId}`, alex, {
    accountEnabled: false,
  });
  await expect("UserAdmin (entra) deletes a GlobalAdmin known from Entra", 403, "DELETE", `/api/v1/directory/users/${nestorId}`, alex);
  await expect("GlobalAdmin (entra) disables their own account", 409, "PATCH", `/api/v1/directory/users/${nestorId}`, nestor, {
    accountEnabled: false,
  });
  await expect("GlobalAdmin (entra) deletes their own account", 409, "DELETE", `/api/v1/directory/users/${nestorId}`, nestor);
  await expect("GlobalAdmin (entra) enables a GlobalAdmin known from Entra", 200, "PATCH", `/api/v1/directory/users/${nestorId}`, megan, {
    accountEnabled: true,
  });
  // An organisation whose only Global Administrator is known from Entra ID: SCIM cannot remove them.
  const tid = crypto.randomUUID();
  const onlyAdmin = await entraOnly("admin@woodgrove.example", { tid, iss: `${entra.authority}/${tid}/v2.0`, wids: [globalAdminWid] });
  const onlyAdminId = (await http.call("GET", "/api/v1/me", { token: onlyAdmin })).body.user.id as string;
  const woodgroveScim = (await http.call("POST", "/api/v1/provisioning/tokens", { token: onlyAdmin, body: {} })).body.token as string;
  await expect("SCIM disables the only GlobalAdmin, known from Entra", 409, "PATCH", `/scim/v2/Users/${onlyAdminId}`, woodgroveScim, {
    Operations: [{ op: "Replace", path: "active", value: "False" }],
  });
  await expect("SCIM deletes the only GlobalAdmin, known from Entra", 409, "DELETE", `/scim/v2/Users/${onlyAdminId}`, woodgroveScim);
  await expect(
    "a token requested by another application (azp)",
    401,
    "GET",
    "/api/v1/me",
    await entra.tokenFor("megan@contoso.com", { azp: crypto.randomUUID() }),
  );

  // SCIM: a provisioning token reaches its own tenant's users only; no other credential reaches SCIM (R19).
  const scimOwn = demoProvisioningToken("contoso");
  const scimOther = demoProvisioningToken("fabrikam");
  await expect("provisioning token, own users", 200, "GET", `/scim/v2/Users/${own.user}`, scimOwn);
  await expect("provisioning token, own groups", 200, "GET", `/scim/v2/Groups/${own.group}?excludedAttributes=members`, scimOwn);
  await expect("other tenant's provisioning token, a Contoso user", 404, "GET", `/scim/v2/Users/${own.user}`, scimOther);
  await expect("other tenant's provisioning token, a Contoso group", 404, "GET", `/scim/v2/Groups/${own.group}`, scimOther);
  for (const [kind, credential] of [
    ["admin token", await http.token("megan@contoso.com")],
    ["Entra token", await entra.tokenFor("megan@contoso.com")],
    ["vendor key", demoVendorKey("northwind")],
    ["no token", undefined],
  ] as const) {
    await expect(`${kind} on SCIM`, 401, "GET", "/scim/v2/Users", credential);
  }
  for (const route of routes)
    await expect(`provisioning token on ${route.name}`, 401, route.method, route.path("own", 0), scimOwn, route.body?.("own"));

  // Vendors: their own subscriptions only; an admin token is no vendor key.
  const vendor = demoVendorKey("northwind");
  await expect("vendor own subscription", 200, "GET", `/vendor/v1/subscriptions/${subscriptions.northwindNotes}`, vendor);
  await expect("vendor other vendor's subscription", 404, "GET", `/vendor/v1/subscriptions/${subscriptions.fabrikamSign}`, vendor);
  await expect(
    "vendor usage rights of its own",
    200,
    "GET",
    `/vendor/v1/subscriptions/${subscriptions.northwindNotes}/usage-rights?user=lidia@contoso.com`,
    vendor,
  );
  await expect(
    "vendor usage rights of another's",
    404,
    "GET",
    `/vendor/v1/subscriptions/${subscriptions.litwareChat}/usage-rights?user=lidia@contoso.com`,
    vendor,
  );
  await expect(
    "admin token on the vendor API",
    401,
    "GET",
    `/vendor/v1/subscriptions/${subscriptions.northwindNotes}`,
    await http.token("megan@contoso.com"),
  );
  await expect("no key on the vendor API", 401, "PUT", `/vendor/v1/subscriptions/${subscriptions.northwindNotes}`, undefined, {
    quantity: 9,
  });

  console.log(
    `  matrix: ${cells} cells; expected ${Object.entries(counts)
      .map(([s, n]) => `${s}: ${n}`)
      .join(", ")}; mismatches: ${mismatches.length}`,
  );
  checks.equal(`access matrix: all ${cells} cells answer as API.md prescribes`, mismatches.slice(0, 10), []);
  return { cells, counts };
}
