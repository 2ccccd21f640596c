/**
 * Purchases (API.md, "Catalog and purchases"; R17): a vendor records a subscription for an
 * organisation named by its Entra tenant id or a domain; an unknown Entra tenant id brings the
 * organisation in, which its first Global Administrator's sign-in then finds.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { demoVendorKey } from "../../../worker/seed/demo.js";
import { claimsFor, publishedAuthority, tenantIds } from "../entra.js";
import { as, call, db, everyStoreDb, freshDemo, snapshot, storeDb } from "../support.js";

const entra = publishedAuthority();

const northwind = demoVendorKey("northwind");
const purchase = (body: unknown, key = northwind) => call("POST", "/vendor/v1/subscriptions", { token: key, body });
const newTenantId = "0e0e0e0e-3333-4333-8333-000000000003";

describe("POST /vendor/v1/subscriptions", () => {
  beforeEach(freshDemo);

  it("a purchase for a known organisation, by domain or by Entra tenant id: 201, stored, audited, shown to its admins", async () => {
    const byDomain = await purchase({ tenant: { domain: "Contoso.com" }, appId: "app_northwind", plan: "Premium", quantity: 25 });
    expect(byDomain.status).toBe(201);
    expect(byDomain.body).toMatchObject({
      id: expect.stringMatching(/^sub_/),
      tenantId: "contoso",
      appId: "app_northwind",
      plan: "Premium",
      status: "active",
      seats: { purchased: 25, assigned: 0, available: 25, waiting: 0, overBy: 0 },
    });
    const row = await db()
      .prepare(`SELECT tenant_id, app_id, plan, purchased, status FROM subscriptions WHERE id = ?1`)
      .bind(byDomain.body.id)
      .first();
    expect(row).toEqual({ tenant_id: "contoso", app_id: "app_northwind", plan: "Premium", purchased: 25, status: "active" });
    const audit = await everyStoreDb()
      .prepare(`SELECT actor_type, actor_id FROM audit_events WHERE action = 'subscription.create' AND subscription_id = ?1`)
      .bind(byDomain.body.id)
      .first();
    expect(audit).toEqual({ tenant_id: "contoso", actor_type: "vendor", actor_id: "ven_northwind" });

    const byTenantId = await purchase({
      tenant: { entraTenantId: tenantIds.fabrikam },
      appId: "app_northwind",
      plan: "Basic",
      quantity: 3,
      status: "warning",
      renewsAt: "2027-06-30T00:00:00.000Z",
    });
    expect(byTenantId.status).toBe(201);
    expect(byTenantId.body).toMatchObject({ tenantId: "fabrikam", status: "warning" });

    const megan = await as("megan@contoso.com");
    const licenses = await call("GET", "/api/v1/licenses", { token: megan });
    expect(licenses.body.items.map((l: { id: string }) => l.id)).toContain(byDomain.body.id);
  });

  it("GET lists the vendor's own subscriptions, every tenant's, a page at a time", async () => {
    const created = await purchase({ tenant: { domain: "contoso.com" }, appId: "app_northwind", plan: "Premium", quantity: 5 });
    const all: { id: string; appId: string }[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: { id: string; appId: string }[]; nextCursor: string | null } } = await call(
        "GET",
        `/vendor/v1/subscriptions?limit=1${cursor ? `&cursor=${cursor}` : ""}`,
        { token: northwind },
      );
      expect(page.status).toBe(200);
      all.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(all.map((s) => s.id)).toContain(created.body.id);
    expect(all.every((s) => s.appId === "app_northwind")).toBe(true);
    const stored = await db()
      .prepare(`SELECT COUNT(*) AS n FROM subscriptions s JOIN apps a ON a.id = s.app_id WHERE a.vendor_id = 'ven_northwind'`)
      .first<{ n: number }>();
    expect(all).toHaveLength(stored!.n);
  });

  it("refuses another vendor's app and an unknown domain (404), bad bodies (400), and changes nothing", async () => {
    const before = await snapshot();
    expect((await purchase({ tenant: { domain: "contoso.com" }, appId: "app_fabrikam", plan: "P", quantity: 1 })).status).toBe(404);
    const unknown = await purchase({ tenant: { domain: "nobody.example" }, appId: "app_northwind", plan: "P", quantity: 1 });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("NotFound");
    for (const body of [
      {},
      { tenant: { domain: "contoso.com" }, appId: "app_northwind", plan: "P", quantity: -1 },
      { tenant: { entraTenantId: "not-a-guid" }, appId: "app_northwind", plan: "P", quantity: 1 },
      { tenant: { domain: "contoso.com", entraTenantId: newTenantId }, appId: "app_northwind", plan: "P", quantity: 1 },
      { tenant: { domain: "contoso.com" }, appId: "app_northwind", plan: "P", quantity: 1, status: "paused" },
      { tenant: { domain: "contoso.com" }, appId: "app_northwind", plan: "P", quantity: 1, renewsAt: "tomorrow" },
    ]) {
      const answer = await purchase(body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.error.code).toBe("InvalidRequest");
    }
    expect((await purchase({ tenant: { domain: "contoso.com" }, appId: "app_northwind", plan: "P", quantity: 1 }, "asv_nope")).status).toBe(
      401,
    );
    expect(await snapshot()).toBe(before);
  });

  it("R17: an unknown Entra tenant id brings the organisation in; only its first Global Administrator finds it", async () => {
    const bought = await purchase({ tenant: { entraTenantId: newTenantId }, appId: "app_northwind", plan: "Standard", quantity: 10 });
    expect(bought.status).toBe(201);
    const tenant = await db()
      .prepare(`SELECT id, created_by FROM tenants WHERE entra_tenant_id = ?1`)
      .bind(newTenantId)
      .first<{ id: string; created_by: string }>();
    expect(tenant).toMatchObject({ id: bought.body.tenantId, created_by: "ven_northwind" });
    expect(await storeDb(tenant!.id).prepare(`SELECT COUNT(*) AS n FROM users`).first()).toEqual({ n: 0 });
    const created = await storeDb(tenant!.id).prepare(`SELECT actor_id FROM audit_events WHERE action = 'tenant.create'`).first();
    expect(created).toEqual({ actor_id: "ven_northwind" });

    // A second purchase for the same organisation finds the same tenant.
    const again = await purchase({ tenant: { entraTenantId: newTenantId }, appId: "app_northwind", plan: "Extra", quantity: 2 });
    expect(again.body.tenantId).toBe(tenant!.id);

    // Someone without the role is told to wait for a Global Administrator; nothing is stored.
    const early = await call("GET", "/api/v1/me", { token: await entra.sign(claimsFor("kim@newco.example", { tenant: newTenantId })) });
    expect(early.status).toBe(403);
    expect(early.body.error.code).toBe("TenantNotOnboarded");

    const admin = await entra.sign(claimsFor("ada@newco.example", { tenant: newTenantId, roles: ["GlobalAdmin"], name: "Ada Admin" }));
    const me = await call("GET", "/api/v1/me", { token: admin });
    expect(me.status).toBe(200);
    expect(me.body.tenant).toEqual({ id: tenant!.id, displayName: "Newco", domains: ["newco.example"] });
    const licenses = await call("GET", "/api/v1/licenses", { token: admin });
    expect(licenses.body.items.map((l: { id: string }) => l.id).sort()).toEqual([bought.body.id, again.body.id].sort());
    const onboarded = await storeDb(tenant!.id).prepare(`SELECT COUNT(*) AS n FROM audit_events WHERE action = 'tenant.onboard'`).first();
    expect(onboarded).toEqual({ n: 1 });

    // From then on, the organisation's other people come in as with any onboarded tenant.
    const kim = await call("GET", "/api/v1/me", { token: await entra.sign(claimsFor("kim@newco.example", { tenant: newTenantId })) });
    expect(kim.status).toBe(200);
    expect(kim.body).toMatchObject({ tenant: { id: tenant!.id }, roles: [] });
  });
});
