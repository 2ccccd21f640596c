import { beforeEach, describe, expect, it } from "vitest";
import { as, call, changeLicense, contoso, expectLicenseHiddenFrom, fabrikam, freshDemo, principal, snapshot } from "../support.js";

/** Every mutating admin route, with a body that would succeed for an allowed caller. */
const mutations = [
  {
    name: "assign",
    method: "POST",
    path: `/api/v1/licenses/${contoso.northwindNotes}/assign`,
    body: { principals: [principal.user("adele")] },
    allowed: ["GlobalAdmin", "LicenseAdmin", "UserAdmin"],
  },
  {
    name: "unassign",
    method: "POST",
    path: `/api/v1/licenses/${contoso.northwindNotes}/unassign`,
    body: { principals: [principal.user("lidia")] },
    allowed: ["GlobalAdmin", "LicenseAdmin", "UserAdmin"],
  },
  { name: "install", method: "POST", path: `/api/v1/licenses/${contoso.northwindNotes}/install`, allowed: ["GlobalAdmin"] },
  {
    name: "add members",
    method: "POST",
    path: `/api/v1/directory/groups/${contoso.group("Sales")}/members`,
    body: { userIds: [contoso.user("ben")] },
    allowed: ["GlobalAdmin", "UserAdmin"],
  },
  {
    name: "remove members",
    method: "POST",
    path: `/api/v1/directory/groups/${contoso.group("Sales")}/members/remove`,
    body: { userIds: [contoso.user("diego")] },
    allowed: ["GlobalAdmin", "UserAdmin"],
  },
  {
    name: "disable a user",
    method: "PATCH",
    path: `/api/v1/directory/users/${contoso.user("diego")}`,
    body: { accountEnabled: false },
    allowed: ["GlobalAdmin", "UserAdmin"],
  },
  {
    name: "delete a user",
    method: "DELETE",
    path: `/api/v1/directory/users/${contoso.user("diego")}`,
    allowed: ["GlobalAdmin", "UserAdmin"],
  },
] as const;

const accounts = [
  ["megan@contoso.com", "GlobalAdmin"],
  ["lidia@contoso.com", "LicenseAdmin"],
  ["alex@contoso.com", "UserAdmin"],
  ["ben@contoso.com", "BillingAdmin"],
  ["grady@contoso.com", "GlobalReader"],
  ["adele@contoso.com", "no role"],
] as const;

/** Read routes that take no id, and those that take one (for the tenant isolation checks). */
const reads = ["/api/v1/licenses", "/api/v1/audit", "/api/v1/directory/search?q=a"];
const readsById = (license: string, user: string) => [
  `/api/v1/licenses/${license}`,
  `/api/v1/licenses/${license}/users`,
  `/api/v1/licenses/${license}/export.csv`,
  `/api/v1/users/${user}/licenses`,
];

describe("R10: each role against each mutating route", () => {
  beforeEach(freshDemo);

  for (const [upn, role] of accounts) {
    it(`${role} (${upn}) may do exactly what R10 allows`, async () => {
      for (const route of mutations) {
        await freshDemo();
        const token = await as(upn);
        const before = await snapshot();
        const answer = await call(route.method, route.path, { token, ...("body" in route ? { body: route.body } : {}) });
        if ((route.allowed as readonly string[]).includes(role)) {
          expect(answer.status, `${role} ${route.name}: ${JSON.stringify(answer.body)}`).toBe(200);
          expect(await snapshot(), `${role} ${route.name} changed nothing`).not.toBe(before);
        } else {
          expect(answer.status, `${role} ${route.name}`).toBe(403);
          expect(answer.body.error.code).toBe("Forbidden");
          expect(answer.body.error.details.requiredRoles).toEqual(route.allowed);
          expect(await snapshot(), `${role} ${route.name}`).toBe(before);
        }
      }
    });
  }

  it("BillingAdmin and GlobalReader read every read route; a user without a role gets 403 everywhere but /me", async () => {
    for (const upn of ["ben@contoso.com", "grady@contoso.com"]) {
      const token = await as(upn);
      for (const path of [...reads, ...readsById(contoso.fabrikamSign, contoso.user("adele"))]) {
        expect((await call("GET", path, { token })).status, `${upn} ${path}`).toBe(200);
      }
    }
    const adele = await as("adele@contoso.com");
    const me = await call("GET", "/api/v1/me", { token: adele });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ roles: [], can: { read: false, assign: false, install: false } });
    for (const path of [...reads, ...readsById(contoso.fabrikamSign, contoso.user("adele"))]) {
      const answer = await call("GET", path, { token: adele });
      expect(answer.status, path).toBe(403);
      expect(answer.body.error.code).toBe("Forbidden");
    }
  });
});

describe("R11: tenant isolation", () => {
  beforeEach(freshDemo);

  it("an id of another tenant is answered exactly like an id that does not exist, on every route that takes one", async () => {
    const pradeep = await as("pradeep@fabrikam.com");
    const before = await snapshot();
    const pairs: [string, string, unknown?][] = [
      ...readsById(contoso.fabrikamSign, contoso.user("adele")).map((p) => ["GET", p] as [string, string]),
      ...mutations.map((m) => [m.method, m.path, "body" in m ? m.body : undefined] as [string, string, unknown]),
    ];
    for (const [method, path, body] of pairs) {
      const foreign = await call(method, path, { token: pradeep, ...(body ? { body } : {}) });
      const missingPath = path.replaceAll(/(sub|usr|grp)_contoso_\w+/g, "$1_does_not_exist");
      const missing = await call(method, missingPath, { token: pradeep, ...(body ? { body } : {}) });
      expect(foreign.status, `${method} ${path}`).toBe(404);
      const asIfMissing = JSON.parse(JSON.stringify(foreign.body).replaceAll(/(sub|usr|grp)_contoso_\w+/g, "$1_does_not_exist"));
      expect(asIfMissing, `${method} ${path}`).toEqual(missing.body);
    }
    expect(await snapshot()).toBe(before);
  });

  it("a license its own tenant has just used is still 404 to another tenant, and changes nothing", async () => {
    const megan = await as("megan@contoso.com");
    const pradeep = await as("pradeep@fabrikam.com");
    expect((await call("GET", `/api/v1/licenses/${contoso.northwindNotes}`, { token: megan })).status).toBe(200);
    expect((await changeLicense(megan, contoso.northwindNotes, "assign", [principal.user("adele")])).status).toBe(200);
    await expectLicenseHiddenFrom(pradeep, contoso.northwindNotes, [principal.user("adele")]);
  });

  it("a principal of another tenant inside a body is 404 too, and the summary shows only the caller's tenant", async () => {
    const pradeep = await as("pradeep@fabrikam.com");
    const answer = await changeLicense(pradeep, fabrikam.northwindNotes, "assign", [principal.user("adele")]);
    expect(answer.status).toBe(404);
    const summary = await call("GET", "/api/v1/licenses", { token: pradeep });
    expect(summary.body.items.map((i: { id: string }) => i.id)).toEqual([fabrikam.northwindNotes]);
    const search = await call("GET", "/api/v1/directory/search?q=adele", { token: pradeep });
    expect(search.body.items).toEqual([]);
    const audit = await call("GET", `/api/v1/audit?licenseId=${contoso.fabrikamSign}`, { token: pradeep });
    expect(audit.body.items).toEqual([]);
  });
});
