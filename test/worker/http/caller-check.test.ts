/**
 * A change checks its caller in the same transaction as the change itself (the tenant's store
 * admits the caller and runs the change in one call): nothing about the caller is remembered. Whatever changed about the caller since that request must
 * still stop the assign before anything is stored, with the answer a fresh read would give.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { as, call, changeLicense, contoso, freshDemo, licenseState, principal, snapshot, storeDb } from "../support.js";

const license = contoso.northwindNotes;

/** A token whose caller the worker has verified once, as the popup's first read does. */
async function knownToken(upn: string) {
  const token = await as(upn);
  expect((await call("GET", "/api/v1/me", { token })).status).toBe(200);
  return token;
}

const run = (sql: string, ...params: unknown[]) =>
  storeDb()
    .prepare(sql)
    .bind(...params)
    .run();

const endSessions = (upn: string) =>
  run(`DELETE FROM session_tokens WHERE user_id = (SELECT id FROM users WHERE user_principal_name = ?1)`, upn);

async function idempotencyRecords() {
  return (await storeDb().prepare(`SELECT COUNT(*) AS n FROM idempotency_records`).first<{ n: number }>())!.n;
}

describe("an assign checks its caller in its own batch", () => {
  beforeEach(freshDemo);

  it("a known caller assigns as any caller does, and the audit names them", async () => {
    const token = await knownToken("lidia@contoso.com");
    const answer = await changeLicense(token, license, "assign", [principal.user("adele")]);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.assigned).toEqual([
      expect.objectContaining({ type: "user", id: contoso.user("adele"), displayName: "Adele Vance" }),
    ]);
    expect(await licenseState(license, contoso.user("adele"))).toBe("active");
    const event = await storeDb()
      .prepare(`SELECT actor_id, actor_name FROM audit_events WHERE action = 'license.assign' ORDER BY seq DESC LIMIT 1`)
      .first();
    expect(event).toEqual({ actor_id: contoso.user("lidia"), actor_name: "Lidia Holloway" });
  });

  const ended: [string, (upn: string) => Promise<unknown>][] = [
    ["the session was deleted", (upn) => endSessions(upn)],
    [
      "the session expired",
      (upn) =>
        run(
          `UPDATE session_tokens SET expires_at = '2000-01-01T00:00:00.000Z' WHERE user_id = (SELECT id FROM users WHERE user_principal_name = ?1)`,
          upn,
        ),
    ],
    ["the account was disabled", (upn) => run(`UPDATE users SET account_enabled = 0 WHERE user_principal_name = ?1`, upn)],
    ["the user was deleted", (upn) => run(`UPDATE users SET deleted_at = '2026-01-01T00:00:00.000Z' WHERE user_principal_name = ?1`, upn)],
  ];
  for (const [what, change] of ended) {
    it(`${what} since the caller was verified: 401 Unauthenticated, nothing stored`, async () => {
      const token = await knownToken("lidia@contoso.com");
      await change("lidia@contoso.com");
      const before = await snapshot();
      const answer = await changeLicense(token, license, "assign", [principal.user("adele")]);
      expect(answer.status).toBe(401);
      expect(answer.body.error.code).toBe("Unauthenticated");
      expect(await snapshot()).toBe(before);
      // Once refused, the token is refused at once on later changes too.
      expect((await changeLicense(token, license, "assign", [principal.user("ben")])).status).toBe(401);
      expect(await licenseState(license, contoso.user("ben"))).toBeNull();
    });
  }

  it("a role lost since: 403 Forbidden naming the roles that may, nothing stored", async () => {
    const token = await knownToken("lidia@contoso.com");
    await run(`DELETE FROM admin_roles WHERE user_id = ?1`, contoso.user("lidia"));
    const before = await snapshot();
    const answer = await changeLicense(token, license, "assign", [principal.user("adele")]);
    expect(answer.status).toBe(403);
    expect(answer.body.error.code).toBe("Forbidden");
    expect(answer.body.error.details.requiredRoles).toEqual(["GlobalAdmin", "LicenseAdmin", "UserAdmin"]);
    expect(await snapshot()).toBe(before);
  });

  it("a role that no longer allows assigning, with another role kept: 403, nothing stored", async () => {
    const token = await knownToken("lidia@contoso.com");
    await run(`UPDATE admin_roles SET role = 'GlobalReader' WHERE user_id = ?1`, contoso.user("lidia"));
    const before = await snapshot();
    expect((await changeLicense(token, license, "assign", [principal.user("adele")])).status).toBe(403);
    expect(await snapshot()).toBe(before);
  });

  it("a role given since: the assign is allowed, not refused on the roles known before", async () => {
    const token = await knownToken("adele@contoso.com");
    await run(`INSERT INTO admin_roles (user_id, role, source) VALUES (?1, 'LicenseAdmin', 'stored')`, contoso.user("adele"));
    const answer = await changeLicense(token, license, "assign", [principal.user("ben")]);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(await licenseState(license, contoso.user("ben"))).toBe("active");
  });

  it("renamed since: the audit event names the caller as they are named now", async () => {
    const token = await knownToken("lidia@contoso.com");
    await run(`UPDATE users SET display_name = 'Lidia Holloway-Vance' WHERE id = ?1`, contoso.user("lidia"));
    expect((await changeLicense(token, license, "assign", [principal.user("adele")])).status).toBe(200);
    const event = await storeDb()
      .prepare(`SELECT actor_name FROM audit_events WHERE action = 'license.assign' ORDER BY seq DESC LIMIT 1`)
      .first();
    expect(event).toEqual({ actor_name: "Lidia Holloway-Vance" });
  });

  it("a preview (dryRun) by a caller whose session ended: 401 before anything is read for it", async () => {
    const token = await knownToken("lidia@contoso.com");
    await endSessions("lidia@contoso.com");
    const answer = await changeLicense(token, "sub_fabrikam_northwind_notes", "assign", [principal.user("adele")], { dryRun: true });
    expect(answer.status).toBe(401);
    expect(answer.body.error.code).toBe("Unauthenticated");
  });

  it("with an Idempotency-Key, a caller whose session ended claims no key: 401, no record stored", async () => {
    const token = await knownToken("lidia@contoso.com");
    await endSessions("lidia@contoso.com");
    const answer = await call("POST", `/api/v1/licenses/${license}/assign`, {
      token,
      body: { principals: [principal.user("adele")] },
      headers: { "idempotency-key": "after-sign-out" },
    });
    expect(answer.status).toBe(401);
    expect(await idempotencyRecords()).toBe(0);
  });

  it("a role lost since, with an Idempotency-Key (whose claim reads the caller first): 403, nothing stored", async () => {
    const token = await knownToken("lidia@contoso.com");
    await run(`DELETE FROM admin_roles WHERE user_id = ?1`, contoso.user("lidia"));
    const before = await snapshot();
    const answer = await call("POST", `/api/v1/licenses/${license}/assign`, {
      token,
      body: { principals: [principal.user("adele")] },
      headers: { "idempotency-key": "role-lost" },
    });
    expect(answer.status).toBe(403);
    expect(answer.body.error.code).toBe("Forbidden");
    expect(await snapshot()).toBe(before);
  });

  it("every other change reads its caller first: a role lost since refuses unassign, install and directory changes", async () => {
    const changes = [
      {
        upn: "lidia@contoso.com",
        method: "POST",
        path: `/api/v1/licenses/${license}/unassign`,
        body: { principals: [principal.user("alex")] },
      },
      { upn: "megan@contoso.com", method: "POST", path: `/api/v1/licenses/${license}/install` },
      {
        upn: "alex@contoso.com",
        method: "POST",
        path: `/api/v1/directory/groups/${contoso.group("Sales")}/members`,
        body: { userIds: [contoso.user("ben")] },
      },
      {
        upn: "alex@contoso.com",
        method: "PATCH",
        path: `/api/v1/directory/users/${contoso.user("diego")}`,
        body: { accountEnabled: false },
      },
    ];
    for (const change of changes) {
      await freshDemo();
      const token = await knownToken(change.upn);
      await run(`DELETE FROM admin_roles WHERE user_id = (SELECT id FROM users WHERE user_principal_name = ?1)`, change.upn);
      const before = await snapshot();
      const answer = await call(change.method, change.path, { token, ...(change.body ? { body: change.body } : {}) });
      expect(answer.status, `${change.method} ${change.path}`).toBe(403);
      expect(await snapshot(), `${change.method} ${change.path}`).toBe(before);
    }
  });

  it("another tenant's id is still NotFound for a known caller, and the refusal names the rule", async () => {
    const token = await knownToken("lidia@contoso.com");
    const before = await snapshot();
    const answer = await changeLicense(token, "sub_fabrikam_northwind_notes", "assign", [principal.user("adele")]);
    expect(answer.status).toBe(404);
    expect(answer.body.error.code).toBe("NotFound");
    expect(await snapshot()).toBe(before);
  });
});
