/**
 * Provisioning tokens (R19, R20) and what a directory reads first at /scim/v2: a GlobalAdmin
 * creates, lists and revokes tokens; a token reaches SCIM only, of its own tenant; failures
 * come in SCIM's error shape.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { demoProvisioningToken, demoVendorKey } from "../../../worker/seed/demo.js";
import { sha256Hex } from "../../../worker/src/auth/secrets.js";
import { as, call, contoso, everyStoreDb, freshDemo, snapshot, storeDb } from "../support.js";

const scimError = "urn:ietf:params:scim:api:messages:2.0:Error";
const tokensOf = (tenant: string) =>
  storeDb(tenant).prepare(`SELECT id, token_hash, last_used_at FROM provisioning_tokens ORDER BY created_at, id`).all();
const audited = (action: string) =>
  everyStoreDb().prepare(`SELECT actor_id, summary FROM audit_events WHERE action = ?1`).bind(action).all();

describe("provisioning tokens", () => {
  beforeEach(freshDemo);

  it("a GlobalAdmin creates one: 256 random bits shown once with the SCIM address, stored as a hash, audited", async () => {
    const megan = await as("megan@contoso.com");
    const answer = await call("POST", "/api/v1/provisioning/tokens", { token: megan });
    expect(answer.status).toBe(201);
    expect(answer.body.token).toMatch(/^asp_[\w-]{43}$/);
    expect(answer.body.scimBaseUrl).toBe("http://appseats.test/scim/v2");
    const stored = (await tokensOf("contoso")).results as { id: string; token_hash: string }[];
    expect(stored.map((t) => t.id)).toContain(answer.body.id);
    expect(stored.find((t) => t.id === answer.body.id)!.token_hash).toBe(await sha256Hex(answer.body.token));
    expect(JSON.stringify(stored)).not.toContain(answer.body.token);
    expect((await audited("provisioning.token.create")).results).toEqual([expect.objectContaining({ tenant_id: "contoso" })]);
    // It works at once, and its last use is recorded.
    expect((await call("GET", "/scim/v2/ServiceProviderConfig", { token: answer.body.token })).status).toBe(200);
    const listed = await call("GET", "/api/v1/provisioning/tokens", { token: megan });
    expect(listed.body.scimBaseUrl).toBe("http://appseats.test/scim/v2");
    const mine = listed.body.items.find((t: { id: string }) => t.id === answer.body.id);
    expect(mine).toEqual({
      id: answer.body.id,
      createdAt: answer.body.createdAt,
      expiresAt: answer.body.expiresAt,
      lastUsedAt: expect.any(String),
    });
    expect(JSON.stringify(listed.body)).not.toContain(answer.body.token);
  });

  it("a revoked token stops working at once; the revocation is audited", async () => {
    const megan = await as("megan@contoso.com");
    const { body } = await call("POST", "/api/v1/provisioning/tokens", { token: megan });
    // Used for changes first: the worker remembers the token, and checks it in each change's own batch.
    const group = await call("POST", "/scim/v2/Groups", { token: body.token, body: { displayName: "Before" } });
    expect(group.status).toBe(201);
    expect((await call("DELETE", `/api/v1/provisioning/tokens/${body.id}`, { token: megan })).status).toBe(204);
    const before = await snapshot();
    expect((await call("POST", "/scim/v2/Users", { token: body.token, body: { userName: "late@contoso.com" } })).status).toBe(401);
    const patched = await call("PATCH", `/scim/v2/Groups/${group.body.id}`, {
      token: body.token,
      body: { Operations: [{ op: "Add", path: "members", value: [{ value: contoso.user("adele") }] }] },
    });
    expect(patched.status).toBe(401);
    expect(await snapshot()).toBe(before);
    expect((await call("GET", "/scim/v2/ResourceTypes", { token: body.token })).status).toBe(401);
    expect((await tokensOf("contoso")).results.map((t) => t.id)).not.toContain(body.id);
    expect((await audited("provisioning.token.revoke")).results).toHaveLength(1);
  });

  it("R10: only a GlobalAdmin manages them; R11: another tenant's token id is 404; nothing changes", async () => {
    const before = await snapshot();
    const tokensBefore = JSON.stringify((await tokensOf("contoso")).results);
    for (const upn of ["lidia@contoso.com", "alex@contoso.com", "ben@contoso.com", "grady@contoso.com", "adele@contoso.com"]) {
      const token = await as(upn);
      for (const [method, path] of [
        ["POST", "/api/v1/provisioning/tokens"],
        ["GET", "/api/v1/provisioning/tokens"],
        ["DELETE", "/api/v1/provisioning/tokens/prv_contoso_dev"],
      ] as const) {
        const answer = await call(method, path, { token });
        expect(answer.status, `${upn} ${method}`).toBe(403);
        expect(answer.body.error.details.requiredRoles).toEqual(["GlobalAdmin"]);
      }
    }
    const pradeep = await as("pradeep@fabrikam.com");
    expect((await call("DELETE", "/api/v1/provisioning/tokens/prv_contoso_dev", { token: pradeep })).status).toBe(404);
    expect((await call("GET", "/api/v1/provisioning/tokens", { token: pradeep })).body.items.map((t: { id: string }) => t.id)).toEqual([
      "prv_fabrikam_dev",
    ]);
    expect(await snapshot()).toBe(before);
    expect(JSON.stringify((await tokensOf("contoso")).results)).toBe(tokensBefore);
  });

  it("R19: a provisioning token is no admin or vendor credential, and no other credential reaches SCIM", async () => {
    const scim = demoProvisioningToken("contoso");
    for (const path of [
      "/api/v1/me",
      "/api/v1/licenses",
      "/api/v1/audit",
      "/api/v1/provisioning/tokens",
      "/vendor/v1/subscriptions/sub_contoso_northwind_notes",
    ]) {
      expect((await call("GET", path, { token: scim })).status, path).toBe(401);
    }
    for (const token of [await as("megan@contoso.com"), demoVendorKey("northwind"), "asp_not-a-real-token", undefined]) {
      const answer = await call("GET", "/scim/v2/ServiceProviderConfig", { token });
      expect(answer.status).toBe(401);
      expect(answer.body).toMatchObject({ schemas: [scimError], status: "401", detail: expect.any(String) });
    }
  });
});

describe("SCIM discovery", () => {
  beforeEach(freshDemo);
  const token = demoProvisioningToken("contoso");

  it("ServiceProviderConfig: patch and filter supported; bulk, sort, etag and password change not", async () => {
    const answer = await call("GET", "/scim/v2/ServiceProviderConfig", { token });
    expect(answer.headers.get("content-type")).toMatch(/^application\/scim\+json/);
    expect(answer.body).toMatchObject({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
      patch: { supported: true },
      filter: { supported: true, maxResults: 200 },
      bulk: { supported: false },
      sort: { supported: false },
      etag: { supported: false },
      changePassword: { supported: false },
      authenticationSchemes: [expect.objectContaining({ type: "oauthbearertoken" })],
    });
  });

  it("ResourceTypes lists User (with the enterprise extension) and Group; Schemas describes their attributes", async () => {
    const types = (await call("GET", "/scim/v2/ResourceTypes", { token })).body;
    expect(types).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], totalResults: 2, startIndex: 1 });
    expect(types.Resources.map((r: { endpoint: string }) => r.endpoint)).toEqual(["/Users", "/Groups"]);
    const schemas = (await call("GET", "/scim/v2/Schemas", { token })).body;
    const user = schemas.Resources.find((s: { id: string }) => s.id === "urn:ietf:params:scim:schemas:core:2.0:User");
    expect(user.attributes.find((a: { name: string }) => a.name === "userName")).toMatchObject({ required: true, uniqueness: "server" });
    expect(schemas.Resources.map((s: { name: string }) => s.name)).toEqual(["User", "EnterpriseUser", "Group"]);
  });

  it("a path that does not exist is 404 in SCIM's error shape", async () => {
    const answer = await call("GET", "/scim/v2/Nothing", { token });
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ schemas: [scimError], status: "404" });
  });
});
