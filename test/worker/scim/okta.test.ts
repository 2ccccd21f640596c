/**
 * SCIM as Okta sends it (its SCIM 2.0 provisioning guide): users looked up by userName with
 * startIndex and count, created with a password and groups it does not expect kept, profile
 * updates by PUT, deactivation by a PATCH without a path; groups created empty, renamed by a
 * PATCH of the whole value, members added and removed by path. Each checked on the answer and
 * on the stored state.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { demoProvisioningToken } from "../../../worker/seed/demo.js";
import { as, call, contoso, freshDemo, licenseState, storeDb } from "../support.js";

const token = demoProvisioningToken("contoso");
const scim = (method: string, path: string, body?: unknown) => call(method, `/scim/v2${path}`, { token, body });
const user = (id: string) =>
  storeDb()
    .prepare(`SELECT user_principal_name, display_name, mail, account_enabled, external_id FROM users WHERE id = ?1`)
    .bind(id)
    .first();

const oktaUser = {
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
  userName: "isabella.ng@contoso.com",
  name: { givenName: "Isabella", familyName: "Ng" },
  emails: [{ primary: true, value: "isabella.ng@contoso.com", type: "work" }],
  displayName: "Isabella Ng",
  locale: "en-US",
  externalId: "00ujl29u0le5T6Aj10h7",
  groups: [],
  password: "1mz050nq",
  active: true,
};

describe("SCIM users, as Okta sends them", () => {
  beforeEach(freshDemo);

  it("looks a user up by userName (none), creates it (the password is not kept), finds it again", async () => {
    const lookup = `/Users?filter=${encodeURIComponent(`userName eq "${oktaUser.userName}"`)}&startIndex=1&count=100`;
    expect((await scim("GET", lookup)).body).toMatchObject({ totalResults: 0, Resources: [] });
    const created = await scim("POST", "/Users", oktaUser);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      userName: oktaUser.userName,
      displayName: "Isabella Ng",
      active: true,
      externalId: oktaUser.externalId,
    });
    expect(JSON.stringify(created.body)).not.toContain(oktaUser.password);
    const row = await storeDb().prepare(`SELECT * FROM users WHERE id = ?1`).bind(created.body.id).first();
    expect(JSON.stringify(row)).not.toContain(oktaUser.password);
    expect((await scim("GET", lookup)).body).toMatchObject({ totalResults: 1, Resources: [{ id: created.body.id }] });
  });

  it("updates a profile by PUT, and deactivates and reactivates by a PATCH without a path", async () => {
    const { body } = await scim("POST", "/Users", oktaUser);
    const replaced = await scim("PUT", `/Users/${body.id}`, {
      ...oktaUser,
      name: { givenName: "Isabella", familyName: "Ng-Lee" },
      displayName: "Isabella Ng-Lee",
    });
    expect(replaced.status).toBe(200);
    expect(await user(body.id)).toMatchObject({ display_name: "Isabella Ng-Lee", account_enabled: 1 });
    const off = await scim("PATCH", `/Users/${body.id}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "replace", value: { active: false } }],
    });
    expect(off.body.active).toBe(false);
    expect(await user(body.id)).toMatchObject({ account_enabled: 0 });
    await scim("PATCH", `/Users/${body.id}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "replace", value: { active: true } }],
    });
    expect(await user(body.id)).toMatchObject({ account_enabled: 1 });
  });
});

describe("SCIM groups, as Okta sends them", () => {
  beforeEach(freshDemo);

  it("creates a group empty, renames it by a PATCH of the whole value, adds and removes members by path, deletes it", async () => {
    const created = await scim("POST", "/Groups", {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
      displayName: "Test SCIMv2",
      members: [],
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    const renamed = await scim("PATCH", `/Groups/${id}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "replace", value: { id, displayName: "Test SCIMv2 renamed" } }],
    });
    expect(renamed.status).toBe(204);
    expect((await scim("GET", `/Groups/${id}`)).body.displayName).toBe("Test SCIMv2 renamed");
    await scim("PATCH", `/Groups/${id}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "add", path: "members", value: [{ value: contoso.user("adele"), display: "adele@contoso.com" }] }],
    });
    expect((await scim("GET", `/Groups/${id}`)).body.members.map((m: { value: string }) => m.value)).toEqual([contoso.user("adele")]);
    await scim("PATCH", `/Groups/${id}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "remove", path: `members[value eq "${contoso.user("adele")}"]` }],
    });
    expect((await scim("GET", `/Groups/${id}`)).body.members).toEqual([]);
    expect((await scim("DELETE", `/Groups/${id}`)).status).toBe(204);
  });

  it("a member Okta pushes into a licensed group gets a seat", async () => {
    const megan = await as("megan@contoso.com");
    const { body } = await scim("POST", "/Groups", { displayName: "Okta Pushed", members: [] });
    await call("POST", `/api/v1/licenses/${contoso.fabrikamSign}/assign`, {
      token: megan,
      body: { principals: [{ type: "group", id: body.id }] },
    });
    await scim("PATCH", `/Groups/${body.id}`, { Operations: [{ op: "add", path: "members", value: [{ value: contoso.user("user40") }] }] });
    expect(await licenseState(contoso.fabrikamSign, contoso.user("user40"))).toBe("active");
  });
});
