/**
 * SCIM /Groups, replaying Microsoft's documented group operations (create, get without members,
 * filter by displayName, rename, add and remove members, delete) and what each does to licenses
 * (R4, R5, R7, R18): members added to a licensed group get seats or wait; removed members and
 * deleted groups release seats that waiting users get at once.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { demoProvisioningToken } from "../../../worker/seed/demo.js";
import { as, call, contoso, freshDemo, licenseState, snapshot, storeDb, stored, waitingQueue } from "../support.js";

const token = demoProvisioningToken("contoso");
const scim = (method: string, path: string, body?: unknown) =>
  call(method, `/scim/v2${path}`, { token, body, headers: body ? { "content-type": "application/scim+json" } : {} });
const patch = (id: string, ...Operations: unknown[]) =>
  scim("PATCH", `/Groups/${id}`, { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations });
const members = async (groupId: string) =>
  (
    await storeDb()
      .prepare(`SELECT user_id FROM group_members WHERE group_id = ?1 ORDER BY added_at, user_id`)
      .bind(groupId)
      .all<{ user_id: string }>()
  ).results.map((r) => r.user_id);

/** Microsoft's "Create Group" request. */
const createGroup = {
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group", "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/Group"],
  externalId: "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
  displayName: "displayName",
  meta: { resourceType: "Group" },
};

describe("SCIM /Groups, as Entra ID sends them", () => {
  beforeEach(freshDemo);

  it("Create Group, Get Group with excludedAttributes=members, and by displayName", async () => {
    const created = await scim("POST", "/Groups", createGroup);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      displayName: "displayName",
      externalId: createGroup.externalId,
      members: [],
      meta: { resourceType: "Group" },
    });
    const id = created.body.id;
    const got = await scim("GET", `/Groups/${id}?excludedAttributes=members`);
    expect(got.body.displayName).toBe("displayName");
    expect(got.body).not.toHaveProperty("members");
    const found = await scim("GET", `/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "displayName"')}`);
    expect(found.body).toMatchObject({ totalResults: 1, Resources: [{ id, displayName: "displayName" }] });
    expect(found.body.Resources[0]).not.toHaveProperty("members");
    const none = await scim("GET", `/Groups?filter=${encodeURIComponent('displayName eq "no such group"')}`);
    expect(none.body.totalResults).toBe(0);
    const audit = await storeDb().prepare(`SELECT actor_type FROM audit_events WHERE action = 'directory.group.create'`).first();
    expect(audit).toEqual({ actor_type: "provisioning" });
  });

  it("Update Group [non-member attributes], [add members] and [remove members]: 204, stored", async () => {
    const { body } = await scim("POST", "/Groups", createGroup);
    expect(
      (await patch(body.id, { op: "Replace", path: "displayName", value: "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName" }))
        .status,
    ).toBe(204);
    expect((await scim("GET", `/Groups/${body.id}`)).body.displayName).toBe("1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName");
    const add = await patch(body.id, {
      op: "Add",
      path: "members",
      value: [{ $ref: null, value: contoso.user("adele") }, { value: contoso.user("diego") }],
    });
    expect(add.status).toBe(204);
    expect(await members(body.id)).toEqual([contoso.user("adele"), contoso.user("diego")].sort());
    // Adding a member who is one already succeeds and changes nothing.
    const before = await snapshot();
    expect((await patch(body.id, { op: "Add", path: "members", value: [{ value: contoso.user("adele") }] })).status).toBe(204);
    expect(await snapshot()).toBe(before);
    expect((await patch(body.id, { op: "Remove", path: "members", value: [{ $ref: null, value: contoso.user("adele") }] })).status).toBe(
      204,
    );
    expect((await patch(body.id, { op: "Remove", path: `members[value eq "${contoso.user("diego")}"]` })).status).toBe(204);
    expect(await members(body.id)).toEqual([]);
    const full = await scim("GET", `/Groups/${body.id}`);
    expect(full.body.members).toEqual([]);
  });

  it("a PATCH is atomic: with one bad operation, neither the rename nor the members are applied", async () => {
    const { body } = await scim("POST", "/Groups", createGroup);
    const before = await snapshot();
    const answer = await patch(
      body.id,
      { op: "Replace", path: "displayName", value: "renamed" },
      { op: "Add", path: "members", value: [{ value: contoso.user("adele") }] },
      { op: "Add", path: "owners", value: [{ value: "x" }] },
    );
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ status: "400", scimType: "invalidPath" });
    expect(await snapshot()).toBe(before);
  });

  it("Delete Group: 204; it is gone", async () => {
    const { body } = await scim("POST", "/Groups", { ...createGroup, members: [{ value: contoso.user("adele") }] });
    expect((await scim("DELETE", `/Groups/${body.id}`)).status).toBe(204);
    expect((await scim("GET", `/Groups/${body.id}`)).status).toBe(404);
    expect(await members(body.id)).toEqual([]);
  });
});

describe("R18: the licensing rules follow a directory's group changes", () => {
  beforeEach(freshDemo);

  /** A SCIM-made group, assigned by Megan to Northwind Notes (5 seats, 3 taken: 2 free). */
  async function licensedGroup() {
    const { body } = await scim("POST", "/Groups", { displayName: "Support", externalId: "support" });
    const megan = await as("megan@contoso.com");
    await call("POST", `/api/v1/licenses/${contoso.northwindNotes}/assign`, {
      token: megan,
      body: { principals: [{ type: "group", id: body.id }] },
    });
    return body.id as string;
  }

  it("members added get seats while they last, the rest wait in order (R4); a member removed frees a seat for the first waiting (R5)", async () => {
    const group = await licensedGroup();
    const people = ["user30", "user31", "user32", "user33"].map(contoso.user);
    expect((await patch(group, { op: "Add", path: "members", value: people.map((value) => ({ value })) })).status).toBe(204);
    expect(await Promise.all(people.map((u) => licenseState(contoso.northwindNotes, u)))).toEqual([
      "active",
      "active",
      "waiting",
      "waiting",
    ]);
    expect(await waitingQueue(contoso.northwindNotes)).toEqual([people[2], people[3]]);
    expect((await patch(group, { op: "Remove", path: `members[value eq "${people[0]}"]` })).status).toBe(204);
    expect(await licenseState(contoso.northwindNotes, people[0]!)).toBeNull();
    expect(await licenseState(contoso.northwindNotes, people[2]!)).toBe("active");
    expect((await stored(contoso.northwindNotes)).active).toBe(5);
  });

  it("a deleted group releases the seats only it held (R7), and they are refilled", async () => {
    const group = await licensedGroup();
    // Lidia holds Northwind Notes directly too: her seat stays.
    await patch(group, {
      op: "Add",
      path: "members",
      value: [contoso.user("lidia"), contoso.user("user30"), contoso.user("user31")].map((value) => ({ value })),
    });
    expect((await stored(contoso.northwindNotes)).active).toBe(5);
    expect((await scim("DELETE", `/Groups/${group}`)).status).toBe(204);
    expect(await licenseState(contoso.northwindNotes, contoso.user("lidia"))).toBe("active");
    expect(await licenseState(contoso.northwindNotes, contoso.user("user30"))).toBeNull();
    expect((await stored(contoso.northwindNotes)).active).toBe(3);
    const assignments = await storeDb()
      .prepare(`SELECT COUNT(*) AS n FROM assignments WHERE principal_id = ?1`)
      .bind(group)
      .first<{ n: number }>();
    expect(assignments!.n).toBe(0);
  });

  it("a PATCH adding 1,000 members to a licensed group: seats while they last, the rest waiting", async () => {
    const group = await licensedGroup();
    const ids = Array.from({ length: 1000 }, (_, i) => `usr_contoso_bulk${String(i).padStart(4, "0")}`);
    await storeDb()
      .prepare(
        `INSERT INTO users (id, user_principal_name, display_name, created_at)
         SELECT value, value || '@contoso.com', value, '2026-01-01T00:00:00.000Z' FROM json_each(?1)`,
      )
      .bind(JSON.stringify(ids))
      .run();
    const started = Date.now();
    expect((await patch(group, { op: "Add", path: "members", value: ids.map((value) => ({ value })) })).status).toBe(204);
    console.log(`figure: a PATCH adding 1,000 members to a licensed group took ${Date.now() - started} ms`);
    expect(await members(group)).toHaveLength(1000);
    expect(await stored(contoso.northwindNotes)).toMatchObject({ active: 5, waiting: 998 });
  });
});

describe("R19: another tenant's groups", () => {
  beforeEach(freshDemo);

  it("are 404 to Fabrikam's token, for every verb, and nothing changes", async () => {
    const fabrikam = demoProvisioningToken("fabrikam");
    const before = await snapshot();
    for (const method of ["GET", "PUT", "PATCH", "DELETE"]) {
      const body =
        method === "PUT"
          ? createGroup
          : method === "PATCH"
            ? { Operations: [{ op: "Replace", path: "displayName", value: "x" }] }
            : undefined;
      const answer = await call(method, `/scim/v2/Groups/${contoso.group("Sales")}`, { token: fabrikam, body });
      expect(answer.status, method).toBe(404);
    }
    expect((await call("GET", "/scim/v2/Groups", { token: fabrikam })).body.totalResults).toBe(0);
    expect(await snapshot()).toBe(before);
    // And a member of another tenant cannot be added to one's own group.
    const { body: group } = await call("POST", "/scim/v2/Groups", { token: fabrikam, body: { displayName: "F" } });
    const added = await call("PATCH", `/scim/v2/Groups/${group.id}`, {
      token: fabrikam,
      body: { Operations: [{ op: "Add", path: "members", value: [{ value: contoso.user("adele") }] }] },
    });
    expect(added.status).toBe(404);
    expect(await members(group.id)).toEqual([]);
    // Nor can a group be created with one: 404 naming it, and no group is stored.
    const groups = await snapshot();
    const created = await call("POST", "/scim/v2/Groups", {
      token: fabrikam,
      body: { displayName: "G", members: [{ value: contoso.user("adele") }] },
    });
    expect(created.status).toBe(404);
    expect(created.body.detail).toContain(contoso.user("adele"));
    expect(await snapshot()).toBe(groups);
  });
});
