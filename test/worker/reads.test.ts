import { DirectorySearchResult, LicenseDetail, LicenseList, LicenseUsers, Me, UserLicenses } from "@appseats/shared";
import { beforeEach, describe, expect, it } from "vitest";
import { as, call, contoso, freshDemo, storeDb } from "./support.js";

describe("what admins read", () => {
  let megan: string;
  beforeEach(async () => {
    await freshDemo();
    megan = await as("megan@contoso.com");
  });

  it("/me: the user, the tenant with its domains, the roles and what they allow", async () => {
    const me = Me.parse((await call("GET", "/api/v1/me", { token: megan })).body);
    expect(me).toEqual({
      user: { id: contoso.user("megan"), displayName: "Megan Bowen", userPrincipalName: "megan@contoso.com" },
      tenant: { id: "contoso", displayName: "Contoso", domains: ["contoso.com", "contoso.onmicrosoft.com"] },
      roles: ["GlobalAdmin"],
      can: { read: true, assign: true, install: true },
    });
    const grady = Me.parse((await call("GET", "/api/v1/me", { token: await as("grady@contoso.com") })).body);
    expect(grady.can).toEqual({ read: true, assign: false, install: false });
    const lidia = Me.parse((await call("GET", "/api/v1/me", { token: await as("lidia@contoso.com") })).body);
    expect(lidia.can).toEqual({ read: true, assign: true, install: false });
  });

  it("the summary shows DEMO.md's seats for every app", async () => {
    const list = LicenseList.parse((await call("GET", "/api/v1/licenses", { token: megan })).body);
    const seats = Object.fromEntries(
      list.items.map((i) => [i.app.name, [i.plan, i.status, i.seats.purchased, i.seats.assigned, i.seats.available]]),
    );
    expect(seats).toEqual({
      "Fabrikam Sign": ["Business", "active", 25, 11, 14],
      "Northwind Notes": ["Standard", "active", 5, 3, 2],
      "Tailspin Maps": ["Pro", "suspended", 10, 0, 10],
      "Litware Chat": ["Team", "warning", 20, 5, 15],
    });
  });

  it("one license: its assignments with who assigned them, a name filter, and pages", async () => {
    const detail = LicenseDetail.parse((await call("GET", `/api/v1/licenses/${contoso.fabrikamSign}`, { token: megan })).body);
    expect(
      detail.assignments.items.map((a) => [a.principal.displayName, a.principal.memberCount ?? null, a.assignedBy.displayName]),
    ).toEqual([
      ["Sales", 10, "Megan Bowen"],
      ["Adele Vance", null, "Megan Bowen"],
      ["Megan Bowen", null, "Megan Bowen"],
    ]);
    const filtered = await call("GET", `/api/v1/licenses/${contoso.fabrikamSign}?q=MEG`, { token: megan });
    expect(filtered.body.assignments.items.map((a: { principal: { displayName: string } }) => a.principal.displayName)).toEqual([
      "Megan Bowen",
    ]);
    const names: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: LicenseDetail } = await call(
        "GET",
        `/api/v1/licenses/${contoso.fabrikamSign}?limit=1${cursor ? `&cursor=${cursor}` : ""}`,
        { token: megan },
      );
      names.push(...page.body.assignments.items.map((a) => a.principal.displayName));
      cursor = page.body.assignments.nextCursor;
    } while (cursor);
    expect(names).toEqual(["Sales", "Adele Vance", "Megan Bowen"]);
  });

  it("who holds a license, and how: directly and through which groups", async () => {
    const users = LicenseUsers.parse(
      (await call("GET", `/api/v1/licenses/${contoso.fabrikamSign}/users?limit=200`, { token: megan })).body,
    );
    expect(users.items).toHaveLength(11);
    const byName = Object.fromEntries(users.items.map((u) => [u.user.displayName, u]));
    expect(byName["Adele Vance"]).toMatchObject({ state: "active", direct: true, viaGroups: [{ displayName: "Sales" }] });
    expect(byName["Diego Siciliani"]).toMatchObject({ state: "active", direct: false, viaGroups: [{ displayName: "Sales" }] });
    expect(byName["Megan Bowen"]).toMatchObject({ direct: true, viaGroups: [] });
    const waiting = await call("GET", `/api/v1/licenses/${contoso.fabrikamSign}/users?state=waiting`, { token: megan });
    expect(waiting.body).toEqual({ items: [], nextCursor: null });
    const joni = await call("GET", `/api/v1/licenses/${contoso.litwareChat}/users?q=joni`, { token: megan });
    expect(joni.body.items).toMatchObject([{ user: { displayName: "Joni Sherman", accountEnabled: false }, state: "active" }]);
  });

  it("a user's licenses", async () => {
    const adele = UserLicenses.parse((await call("GET", `/api/v1/users/${contoso.user("adele")}/licenses`, { token: megan })).body);
    expect(adele.items).toEqual([
      {
        license: {
          id: contoso.fabrikamSign,
          app: { id: "app_fabrikam", name: "Fabrikam Sign", publisher: "Fabrikam, Inc." },
          plan: "Business",
        },
        state: "active",
        direct: true,
        viaGroups: [{ id: contoso.group("Sales"), displayName: "Sales" }],
      },
    ]);
  });

  it("directory search: exact address first, then prefixes, then substrings; case-insensitive; CJK substrings", async () => {
    const search = async (query: string) =>
      DirectorySearchResult.parse((await call("GET", `/api/v1/directory/search?${query}`, { token: megan })).body).items;
    expect((await search("q=megan@contoso.com"))[0]).toMatchObject({ displayName: "Megan Bowen", match: "exact" });
    expect((await search("q=MEG")).map((m) => [m.displayName, m.match])).toEqual([["Megan Bowen", "prefix"]]);
    expect(await search("q=美玲")).toMatchObject([{ displayName: "陳美玲", match: "contains", userPrincipalName: "meiling@contoso.com" }]);
    expect(await search("q=陳")).toMatchObject([{ displayName: "陳美玲", match: "prefix" }]);
    expect(await search("q=bowen")).toMatchObject([{ displayName: "Megan Bowen", match: "prefix" }]);
    expect(await search("q=sales&type=group")).toMatchObject([{ type: "group", displayName: "Sales", match: "exact", memberCount: 10 }]);
    const users = await search("q=user1&type=user&limit=5");
    expect(users.map((m) => m.displayName)).toEqual([
      "Contoso User 10",
      "Contoso User 11",
      "Contoso User 12",
      "Contoso User 13",
      "Contoso User 14",
    ]);
    expect(await search("q=%25")).toEqual([]);
    expect(await search("q=_")).toEqual([]);
  });

  it("search of 3 characters or more goes through the trigram index, which follows renames and new users", async () => {
    const search = async (q: string) =>
      DirectorySearchResult.parse((await call("GET", `/api/v1/directory/search?q=${encodeURIComponent(q)}`, { token: megan })).body).items;
    expect(await search("陳美玲")).toMatchObject([{ displayName: "陳美玲", match: "prefix" }]);
    expect(await search("ILING@CONTOSO")).toMatchObject([{ userPrincipalName: "meiling@contoso.com", match: "contains" }]);
    await storeDb().prepare(`UPDATE users SET display_name = '王大明' WHERE id = ?1`).bind(contoso.user("adele")).run();
    expect(await search("Adele Vance")).toEqual([]);
    expect(await search("王大明")).toMatchObject([{ id: contoso.user("adele"), match: "prefix" }]);
    await storeDb()
      .prepare(
        `INSERT INTO users (id, user_principal_name, display_name, mail, created_at) VALUES ('usr_new', 'new.person@contoso.com', 'Brand New Person', NULL, '2026-01-01T00:00:00.000Z')`,
      )
      .run();
    expect(await search("new.person")).toMatchObject([{ id: "usr_new", match: "prefix" }]);
  });

  it("long search and filter text is searched, not refused: D1 limits LIKE patterns to 50 bytes, so none is used", async () => {
    // Found by the reliability suite: 40 emoji in a search answered 500.
    for (const text of ["🙂".repeat(40), "x".repeat(200), "陳美玲".repeat(60)]) {
      const q = encodeURIComponent(text);
      for (const path of [
        `/api/v1/directory/search?q=${q}`,
        `/api/v1/licenses/${contoso.fabrikamSign}?q=${q}`,
        `/api/v1/licenses/${contoso.fabrikamSign}/users?q=${q}`,
      ]) {
        const answer = await call("GET", path, { token: megan });
        expect(answer.status, path).toBe(200);
      }
    }
    const long = await call("GET", `/api/v1/directory/search?q=${encodeURIComponent("user01@contoso.com")}`, { token: megan });
    expect(long.body.items[0]).toMatchObject({ displayName: "Contoso User 01", match: "exact" });
  });

  it("the CSV export: a header, one row per holder, and cells that a spreadsheet would run are made plain text", async () => {
    await storeDb().prepare(`UPDATE users SET display_name = '=HYPERLINK("http://x")' WHERE id = ?1`).bind(contoso.user("diego")).run();
    const csv = await call("GET", `/api/v1/licenses/${contoso.fabrikamSign}/export.csv`, { token: megan });
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    const lines = (csv.body as string).trim().split("\n");
    expect(lines[0]).toBe("userPrincipalName,displayName,state,direct,viaGroups,since");
    expect(lines).toHaveLength(12);
    expect(lines.find((l) => l.startsWith("adele@"))).toMatch(/^adele@contoso.com,Adele Vance,active,true,Sales,2026-/);
    expect(lines.find((l) => l.startsWith("diego@"))).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect((await call("GET", `/api/v1/licenses/sub_nope/export.csv`, { token: megan })).status).toBe(404);
  });
});
