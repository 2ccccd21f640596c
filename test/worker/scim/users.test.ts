/**
 * SCIM /Users, replaying the requests Microsoft documents that Entra ID's provisioning service
 * sends to a SCIM endpoint (its tutorial on developing one), each checked on the answer and on
 * the stored state, with the licensing rules a directory change applies (R15, R5, R18, R19).
 */
import { beforeEach, describe, expect, it } from "vitest";
import { demoProvisioningToken } from "../../../worker/seed/demo.js";
import { as, call, contoso, freshDemo, licenseState, snapshot, storeDb, stored, waitingQueue } from "../support.js";

const token = demoProvisioningToken("contoso");
const scim = (method: string, path: string, body?: unknown) =>
  call(method, `/scim/v2${path}`, { token, body, headers: body ? { "content-type": "application/scim+json" } : {} });
const row = (id: string) =>
  storeDb()
    .prepare(
      `SELECT user_principal_name, display_name, mail, account_enabled, external_id, department, deleted_at FROM users WHERE id = ?1`,
    )
    .bind(id)
    .first<Record<string, unknown>>();

/** Microsoft's "Create User" request. */
const createUser = {
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
  externalId: "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
  userName: "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1",
  active: true,
  emails: [{ primary: true, type: "work", value: "Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com" }],
  meta: { resourceType: "User" },
  name: { formatted: "givenName familyName", familyName: "familyName", givenName: "givenName" },
  roles: [],
};

describe("SCIM /Users, as Entra ID sends them", () => {
  beforeEach(freshDemo);

  it("Create User: 201 with the user, a Location, stored with its external id and e-mail, audited as provisioning", async () => {
    const answer = await scim("POST", "/Users", createUser);
    expect(answer.status).toBe(201);
    expect(answer.headers.get("content-type")).toMatch(/^application\/scim\+json/);
    expect(answer.body).toMatchObject({
      id: expect.any(String),
      externalId: createUser.externalId,
      userName: createUser.userName,
      displayName: "givenName familyName",
      active: true,
      emails: [{ value: createUser.emails[0]!.value, type: "work", primary: true }],
      meta: { resourceType: "User" },
    });
    expect(answer.headers.get("location")).toBe(`http://appseats.test/scim/v2/Users/${answer.body.id}`);
    expect(await row(answer.body.id)).toMatchObject({
      user_principal_name: createUser.userName,
      display_name: "givenName familyName",
      mail: createUser.emails[0]!.value,
      account_enabled: 1,
      external_id: createUser.externalId,
    });
    const audit = await storeDb()
      .prepare(`SELECT actor_type, actor_id, actor_name FROM audit_events WHERE action = 'directory.user.create'`)
      .first();
    expect(audit).toEqual({ actor_type: "provisioning", actor_id: "prv_contoso_dev", actor_name: "SCIM provisioning" });
  });

  it("userName is unique in the tenant, compared without case: 409 uniqueness, nothing stored", async () => {
    await scim("POST", "/Users", createUser);
    const before = await snapshot();
    const again = await scim("POST", "/Users", { ...createUser, userName: createUser.userName.toUpperCase() });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "409", scimType: "uniqueness" });
    expect(await snapshot()).toBe(before);
  });

  it("a deleted user's userName is free for a new user; renaming onto a taken one is 409 and changes nothing", async () => {
    expect((await scim("DELETE", `/Users/${contoso.user("alex")}`)).status).toBe(204);
    const reused = await scim("POST", "/Users", { userName: "ALEX@contoso.com", displayName: "Alex Again" });
    expect(reused.status).toBe(201);
    expect(await row(reused.body.id)).toMatchObject({ user_principal_name: "ALEX@contoso.com", deleted_at: null });
    // The deleted row stays for the audit, under a name no one signs in with.
    expect((await row(contoso.user("alex")))!.user_principal_name).toMatch(/^alex@contoso\.com#deleted:/);

    const before = await snapshot();
    const renamed = await scim("PATCH", `/Users/${contoso.user("adele")}`, {
      Operations: [{ op: "Replace", path: "userName", value: "alex@CONTOSO.com" }],
    });
    expect(renamed.status).toBe(409);
    expect(renamed.body).toMatchObject({ status: "409", scimType: "uniqueness" });
    expect(await snapshot()).toBe(before);
  });

  it("Get User, and Get User by query with and without results (filters on userName, externalId, emails)", async () => {
    const { body: created } = await scim("POST", "/Users", createUser);
    expect((await scim("GET", `/Users/${created.id}`)).body.userName).toBe(createUser.userName);
    for (const filter of [
      `userName eq "${createUser.userName}"`,
      `userName eq "${createUser.userName.toLowerCase()}"`,
      `externalId eq "${createUser.externalId}"`,
      `emails[type eq "work"].value eq "${createUser.emails[0]!.value}"`,
      `userName eq "${createUser.userName}" and externalId eq "${createUser.externalId}"`,
    ]) {
      const found = await scim("GET", `/Users?filter=${encodeURIComponent(filter)}`);
      expect(found.body, filter).toMatchObject({ totalResults: 1, startIndex: 1, itemsPerPage: 1, Resources: [{ id: created.id }] });
    }
    const none = await scim("GET", `/Users?filter=${encodeURIComponent('userName eq "non-existent user"')}`);
    expect(none.body).toEqual({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
      totalResults: 0,
      startIndex: 1,
      itemsPerPage: 0,
      Resources: [],
    });
  });

  it("lists a page at a time with startIndex and count, only the token's tenant", async () => {
    const page = (await scim("GET", "/Users?startIndex=3&count=5")).body;
    expect(page).toMatchObject({ totalResults: 49, startIndex: 3, itemsPerPage: 5 });
    expect(page.Resources.every((u: { userName: string }) => u.userName.endsWith("@contoso.com"))).toBe(true);
  });

  it("unsupported or malformed filters are 400 invalidFilter", async () => {
    for (const filter of ['userName co "x"', 'title eq "x"', "userName eq", 'userName eq "a" or userName eq "b"', "((("]) {
      const answer = await scim("GET", `/Users?filter=${encodeURIComponent(filter)}`);
      expect(answer.status, filter).toBe(400);
      expect(answer.body, filter).toMatchObject({ status: "400", scimType: "invalidFilter" });
    }
  });

  it("Update User [multi-valued properties] and [single-valued properties]", async () => {
    const { body: created } = await scim("POST", "/Users", createUser);
    const multi = await scim("PATCH", `/Users/${created.id}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [
        { op: "Replace", path: 'emails[type eq "work"].value', value: "updatedEmail@microsoft.com" },
        { op: "Replace", path: "name.familyName", value: "updatedFamilyName" },
      ],
    });
    expect(multi.status).toBe(200);
    expect(multi.body.emails).toEqual([{ value: "updatedEmail@microsoft.com", type: "work", primary: true }]);
    const single = await scim("PATCH", `/Users/${created.id}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "Replace", path: "userName", value: "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com" }],
    });
    expect(single.body.userName).toBe("5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com");
    expect(await row(created.id)).toMatchObject({
      user_principal_name: "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com",
      mail: "updatedEmail@microsoft.com",
    });
  });

  it("accepts Entra's habits: an operation without a path, booleans as strings, the enterprise extension by its URN", async () => {
    const { body: created } = await scim("POST", "/Users", createUser);
    const answer = await scim("PATCH", `/Users/${created.id}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [
        { op: "replace", value: { displayName: "Test User Renamed", active: "False" } },
        { op: "Add", path: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", value: "Finance" },
      ],
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ displayName: "Test User Renamed", active: false });
    expect(await row(created.id)).toMatchObject({ display_name: "Test User Renamed", account_enabled: 0, department: "Finance" });
  });

  it("a PATCH is atomic: one refused operation applies none", async () => {
    const { body: created } = await scim("POST", "/Users", createUser);
    const before = await snapshot();
    const answer = await scim("PATCH", `/Users/${created.id}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [
        { op: "Replace", path: "displayName", value: "Should not stick" },
        { op: "Replace", path: "active", value: "maybe" },
      ],
    });
    expect(answer.status).toBe(400);
    expect(await snapshot()).toBe(before);
  });
});

describe("R15, R18: what a directory's user changes do to licenses and sessions", () => {
  beforeEach(freshDemo);

  it("Disable User keeps the seats and ends the user's sessions at once; enabling brings none back", async () => {
    const lidia = await as("lidia@contoso.com");
    const patch = (active: boolean) =>
      scim("PATCH", `/Users/${contoso.user("lidia")}`, {
        schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        Operations: [{ op: "Replace", path: "active", value: active }],
      });
    expect((await patch(false)).status).toBe(200);
    expect(await licenseState(contoso.northwindNotes, contoso.user("lidia"))).toBe("active");
    expect((await call("GET", "/api/v1/me", { token: lidia })).status).toBe(401);
    expect((await patch(true)).status).toBe(200);
    expect((await call("GET", "/api/v1/me", { token: lidia })).status).toBe(401);
  });

  it("Delete User releases the seats and gives them to the first waiting user (R5), audited", async () => {
    // Fill Northwind Notes (5 seats) and queue Sales behind it.
    const megan = await as("megan@contoso.com");
    await call("PUT", `/vendor/v1/subscriptions/${contoso.northwindNotes}`, { token: "dev-vendor-northwind", body: { quantity: 3 } });
    await call("POST", `/api/v1/licenses/${contoso.northwindNotes}/assign`, {
      token: megan,
      body: { principals: [{ type: "group", id: contoso.group("Sales") }] },
    });
    const firstWaiting = (await waitingQueue(contoso.northwindNotes))[0]!;
    const answer = await scim("DELETE", `/Users/${contoso.user("alex")}`);
    expect(answer.status).toBe(204);
    expect((await row(contoso.user("alex")))!.deleted_at).not.toBeNull();
    expect(await licenseState(contoso.northwindNotes, contoso.user("alex"))).toBeNull();
    expect(await licenseState(contoso.northwindNotes, firstWaiting)).toBe("active");
    expect((await stored(contoso.northwindNotes)).active).toBe(3);
    expect((await scim("GET", `/Users/${contoso.user("alex")}`)).status).toBe(404);
  });
});

describe("R19: a provisioning token reaches its own tenant only", () => {
  beforeEach(freshDemo);

  it("Fabrikam's token finds, reads, changes and deletes none of Contoso's users (404), and lists only Fabrikam's", async () => {
    const fabrikam = demoProvisioningToken("fabrikam");
    const before = await snapshot();
    for (const [method, body] of [
      ["GET", undefined],
      ["PUT", createUser],
      ["PATCH", { Operations: [{ op: "Replace", path: "active", value: false }] }],
      ["DELETE", undefined],
    ] as const) {
      const answer = await call(method, `/scim/v2/Users/${contoso.user("adele")}`, { token: fabrikam, body });
      expect(answer.status, method).toBe(404);
      expect(answer.body.schemas).toEqual(["urn:ietf:params:scim:api:messages:2.0:Error"]);
    }
    const listed = await call("GET", `/scim/v2/Users?filter=${encodeURIComponent('userName eq "adele@contoso.com"')}`, { token: fabrikam });
    expect(listed.body.totalResults).toBe(0);
    expect((await call("GET", "/scim/v2/Users", { token: fabrikam })).body.totalResults).toBe(2);
    expect(await snapshot()).toBe(before);
  });
});
