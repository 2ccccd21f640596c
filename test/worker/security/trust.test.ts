/**
 * Trust under real sign-in (API.md, "Trust under real sign-in"): the protections of accounts for
 * admins known only from Entra ID, linking by object id before name, the requesting application,
 * domains learned only from members, provisioning tokens that expire.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { demoProvisioningToken, demoVendorKey } from "../../../worker/seed/demo.js";
import { claimsFor, oidOf, publishedAuthority, without } from "../entra.js";
import { call, contoso, db, everyStoreDb, freshDemo, snapshot, storeDb } from "../support.js";

const entra = publishedAuthority();

/** Woodgrove: an organisation that exists only through Entra ID, with no stored role at all. */
const woodgrove = "a0a0a0a0-3333-4333-8333-000000000003";
type ClaimsOptions = NonNullable<Parameters<typeof claimsFor>[1]>;
const tokenOf = (upn: string, options: ClaimsOptions = {}, extra: Record<string, unknown> = {}) =>
  entra.sign({ ...claimsFor(upn, options), ...extra });
const woodgroveToken = (upn: string, roles: ClaimsOptions["roles"] = []) => tokenOf(upn, { tenant: woodgrove, roles });
const me = (token: string) => call("GET", "/api/v1/me", { token });

const userRow = (tenantId: string, upn: string) =>
  storeDb(tenantId)
    .prepare(`SELECT id, account_enabled, deleted_at, entra_object_id FROM users WHERE user_principal_name = ?1 AND deleted_at IS NULL`)
    .bind(upn)
    .first<{ id: string; account_enabled: number; deleted_at: string | null; entra_object_id: string | null }>();
const lastSeenRoles = async (userId: string) =>
  (
    await everyStoreDb()
      .prepare(`SELECT role FROM admin_roles WHERE user_id = ?1 AND source = 'lastSeen' ORDER BY role`)
      .bind(userId)
      .all<{ role: string }>()
  ).results.map((r) => r.role);
const domainsOf = async (tenantId: string) =>
  (
    await db().prepare(`SELECT domain FROM tenant_domains WHERE tenant_id = ?1 ORDER BY position`).bind(tenantId).all<{ domain: string }>()
  ).results.map((r) => r.domain);

const disable = (token: string, userId: string) =>
  call("PATCH", `/api/v1/directory/users/${userId}`, { token, body: { accountEnabled: false } });
const remove = (token: string, userId: string) => call("DELETE", `/api/v1/directory/users/${userId}`, { token });

/** Woodgrove onboarded by its Global Administrator, Nestor, and a UserAdmin, Patti, each signed in once. */
async function woodgroveWithAdmins() {
  const nestor = await woodgroveToken("nestor@woodgrove.example", ["GlobalAdmin"]);
  const onboarded = await me(nestor);
  expect(onboarded.status).toBe(200);
  const tenantId = onboarded.body.tenant.id as string;
  const patti = await woodgroveToken("patti@woodgrove.example", ["UserAdmin"]);
  expect((await me(patti)).status).toBe(200);
  const nestorId = (await userRow(tenantId, "nestor@woodgrove.example"))!.id;
  const pattiId = (await userRow(tenantId, "patti@woodgrove.example"))!.id;
  return { tenantId, nestor, patti, nestorId, pattiId };
}

describe("roles last seen protect Entra ID admins", () => {
  beforeEach(freshDemo);

  it("each sign-in keeps the token's roles as last seen; they grant nothing to the user's own requests", async () => {
    const { nestorId, pattiId } = await woodgroveWithAdmins();
    expect(await lastSeenRoles(nestorId)).toEqual(["GlobalAdmin"]);
    expect(await lastSeenRoles(pattiId)).toEqual(["UserAdmin"]);
    // Nestor's role is taken away in Entra ID: his next token has none, and neither has AppSeats.
    const demoted = await woodgroveToken("nestor@woodgrove.example");
    const answer = await me(demoted);
    expect(answer.body.roles).toEqual([]);
    expect((await call("GET", "/api/v1/licenses", { token: demoted })).status).toBe(403);
    expect(await lastSeenRoles(nestorId)).toEqual([]);
  });

  it("a UserAdmin's token cannot disable or delete a Global Administrator known only from Entra ID: 403, nothing changes", async () => {
    const { tenantId, patti, nestorId } = await woodgroveWithAdmins();
    const before = await snapshot();
    for (const answer of [await disable(patti, nestorId), await remove(patti, nestorId)]) {
      expect(answer.status).toBe(403);
      expect(answer.body.error).toMatchObject({ code: "Forbidden", details: { requiredRoles: ["GlobalAdmin"] } });
    }
    expect(await snapshot()).toBe(before);
    expect(await userRow(tenantId, "nestor@woodgrove.example")).toMatchObject({ account_enabled: 1 });
  });

  it("a Global Administrator's token changes another admin, but not their own account nor the last Global Administrator", async () => {
    const { tenantId, nestor, patti, nestorId, pattiId } = await woodgroveWithAdmins();
    const own = await disable(nestor, nestorId);
    expect(own.status).toBe(409);
    expect(own.body.error).toMatchObject({ code: "ProtectedAccount", details: { reason: "ownAccount" } });
    expect((await disable(nestor, pattiId)).status).toBe(200);
    expect(await userRow(tenantId, "patti@woodgrove.example")).toMatchObject({ account_enabled: 0 });
    expect((await me(patti)).status).toBe(401);
  });

  it("SCIM cannot disable or delete the only Global Administrator known from Entra ID: 409 in SCIM's shape, nothing changes", async () => {
    const { tenantId, nestor, nestorId } = await woodgroveWithAdmins();
    const created = await call("POST", "/api/v1/provisioning/tokens", { token: nestor, body: {} });
    expect(created.status).toBe(201);
    const scim = created.body.token as string;
    const before = await snapshot();
    const disabled = await call("PATCH", `/scim/v2/Users/${nestorId}`, {
      token: scim,
      body: { Operations: [{ op: "Replace", path: "active", value: "False" }] },
    });
    expect(disabled.status).toBe(409);
    expect(disabled.body).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "409" });
    expect((await call("DELETE", `/scim/v2/Users/${nestorId}`, { token: scim })).status).toBe(409);
    expect(await snapshot()).toBe(before);
    expect(await userRow(tenantId, "nestor@woodgrove.example")).toMatchObject({ account_enabled: 1 });

    // A second Global Administrator signs in: now the directory may remove Nestor.
    expect((await me(await woodgroveToken("megan@woodgrove.example", ["GlobalAdmin"]))).status).toBe(200);
    expect((await call("DELETE", `/scim/v2/Users/${nestorId}`, { token: scim })).status).toBe(204);
  });
});

describe("no lockout by deletion; linking by object id", () => {
  beforeEach(freshDemo);

  it("a user deleted in AppSeats who signs in again is created anew, without the old licenses", async () => {
    const megan = await tokenOf("megan@contoso.com", { roles: ["GlobalAdmin"] });
    const adele = await tokenOf("adele@contoso.com");
    expect((await me(adele)).status).toBe(200);
    expect((await remove(megan, contoso.user("adele"))).status).toBe(200);
    const again = await me(adele);
    expect(again.status).toBe(200);
    expect(again.body.user.id).not.toBe(contoso.user("adele"));
    expect(again.body.user.userPrincipalName).toBe("adele@contoso.com");
    const fresh = await userRow("contoso", "adele@contoso.com");
    expect(fresh).toMatchObject({ id: again.body.user.id, account_enabled: 1, entra_object_id: oidOf("adele@contoso.com") });
    const licenses = await storeDb()
      .prepare(`SELECT COUNT(*) AS n FROM licenses WHERE user_id = ?1`)
      .bind(fresh!.id)
      .first<{ n: number }>();
    expect(licenses!.n).toBe(0);
  });

  it("a user deleted, then provisioned anew by the directory with externalId = oid, signs in as the new account", async () => {
    const megan = await tokenOf("megan@contoso.com", { roles: ["GlobalAdmin"] });
    const diego = await tokenOf("diego@contoso.com");
    expect((await me(diego)).status).toBe(200);
    expect((await remove(megan, contoso.user("diego"))).status).toBe(200);
    const provisioned = await call("POST", "/scim/v2/Users", {
      token: demoProvisioningToken("contoso"),
      body: { userName: "diego@contoso.com", displayName: "Diego Siciliani", externalId: oidOf("diego@contoso.com") },
    });
    expect(provisioned.status).toBe(201);
    const answer = await me(diego);
    expect(answer.status).toBe(200);
    expect(answer.body.user.id).toBe(provisioned.body.id);
    expect(await userRow("contoso", "diego@contoso.com")).toMatchObject({
      id: provisioned.body.id,
      entra_object_id: oidOf("diego@contoso.com"),
    });
  });

  it("a disabled user stays 401", async () => {
    const megan = await tokenOf("megan@contoso.com", { roles: ["GlobalAdmin"] });
    expect((await disable(megan, contoso.user("diego"))).status).toBe(200);
    expect((await me(await tokenOf("diego@contoso.com"))).status).toBe(401);
  });

  it("a user provisioned with externalId = X is found by a token whose oid is X, whatever its name says", async () => {
    const oid = crypto.randomUUID();
    const provisioned = await call("POST", "/scim/v2/Users", {
      token: demoProvisioningToken("contoso"),
      body: { userName: "lynne@contoso.com", displayName: "Lynne Robbins", externalId: oid },
    });
    expect(provisioned.status).toBe(201);
    // Her name was changed in Entra ID before the directory told AppSeats.
    const answer = await me(await tokenOf("lynne.robbins@contoso.com", {}, { oid }));
    expect(answer.status).toBe(200);
    expect(answer.body.user.id).toBe(provisioned.body.id);
    expect(await userRow("contoso", "lynne@contoso.com")).toMatchObject({ entra_object_id: oid });
  });

  it("a token of another object id with a provisioned user's name is refused with 403 AccountConflict, and nothing is linked", async () => {
    await call("POST", "/scim/v2/Users", {
      token: demoProvisioningToken("contoso"),
      body: { userName: "lynne@contoso.com", displayName: "Lynne Robbins", externalId: crypto.randomUUID() },
    });
    const before = await snapshot();
    const answer = await me(await tokenOf("lynne@contoso.com", {}, { oid: crypto.randomUUID() }));
    expect(answer.status).toBe(403);
    expect(answer.body.error.code).toBe("AccountConflict");
    expect(await snapshot()).toBe(before);
    expect(await userRow("contoso", "lynne@contoso.com")).toMatchObject({ entra_object_id: null });
  });

  it("a user with neither object id nor externalId is linked by name once; a later token of another object id is refused", async () => {
    expect((await me(await tokenOf("adele@contoso.com"))).status).toBe(200);
    expect(await userRow("contoso", "adele@contoso.com")).toMatchObject({
      id: contoso.user("adele"),
      entra_object_id: oidOf("adele@contoso.com"),
    });
    const other = await me(await tokenOf("adele@contoso.com", {}, { oid: crypto.randomUUID() }));
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe("AccountConflict");
  });
});

describe("the requesting application (azp)", () => {
  beforeEach(freshDemo);

  it("AppSeats' own client id and those of ENTRA_ALLOWED_CLIENT_IDS are accepted; any other, or none, is 401", async () => {
    const claims = claimsFor("lidia@contoso.com", { roles: ["LicenseAdmin"] });
    expect((await me(await entra.sign(claims))).status).toBe(200);
    expect((await me(await entra.sign({ ...claims, azp: "0FF1CE00-0000-4000-8000-00000000B22E" }))).status).toBe(200);
    const before = await snapshot();
    for (const refused of [{ ...claims, azp: crypto.randomUUID() }, without(claims, "azp"), { ...claims, azp: 42 }]) {
      const answer = await me(await entra.sign(refused));
      expect(answer.status, JSON.stringify(refused.azp)).toBe(401);
      expect(answer.body.error.code).toBe("Unauthenticated");
    }
    expect(await snapshot()).toBe(before);
  });
});

describe("domains are learned from members only", () => {
  beforeEach(freshDemo);

  const purchaseBy = (domain: string) =>
    call("POST", "/vendor/v1/subscriptions", {
      token: demoVendorKey("fabrikam"),
      body: { tenant: { domain }, appId: "app_fabrikam", plan: "Business", quantity: 5 },
    });

  it("a guest Global Administrator onboarding a tenant gives it no domain: a purchase by the guest's domain is 404", async () => {
    const guest = await woodgroveTokenAsGuest("admin@partner.example");
    const answer = await me(guest);
    expect(answer.status).toBe(200);
    expect(answer.body.tenant.domains).toEqual([]);
    expect(await domainsOf(answer.body.tenant.id)).toEqual([]);
    expect((await purchaseBy("partner.example")).status).toBe(404);
  });

  it("a member's sign-in adds their domain, audited once; a purchase by it then finds the tenant", async () => {
    const answer = await me(await tokenOf("sam@contoso.net"));
    expect(answer.status).toBe(200);
    expect(answer.body.tenant.domains).toContain("contoso.net");
    expect(await domainsOf("contoso")).toEqual(["contoso.com", "contoso.onmicrosoft.com", "contoso.net"]);
    expect((await me(await tokenOf("sam@contoso.net"))).status).toBe(200);
    const events = await everyStoreDb().prepare(`SELECT summary FROM audit_events WHERE action = 'tenant.domain.add'`).all();
    expect(events.results).toEqual([expect.objectContaining({ tenant_id: "contoso" })]);
    const bought = await purchaseBy("contoso.net");
    expect(bought.status).toBe(201);
    expect(bought.body.tenantId).toBe("contoso");
  });

  it("a domain another tenant has is not added; a guest's sign-in adds none", async () => {
    expect((await me(await tokenOf("pradeep@fabrikam.com"))).status).toBe(200);
    expect(await domainsOf("contoso")).toEqual(["contoso.com", "contoso.onmicrosoft.com"]);
    expect(await domainsOf("fabrikam")).toContain("fabrikam.com");
    const guest = await entra.sign({
      ...claimsFor("visitor@elsewhere.example"),
      idp: "https://sts.windows.net/0e0e0e0e-0000-4000-8000-000000000000/",
    });
    expect((await me(guest)).status).toBe(200);
    expect(await domainsOf("contoso")).toEqual(["contoso.com", "contoso.onmicrosoft.com"]);
  });

  /** A token of Woodgrove for a guest from another organisation, with the Global Administrator role. */
  function woodgroveTokenAsGuest(upn: string) {
    return entra.sign({
      ...claimsFor(upn, { tenant: woodgrove, roles: ["GlobalAdmin"] }),
      idp: "https://sts.windows.net/0e0e0e0e-0000-4000-8000-000000000000/",
    });
  }
});

describe("provisioning tokens expire", () => {
  beforeEach(freshDemo);

  const create = async (body?: unknown) => {
    const megan = await tokenOf("megan@contoso.com", { roles: ["GlobalAdmin"] });
    return call("POST", "/api/v1/provisioning/tokens", { token: megan, ...(body === undefined ? {} : { body }) });
  };
  const storedExpiry = (id: string) =>
    storeDb().prepare(`SELECT expires_at FROM provisioning_tokens WHERE id = ?1`).bind(id).first<{ expires_at: string }>();
  const days = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);

  it("a token lives 365 days by default, or the days asked (1 to 730); the list shows when", async () => {
    const plain = await create();
    expect(plain.status).toBe(201);
    expect(days(plain.body.createdAt, plain.body.expiresAt)).toBe(365);
    expect((await storedExpiry(plain.body.id))!.expires_at).toBe(plain.body.expiresAt);
    for (const expiresInDays of [1, 730]) {
      const answer = await create({ expiresInDays });
      expect(answer.status).toBe(201);
      expect(days(answer.body.createdAt, answer.body.expiresAt)).toBe(expiresInDays);
    }
    const listed = await call("GET", "/api/v1/provisioning/tokens", {
      token: await tokenOf("megan@contoso.com", { roles: ["GlobalAdmin"] }),
    });
    expect(listed.body.items.find((t: { id: string }) => t.id === plain.body.id).expiresAt).toBe(plain.body.expiresAt);
  });

  it("a lifetime out of 1 to 730 days, or not a whole number, is 400 and stores nothing", async () => {
    await create(); // signs Megan in first, so that the snapshot holds her link
    const before = await snapshot();
    const count = async () => (await storeDb().prepare(`SELECT COUNT(*) AS n FROM provisioning_tokens`).first<{ n: number }>())!.n;
    const tokens = await count();
    for (const expiresInDays of [0, 731, 1.5, "30", null]) {
      const answer = await create({ expiresInDays });
      expect(answer.status, String(expiresInDays)).toBe(400);
      expect(answer.body.error.code).toBe("InvalidRequest");
    }
    expect(await count()).toBe(tokens);
    expect(await snapshot()).toBe(before);
  });

  it("an expired token is 401 at once, for reads and for changes", async () => {
    const created = await create({ expiresInDays: 1 });
    const token = created.body.token as string;
    expect((await call("POST", "/scim/v2/Groups", { token, body: { displayName: "Before expiry" } })).status).toBe(201);
    await storeDb()
      .prepare(`UPDATE provisioning_tokens SET expires_at = ?2 WHERE id = ?1`)
      .bind(created.body.id, new Date(Date.now() - 1000).toISOString())
      .run();
    const before = await snapshot();
    // A change by a token the worker remembers is checked in its own batch: expired, it stores nothing.
    expect((await call("POST", "/scim/v2/Groups", { token, body: { displayName: "After expiry" } })).status).toBe(401);
    expect((await call("GET", "/scim/v2/Users?count=1", { token })).status).toBe(401);
    expect(await snapshot()).toBe(before);
  });
});
