/**
 * Sign-in with Microsoft Entra ID (R16, R17): which tokens the worker accepts, what each one
 * decides (tenant, user, roles), and every refusal of docs/api.md, each a 401 that changes nothing.
 */
import { SignJWT } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { app } from "../../../worker/src/index.js";
import { authority, claimsFor, clientId, oidOf, TestAuthority, tenantIds, widOf, without } from "../entra.js";
import {
  as,
  call,
  changeLicense,
  contoso,
  db,
  env,
  everyStoreDb,
  expectLicenseHiddenFrom,
  fabrikam,
  freshDemo,
  principal,
  snapshot,
  storeDb,
} from "../support.js";

const entra = new TestAuthority();

beforeAll(async () => {
  await entra.addKey("k1");
  await entra.addKey("k2");
  await entra.addKey("unpublished");
  await entra.addKey("rs384", "RS384");
  entra.publish("k1", "rs384");
  entra.install();
});
afterAll(() => entra.uninstall());

const me = (token: string) => call("GET", "/api/v1/me", { token });
const userRow = (upn: string) =>
  everyStoreDb()
    .prepare(`SELECT id, display_name, entra_object_id FROM users WHERE user_principal_name = ?1`)
    .bind(upn)
    .first<{ id: string; tenant_id: string; display_name: string; entra_object_id: string | null }>();
const auditOf = (action: string) =>
  everyStoreDb().prepare(`SELECT actor_id, principals, summary FROM audit_events WHERE action = ?1`).bind(action).all();

describe("an Entra ID access token", () => {
  beforeEach(freshDemo);

  it("is accepted when well formed: Megan Bowen is linked by her user principal name, once, and audited", async () => {
    const token = await entra.sign(claimsFor("megan@contoso.com", { roles: ["GlobalAdmin"] }));
    const answer = await me(token);
    expect(answer.status).toBe(200);
    expect(answer.body.user).toEqual({ id: contoso.user("megan"), displayName: "Megan Bowen", userPrincipalName: "megan@contoso.com" });
    expect(answer.body.tenant.id).toBe("contoso");
    expect(answer.body.roles).toEqual(["GlobalAdmin"]);
    expect((await userRow("megan@contoso.com"))!.entra_object_id).toBe(oidOf("megan@contoso.com"));
    // The second request finds her by object id; the link is audited once.
    expect((await me(token)).status).toBe(200);
    const links = (await auditOf("directory.user.link")).results;
    expect(links).toHaveLength(1);
    expect(links[0]).toMatchObject({ tenant_id: "contoso", actor_id: contoso.user("megan") });
  });

  it("accepts the audience with or without api://, and a token within five minutes of its expiry or start", async () => {
    const base = claimsFor("lidia@contoso.com", { roles: ["LicenseAdmin"] });
    const now = Math.floor(Date.now() / 1000);
    for (const claims of [
      { ...base, aud: clientId },
      { ...base, exp: now - 4 * 60 },
      { ...base, nbf: now + 4 * 60 },
      without(base, "nbf"),
    ]) {
      expect((await me(await entra.sign(claims))).status, JSON.stringify(claims)).toBe(200);
    }
  });

  it("is refused (401, nothing stored) for every flaw docs/api.md lists", async () => {
    const base = claimsFor("megan@contoso.com", { roles: ["GlobalAdmin"] });
    const now = Math.floor(Date.now() / 1000);
    const hs256 = await new SignJWT(base)
      .setProtectedHeader({ alg: "HS256", kid: "k1" })
      .sign(new TextEncoder().encode("a shared secret nobody should trust"));
    const cases: [string, Promise<string> | string][] = [
      ["signed with HS256", hs256],
      ["signed with RS384", entra.sign(base, { kid: "rs384", alg: "RS384" })],
      ["signed by an unknown key", entra.sign(base, { kid: "unpublished" })],
      ["signed by another key than its kid names", entra.sign(base, { kid: "unpublished", headerKid: "k1" })],
      ["issued by another tenant than its tid", entra.sign({ ...base, iss: `${authority}/${tenantIds.fabrikam}/v2.0` })],
      ["issued by another authority", entra.sign({ ...base, iss: `https://login.example/${tenantIds.contoso}/v2.0` })],
      ["issued as v1 (sts.windows.net)", entra.sign({ ...base, iss: `https://sts.windows.net/${tenantIds.contoso}/` })],
      ["for another audience", entra.sign({ ...base, aud: "api://someone-else" })],
      ["of version 1.0", entra.sign({ ...base, ver: "1.0" })],
      ["without a version", entra.sign(without(base, "ver"))],
      ["expired more than five minutes ago", entra.sign({ ...base, exp: now - 6 * 60 })],
      ["valid only in more than five minutes", entra.sign({ ...base, nbf: now + 6 * 60 })],
      ["without exp", entra.sign(without(base, "exp"))],
      ["without tid", entra.sign(without(base, "tid"))],
      ["without oid", entra.sign(without(base, "oid"))],
      ["without AppSeats' scope", entra.sign({ ...base, scp: "User.Read" })],
      [
        "app-only (roles, no scp)",
        entra.sign({ ...without(base, "scp", "preferred_username"), idtyp: "app", roles: ["Licenses.ReadWrite.All"] }),
      ],
      [
        "tampered with after signing",
        entra.sign(base).then((t) => t.replace(/\.([\w-]+)\./, (_, body: string) => `.${body.slice(0, -2)}AA.`)),
      ],
    ];
    const before = await snapshot();
    for (const [flaw, token] of cases) {
      const answer = await me(await token);
      expect(answer.status, flaw).toBe(401);
      expect(answer.body.error.code, flaw).toBe("Unauthenticated");
    }
    expect(await snapshot()).toBe(before);
  });

  it("is refused when Entra ID sign-in is off (no ENTRA_CLIENT_ID)", async () => {
    const token = await entra.sign(claimsFor("megan@contoso.com", { roles: ["GlobalAdmin"] }));
    const answer = await app.fetch(new Request("http://appseats.test/api/v1/me", { headers: { authorization: `Bearer ${token}` } }), {
      ...env,
      ENTRA_CLIENT_ID: "",
    });
    expect(answer.status).toBe(401);
  });
});

describe("R16: the token decides the roles on every request", () => {
  beforeEach(freshDemo);

  it("roles come from wids, not from AppSeats' own: Megan with only GlobalReader in her token may read but not assign", async () => {
    const reader = await entra.sign(claimsFor("megan@contoso.com", { roles: ["GlobalReader"] }));
    expect((await me(reader)).body.roles).toEqual(["GlobalReader"]);
    expect((await call("GET", "/api/v1/licenses", { token: reader })).status).toBe(200);
    const before = await snapshot();
    const refused = await changeLicense(reader, contoso.northwindNotes, "assign", [principal.user("adele")]);
    expect(refused.status).toBe(403);
    expect(refused.body.error.details.requiredRoles).toEqual(["GlobalAdmin", "LicenseAdmin", "UserAdmin"]);
    expect(await snapshot()).toBe(before);
    // Adele holds no role in AppSeats; her token's does, and decides.
    const adele = await entra.sign(claimsFor("adele@contoso.com", { roles: ["LicenseAdmin"] }));
    expect((await changeLicense(adele, contoso.northwindNotes, "assign", [principal.user("diego")])).status).toBe(200);
  });

  it("ignores role ids it does not know, and a token without wids has no role (403 but for /me)", async () => {
    const token = await entra.sign({
      ...claimsFor("lidia@contoso.com"),
      wids: ["b79fbf4d-3ef9-4689-8143-76b194e85509", widOf("BillingAdmin")],
    });
    expect((await me(token)).body.roles).toEqual(["BillingAdmin"]);
    const none = await entra.sign(without(claimsFor("alex@contoso.com"), "wids"));
    expect((await me(none)).status).toBe(200);
    expect((await me(none)).body.roles).toEqual([]);
    expect((await call("GET", "/api/v1/licenses", { token: none })).status).toBe(403);
  });

  it("an assign by an Entra caller checks the caller inside its batch: a user disabled since is refused with 401, nothing stored", async () => {
    const lidia = await entra.sign(claimsFor("lidia@contoso.com", { roles: ["LicenseAdmin"] }));
    expect((await changeLicense(lidia, contoso.northwindNotes, "assign", [principal.user("adele")])).status).toBe(200);
    await storeDb().prepare(`UPDATE users SET account_enabled = 0 WHERE id = ?1`).bind(contoso.user("lidia")).run();
    const before = await snapshot();
    const refused = await changeLicense(lidia, contoso.northwindNotes, "assign", [principal.user("diego")]);
    expect(refused.status).toBe(401);
    expect(await snapshot()).toBe(before);
  });
});

describe("which user and which tenant a token is", () => {
  beforeEach(freshDemo);

  it("a disabled user gets 401 even with a valid token (a deleted one is created anew: security/trust.test.ts)", async () => {
    expect((await me(await entra.sign(claimsFor("joni@contoso.com")))).status).toBe(401);
    expect((await me(await entra.sign(claimsFor("grady@contoso.com", { roles: ["GlobalReader"] })))).status).toBe(200);
    await storeDb().prepare(`UPDATE users SET account_enabled = 0 WHERE id = ?1`).bind(contoso.user("grady")).run();
    expect((await me(await entra.sign(claimsFor("grady@contoso.com", { roles: ["GlobalReader"] })))).status).toBe(401);
  });

  it("a new user of a known tenant is created from the claims, and audited", async () => {
    const token = await entra.sign(claimsFor("nestor@contoso.com", { roles: ["LicenseAdmin"], name: "Nestor Wilke" }));
    const answer = await me(token);
    expect(answer.status).toBe(200);
    expect(answer.body.user).toMatchObject({ displayName: "Nestor Wilke", userPrincipalName: "nestor@contoso.com" });
    const row = (await userRow("nestor@contoso.com"))!;
    expect(row).toMatchObject({ tenant_id: "contoso", display_name: "Nestor Wilke", entra_object_id: oidOf("nestor@contoso.com") });
    expect((await auditOf("directory.user.create")).results).toEqual([expect.objectContaining({ tenant_id: "contoso", actor_id: row.id })]);
  });

  it("a user principal name already linked to another object id is refused with 403 AccountConflict", async () => {
    expect((await me(await entra.sign(claimsFor("megan@contoso.com", { roles: ["GlobalAdmin"] })))).status).toBe(200);
    const before = await snapshot();
    const impostor = await entra.sign({ ...claimsFor("megan@contoso.com", { roles: ["GlobalAdmin"] }), oid: crypto.randomUUID() });
    const answer = await me(impostor);
    expect(answer.status).toBe(403);
    expect(answer.body.error.code).toBe("AccountConflict");
    expect(await snapshot()).toBe(before);
  });

  it("object ids are unique within a tenant, not across tenants: the same oid in Fabrikam is Fabrikam's user", async () => {
    const oid = oidOf("megan@contoso.com");
    expect((await me(await entra.sign(claimsFor("megan@contoso.com", { roles: ["GlobalAdmin"] })))).status).toBe(200);
    const pradeep = await entra.sign({ ...claimsFor("pradeep@fabrikam.com", { tenant: "fabrikam", roles: ["GlobalAdmin"] }), oid });
    const answer = await me(pradeep);
    expect(answer.body.user.id).toBe(fabrikam.user("pradeep"));
    expect(answer.body.tenant.id).toBe("fabrikam");
  });

  it("R11: a Fabrikam token sees Fabrikam only; Contoso's ids are 404 to it", async () => {
    const pradeep = await entra.sign(claimsFor("pradeep@fabrikam.com", { tenant: "fabrikam", roles: ["GlobalAdmin"] }));
    const licenses = await call("GET", "/api/v1/licenses", { token: pradeep });
    expect(licenses.body.items.map((l: { id: string }) => l.id)).toEqual([fabrikam.northwindNotes]);
    expect((await call("GET", `/api/v1/licenses/${contoso.northwindNotes}`, { token: pradeep })).status).toBe(404);
    const before = await snapshot();
    expect((await changeLicense(pradeep, contoso.northwindNotes, "assign", [principal.user("adele")])).status).toBe(404);
    expect(await snapshot()).toBe(before);
  });
});

describe("R11 with Entra ID tokens, once the isolate remembers a license's app", () => {
  beforeEach(freshDemo);

  it("a Contoso admin's license, just read and assigned, is still 404 to a Fabrikam token, which changes nothing", async () => {
    const megan = await entra.sign(claimsFor("megan@contoso.com", { roles: ["LicenseAdmin"] }));
    expect((await call("GET", `/api/v1/licenses/${contoso.northwindNotes}`, { token: megan })).status).toBe(200);
    expect((await changeLicense(megan, contoso.northwindNotes, "assign", [principal.user("adele")])).status).toBe(200);
    const pradeep = await entra.sign(claimsFor("pradeep@fabrikam.com", { tenant: "fabrikam", roles: ["GlobalAdmin"] }));
    expect((await me(pradeep)).status).toBe(200); // his first sign-in links his account: a change of its own
    await expectLicenseHiddenFrom(pradeep, contoso.northwindNotes, [principal.user("adele")]);
  });
});

describe("R17: a tenant enters by its first Global Administrator's sign-in", () => {
  beforeEach(freshDemo);
  const tailspin = "7a115b1e-3333-4333-8333-000000000003";

  it("a Global Administrator of an unknown organisation creates its tenant, named from their domain, and is its first user", async () => {
    const token = await entra.sign(claimsFor("ayla@tailspintoys.com", { tenant: tailspin, roles: ["GlobalAdmin"], name: "Ayla Kol" }));
    const answer = await me(token);
    expect(answer.status).toBe(200);
    expect(answer.body.tenant).toMatchObject({ displayName: "Tailspintoys", domains: ["tailspintoys.com"] });
    expect(answer.body.user).toMatchObject({ displayName: "Ayla Kol", userPrincipalName: "ayla@tailspintoys.com" });
    expect(answer.body.roles).toEqual(["GlobalAdmin"]);
    const tenant = await db().prepare(`SELECT id FROM tenants WHERE entra_tenant_id = ?1`).bind(tailspin).first<{ id: string }>();
    expect(tenant!.id).toBe(answer.body.tenant.id);
    const onboarded = (await auditOf("tenant.onboard")).results;
    expect(onboarded).toEqual([expect.objectContaining({ tenant_id: tenant!.id, actor_id: answer.body.user.id })]);
    // Again, and concurrently: still one tenant, one user, one event.
    await Promise.all([me(token), me(token)]);
    expect(
      (await db().prepare(`SELECT COUNT(*) AS n FROM tenants WHERE entra_tenant_id = ?1`).bind(tailspin).first<{ n: number }>())!.n,
    ).toBe(1);
    expect((await auditOf("tenant.onboard")).results).toHaveLength(1);
  });

  it("anyone else of an unknown organisation gets 403 TenantNotOnboarded, and nothing is stored", async () => {
    const before = await snapshot();
    const answer = await me(await entra.sign(claimsFor("sam@tailspintoys.com", { tenant: tailspin, roles: ["LicenseAdmin"] })));
    expect(answer.status).toBe(403);
    expect(answer.body.error.code).toBe("TenantNotOnboarded");
    expect(answer.body.error.message).toMatch(/Global Administrator .* must sign in first/);
    expect(await snapshot()).toBe(before);
  });
});

describe("the authority's keys", () => {
  beforeEach(async () => {
    await freshDemo();
    vi.useFakeTimers({ toFake: ["Date"] });
  });
  afterAll(() => vi.useRealTimers());

  it("are cached; an unknown kid fetches them again at most once a minute, so a rotated key is accepted", async () => {
    entra.publish("k1");
    vi.setSystemTime(new Date("2031-01-01T00:00:00Z"));
    const first = await entra.sign(claimsFor("megan@contoso.com", { roles: ["GlobalAdmin"] }));
    expect((await me(first)).status).toBe(200);
    const fetched = entra.fetches;
    expect((await me(first)).status).toBe(200);
    expect(entra.fetches).toBe(fetched);

    // Entra rotates its keys: k2 now signs. A minute has not passed since the keys were fetched.
    entra.publish("k1", "k2");
    vi.setSystemTime(new Date("2031-01-01T00:00:30Z"));
    const rotated = await entra.sign(claimsFor("megan@contoso.com", { roles: ["GlobalAdmin"] }), { kid: "k2" });
    for (let i = 0; i < 5; i++) expect((await me(rotated)).status).toBe(401);
    expect(entra.fetches).toBeLessThanOrEqual(fetched + 1);

    vi.setSystemTime(new Date("2031-01-01T00:01:31Z"));
    const fresh = await entra.sign(claimsFor("megan@contoso.com", { roles: ["GlobalAdmin"] }), { kid: "k2" });
    expect((await me(fresh)).status).toBe(200);
    expect(entra.fetches).toBeLessThanOrEqual(fetched + 2);
    vi.useRealTimers();
    entra.publish("k1", "rs384");
  });
});

describe("a token seen before", () => {
  beforeEach(async () => {
    await freshDemo();
    vi.useFakeTimers({ toFake: ["Date"] });
  });
  afterAll(() => vi.useRealTimers());

  it("is refused once it has expired, though it was accepted before", async () => {
    vi.setSystemTime(new Date("2031-02-01T00:00:00Z"));
    const claims = claimsFor("megan@contoso.com", { roles: ["GlobalAdmin"] });
    const token = await entra.sign({ ...claims, exp: (claims.iat as number) + 60 });
    expect((await me(token)).status).toBe(200);
    vi.setSystemTime(new Date("2031-02-01T00:03:00Z"));
    expect((await me(token)).status).toBe(200);
    vi.setSystemTime(new Date("2031-02-01T00:06:01Z"));
    expect((await me(token)).status).toBe(401);
    vi.useRealTimers();
  });
});

describe("signing out (DELETE /api/v1/session)", () => {
  beforeEach(freshDemo);

  it("ends a local session at once", async () => {
    const token = await as("megan@contoso.com");
    expect((await me(token)).status).toBe(200);
    const answer = await call("DELETE", "/api/v1/session", { token });
    expect(answer.status).toBe(204);
    expect((await me(token)).status).toBe(401);
    expect((await changeLicense(token, contoso.northwindNotes, "assign", [principal.user("adele")])).status).toBe(401);
    const left = await storeDb().prepare(`SELECT COUNT(*) AS n FROM session_tokens`).first<{ n: number }>();
    expect(left!.n).toBe(0);
  });

  it("answers 204 for an Entra ID token and changes nothing", async () => {
    const token = await entra.sign(claimsFor("megan@contoso.com", { roles: ["GlobalAdmin"] }));
    expect((await me(token)).status).toBe(200);
    const before = await snapshot();
    expect((await call("DELETE", "/api/v1/session", { token })).status).toBe(204);
    expect(await snapshot()).toBe(before);
    expect((await me(token)).status).toBe(200);
  });
});

describe("GET /api/v1/auth/config", () => {
  it("tells the extension how to sign in, without a token", async () => {
    const answer = await call("GET", "/api/v1/auth/config");
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      entra: {
        authority,
        clientId,
        scopes: [`api://${clientId}/access_as_user`, "openid", "profile", "offline_access"],
      },
      devSignIn: true,
    });
    const off = await app.fetch(new Request("http://appseats.test/api/v1/auth/config"), {
      ...env,
      ENTRA_CLIENT_ID: "",
      DEV_SIGN_IN: "false",
    });
    expect(await off.json()).toEqual({ entra: null, devSignIn: false });
  });
});
