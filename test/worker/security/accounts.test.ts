/**
 * The security review, finding 2: privileged accounts. Only a Global Administrator changes an
 * account that holds an admin role; nobody disables or deletes their own account or the
 * tenant's last Global Administrator — by the directory routes or by SCIM.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { demoProvisioningToken } from "../../../worker/seed/demo.js";
import { as, call, contoso, freshDemo, snapshot, storeDb } from "../support.js";

const disable = (token: string, userId: string) =>
  call("PATCH", `/api/v1/directory/users/${userId}`, { token, body: { accountEnabled: false } });
const enable = (token: string, userId: string) =>
  call("PATCH", `/api/v1/directory/users/${userId}`, { token, body: { accountEnabled: true } });
const remove = (token: string, userId: string) => call("DELETE", `/api/v1/directory/users/${userId}`, { token });

const accountOf = (userId: string) =>
  storeDb()
    .prepare(`SELECT account_enabled, deleted_at FROM users WHERE id = ?1`)
    .bind(userId)
    .first<{ account_enabled: number; deleted_at: string | null }>();

describe("privileged accounts", () => {
  beforeEach(freshDemo);

  it("a UserAdmin cannot disable, re-enable or delete a GlobalAdmin or another admin: 403, nothing changes", async () => {
    const alex = await as("alex@contoso.com");
    const before = await snapshot();
    for (const answer of [
      await disable(alex, contoso.user("megan")),
      await remove(alex, contoso.user("megan")),
      await disable(alex, contoso.user("lidia")),
      await remove(alex, contoso.user("ben")),
    ]) {
      expect(answer.status).toBe(403);
      expect(answer.body.error).toMatchObject({ code: "Forbidden", details: { requiredRoles: ["GlobalAdmin"] } });
    }
    expect(await snapshot()).toBe(before);

    // A Global Administrator disables Lidia; the UserAdmin cannot bring her back.
    const megan = await as("megan@contoso.com");
    expect((await disable(megan, contoso.user("lidia"))).status).toBe(200);
    expect((await enable(alex, contoso.user("lidia"))).status).toBe(403);
    expect(await accountOf(contoso.user("lidia"))).toMatchObject({ account_enabled: 0 });
    expect((await enable(megan, contoso.user("lidia"))).status).toBe(200);
    expect(await accountOf(contoso.user("lidia"))).toMatchObject({ account_enabled: 1 });
  });

  it("a UserAdmin still changes accounts without an admin role", async () => {
    const alex = await as("alex@contoso.com");
    expect((await disable(alex, contoso.user("adele"))).status).toBe(200);
    expect(await accountOf(contoso.user("adele"))).toMatchObject({ account_enabled: 0 });
    expect((await remove(alex, contoso.user("diego"))).status).toBe(200);
    expect((await accountOf(contoso.user("diego")))!.deleted_at).not.toBeNull();
  });

  it("nobody disables or deletes their own account: 409 ProtectedAccount, nothing changes", async () => {
    const megan = await as("megan@contoso.com");
    const alex = await as("alex@contoso.com");
    const before = await snapshot();
    for (const answer of [
      await disable(megan, contoso.user("megan")),
      await remove(megan, contoso.user("megan")),
      await disable(alex, contoso.user("alex")),
    ]) {
      expect(answer.status).toBe(409);
      expect(answer.body.error).toMatchObject({ code: "ProtectedAccount", details: { reason: "ownAccount" } });
    }
    expect(await snapshot()).toBe(before);
  });

  it("the directory cannot disable or delete the last Global Administrator (SCIM): 409, nothing changes", async () => {
    const token = demoProvisioningToken("contoso");
    const before = await snapshot();
    const disabled = await call("PATCH", `/scim/v2/Users/${contoso.user("megan")}`, {
      token,
      body: { Operations: [{ op: "Replace", path: "active", value: "False" }] },
    });
    expect(disabled.status).toBe(409);
    expect(disabled.body).toMatchObject({ status: "409" });
    expect((await call("DELETE", `/scim/v2/Users/${contoso.user("megan")}`, { token })).status).toBe(409);
    expect(await snapshot()).toBe(before);

    // With a second Global Administrator, either may go.
    await storeDb()
      .prepare(`INSERT INTO admin_roles (user_id, role, source) VALUES (?1, 'GlobalAdmin', 'stored')`)
      .bind(contoso.user("lidia"))
      .run();
    expect((await call("DELETE", `/scim/v2/Users/${contoso.user("megan")}`, { token })).status).toBe(204);
  });

  it("two Global Administrators disabling each other at once: exactly one succeeds", async () => {
    await storeDb()
      .prepare(`INSERT INTO admin_roles (user_id, role, source) VALUES (?1, 'GlobalAdmin', 'stored')`)
      .bind(contoso.user("lidia"))
      .run();
    const megan = await as("megan@contoso.com");
    const lidia = await as("lidia@contoso.com");
    const answers = await Promise.all([disable(megan, contoso.user("lidia")), disable(lidia, contoso.user("megan"))]);
    const statuses = answers.map((a) => a.status).sort();
    // The loser is refused either because its caller was disabled first (401) or by the guard (409).
    expect(statuses[0]).toBe(200);
    expect([401, 409]).toContain(statuses[1]);
    const enabled = await storeDb()
      .prepare(
        `SELECT COUNT(*) AS n FROM admin_roles r JOIN users u ON u.id = r.user_id
          WHERE r.role = 'GlobalAdmin' AND u.account_enabled = 1`,
      )
      .first<{ n: number }>();
    expect(enabled!.n).toBe(1);
  });
});
