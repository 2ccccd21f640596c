/**
 * The extension in Firefox (Debian's firefox-esr, headless, over WebDriver BiDi) against a real
 * `wrangler dev` seeded with DEMO.md: the options page, local sign-in, and the popup's summary,
 * in English and light, and in Traditional Chinese and dark; each view clean in axe, and a
 * screenshot of each, test-results/e2e/firefox-*.png.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  checkLabelled,
  clickButton,
  type Firefox,
  fillLabelled,
  findFirefoxPage,
  firefoxScreenshot,
  launchFirefox,
  openFirefoxPage,
  pointAtBackend,
  sendFromPage,
  textOf,
  waitForText,
} from "./firefox-support.ts";
import { api, type Backend, removeBackend, seriousViolations, startBackend, tokenFor } from "./support.ts";

/** The popup, opened on Northwind Notes' details. */
async function openNorthwind(firefox: Firefox) {
  const popup = await openFirefoxPage(firefox, "popup.html", ".apps");
  await waitForText(popup, "Northwind Notes");
  await clickButton(popup, /Northwind Notes/);
  return popup;
}

const northwind = "sub_contoso_northwind_notes";

describe("the extension in Firefox", () => {
  let backend: Backend;
  /** A user's Northwind Notes seat ("active", "waiting" or null): the backend's own answer. */
  const holder = async (userId: string) => {
    const megan = await tokenFor(backend, "megan@contoso.com");
    const { body } = await api(backend, "GET", `/api/v1/users/${userId}/licenses`, megan);
    return body.items.find((i: { license: { id: string } }) => i.license.id === northwind)?.state ?? null;
  };
  beforeAll(async () => {
    backend = await startBackend(8799);
  });
  afterAll(() => removeBackend(backend));

  describe("in English, light", () => {
    let firefox: Firefox;
    beforeAll(async () => {
      firefox = await launchFirefox();
    });
    afterAll(() => firefox?.close());

    it("lists the demo accounts on the options page and signs in locally", async () => {
      const options = await pointAtBackend(firefox, backend, { save: /^Save$/, offering: "Megan Bowen" });
      // The demo accounts the local backend offers, each a sign-in button.
      for (const name of ["Megan Bowen", "Lidia Holloway", "Grady Archie", "Pradeep Gupta"])
        await waitForText(options, `Sign in as ${name}`);
      expect(await seriousViolations(options)).toEqual([]);
      await firefoxScreenshot(options, "options-en");
      await clickButton(options, /^Sign in as Megan Bowen/);
      await waitForText(options, "Signed in as Megan Bowen");
      await options.close();
    });

    it("draws Contoso's four apps with DEMO.md's seats in the popup", async () => {
      const popup = await openFirefoxPage(firefox, "popup.html", ".apps");
      await waitForText(popup, "Litware Chat");
      const text = await popup.evaluate(() => document.querySelector(".apps")!.textContent ?? "");
      const summary = text.replace(/\s+/g, " ");
      expect(summary).toMatch(/Fabrikam Sign.*Business.*11 of 25 assigned · 14 available/);
      expect(summary).toMatch(/Northwind Notes.*Standard.*3 of 5 assigned · 2 available/);
      expect(summary).toMatch(/Tailspin Maps.*Pro.*Suspended.*0 of 10 assigned/);
      expect(summary).toMatch(/Litware Chat.*Team.*Grace period.*5 of 20 assigned/);
      // The figures are the backend's own.
      const megan = await tokenFor(backend, "megan@contoso.com");
      const { body } = await api(backend, "GET", "/api/v1/licenses", megan);
      for (const item of body.items as { app: { name: string }; seats: { assigned: number; purchased: number } }[]) {
        expect(summary).toContain(`${item.app.name}`);
        expect(summary).toContain(`${item.seats.assigned} of ${item.seats.purchased} assigned`);
      }
      expect(await seriousViolations(popup)).toEqual([]);
      await firefoxScreenshot(popup, "popup-summary-en");
      await popup.close();
    });

    it("assigns through the assign pane: three users for two seats are refused before anything is done, one is assigned", async () => {
      const popup = await openNorthwind(firefox);
      await clickButton(popup, /^Assign licenses$/);
      const search = (await popup.waitForSelector("#assign-search"))!;
      for (const [query, name] of [
        ["adele", "Adele Vance"],
        ["user01", "Contoso User 01"],
        ["user02", "Contoso User 02"],
      ] as const) {
        await search.click({ count: 3 });
        await search.type(query);
        await popup.waitForSelector('[role="option"]');
        await search.press("Enter");
        await popup.waitForFunction((n: string) => document.querySelector(".chosen")?.textContent?.includes(n), {}, name);
      }
      // R3: the preview (a dry run) says why, and the Assign changes nothing.
      await waitForText(popup, "This needs 3 seat(s) but only 2 are available.");
      expect(await seriousViolations(popup)).toEqual([]);
      await firefoxScreenshot(popup, "popup-assign-refused");
      expect(await holder("usr_contoso_user01")).toBeNull();
      // Two taken off the list: one user, one seat.
      await clickButton(popup, /^Remove Contoso User 01$/);
      await clickButton(popup, /^Remove Contoso User 02$/);
      await waitForText(popup, "Uses 1 seat(s); 0 group member(s) will wait.");
      await clickButton(popup, /^Assign$/);
      await waitForText(popup, "Assigned to 1. 1 user(s) got a seat; 0 are waiting.");
      expect(await holder("usr_contoso_adele")).toBe("active");
      await popup.close();
    });

    it("unassigns after a confirmation", async () => {
      const popup = await openNorthwind(firefox);
      await waitForText(popup, "Adele Vance");
      await checkLabelled(popup, /Adele Vance/);
      await clickButton(popup, /^Unassign licenses \(1\)$/);
      await waitForText(popup, "Unassign the license from these 1?");
      expect(await textOf(popup, '[role="dialog"] h2')).toBe("Unassign Northwind Notes");
      expect(await seriousViolations(popup)).toEqual([]);
      await firefoxScreenshot(popup, "popup-unassign-confirm");
      // Nothing is done before the confirmation.
      expect(await holder("usr_contoso_adele")).toBe("active");
      await clickButton(popup, /^Unassign$/);
      await waitForText(popup, "Unassigned 1. 1 seat(s) released; 0 waiting user(s) got one.");
      expect(await holder("usr_contoso_adele")).toBeNull();
      await popup.close();
    });

    it("installs: the notice first, then the vendor's install page in a new tab, with the tenant and the install's id", async () => {
      const popup = await openNorthwind(firefox);
      await clickButton(popup, /^Install this product$/);
      await waitForText(
        popup,
        "You'll be redirected to the vendor's site (Northwind Traders) to install Northwind Notes in your organization's environment.",
      );
      expect(await seriousViolations(popup)).toEqual([]);
      await firefoxScreenshot(popup, "popup-install-notice");
      // The machine has no internet: the vendor's page does not load, but the tab's address is what counts.
      const opened = firefox.browser.waitForTarget((target) => target.url().includes("notes.northwind.example"), { timeout: 30_000 });
      await clickButton(popup, /^Continue to the vendor's site$/);
      // Firefox shows its error page for the address it could not reach, and names that address.
      const shown = new URL((await opened).url());
      const url = new URL(shown.protocol === "about:" ? shown.searchParams.get("u")! : shown.href);
      expect(`${url.origin}${url.pathname}`).toBe("https://notes.northwind.example/install");
      expect(url.searchParams.get("tenant")).toBe("contoso");
      expect(url.searchParams.get("install")).toMatch(/^ins\.[\w-]+\.[\w-]{36}$/);
      const megan = await tokenFor(backend, "megan@contoso.com");
      const trail = await api(backend, "GET", `/api/v1/audit?licenseId=${northwind}&limit=50`, megan);
      expect(trail.body.items.filter((e: { action: string }) => e.action === "license.install")).toHaveLength(1);
      await popup.close();
    });
    it("signs in with Microsoft through the browser's sign-in window (identity.launchWebAuthFlow)", async () => {
      const options = await openFirefoxPage(firefox, "options.html", "input");
      await fillLabelled(options, /backend address/i, backend.url);
      await fillLabelled(options, /client\) ID/, backend.entra!.clientId);
      await fillLabelled(options, /Microsoft Entra authority/, backend.entra!.authority);
      await clickButton(options, /^Save$/);
      await waitForText(options, "Sign in with Microsoft");
      await clickButton(options, /^Sign in with Microsoft$/);
      const window = await findFirefoxPage(firefox, (href) => href.startsWith(backend.entra!.authority));
      await waitForText(window, "local Microsoft Entra ID");
      await firefoxScreenshot(window, "entra-provider-sign-in");
      await clickButton(window, /^Lidia Holloway/);
      await waitForText(options, "Signed in as Lidia Holloway");
      await options.close();
    });

    it('assigns from "Assign license to …" on a selection, through the handler the menu\'s click runs', async () => {
      const popup = await openFirefoxPage(firefox, "popup.html", ".apps");
      // The menu offers Northwind Notes, which has seats available.
      const offered = await popup.evaluate(
        (id: string) =>
          (
            globalThis as unknown as { browser: { contextMenus: { update: (id: string, p: object) => Promise<void> } } }
          ).browser.contextMenus
            .update(id, {})
            .then(
              () => true,
              () => false,
            ),
        `appseats-assign:contoso:${northwind}`,
      );
      expect(offered).toBe(true);
      const answer = await sendFromPage(popup, "assignSelection", {
        tenantId: "contoso",
        licenseId: northwind,
        selection: " ben@contoso.com ",
      });
      expect(answer).toEqual({ result: "assigned", message: "Assigned a license to Ben Walters." });
      expect(await holder("usr_contoso_ben")).toBe("active");
      await popup.close();
    });

    it('opens a person\'s licenses from "Licenses of …" on a selection', async () => {
      const popup = await openFirefoxPage(firefox, "popup.html", ".apps");
      expect(await sendFromPage(popup, "openPerson", { tenantId: "contoso", selection: " diego@contoso.com " })).toEqual({ opened: true });
      const person = await findFirefoxPage(
        firefox,
        (href) => new URL(href || "about:blank").searchParams.get("person") === "usr_contoso_diego",
      );
      await waitForText(person, "Diego Siciliani");
      await waitForText(person, "Held through Sales");
      expect(await seriousViolations(person)).toEqual([]);
      await firefoxScreenshot(person, "person-licenses");
      await person.close();
      await popup.close();
    });

    it("queues a change made while the backend is unreachable, and sends it exactly once when it is back", async () => {
      const popup = await openNorthwind(firefox);
      await waitForText(popup, "Ben Walters");
      await backend.kill();
      try {
        await checkLabelled(popup, /Ben Walters/);
        await clickButton(popup, /^Unassign licenses \(1\)$/);
        await clickButton(popup, /^Unassign$/);
        await waitForText(popup, "this change is saved and will be sent");
        await firefoxScreenshot(popup, "offline-queued");
        // While the backend is down, a replay keeps it.
        expect(await sendFromPage(popup, "replayQueue", {})).toEqual({ outcomes: [], remaining: 1 });
      } finally {
        await backend.restart();
      }
      expect(await holder("usr_contoso_ben")).toBe("active");
      const [first, second] = await Promise.all([
        sendFromPage(popup, "replayQueue", { early: true }),
        sendFromPage(popup, "replayQueue", { early: true }),
      ]);
      expect(first.outcomes.map((o: { result: string }) => o.result)).toEqual(["done"]);
      expect(second).toEqual(first);
      expect(await holder("usr_contoso_ben")).toBeNull();
      const megan = await tokenFor(backend, "megan@contoso.com");
      const audit = await api(backend, "GET", `/api/v1/audit?licenseId=${northwind}`, megan);
      const unassigned = audit.body.items.filter(
        (e: { action: string; principals?: { id: string }[] }) =>
          e.action === "license.unassign" && e.principals?.[0]?.id === "usr_contoso_ben",
      );
      expect(unassigned).toHaveLength(1);
      await popup.close();
    });
  });

  describe("in Traditional Chinese, dark", () => {
    let firefox: Firefox;
    beforeAll(async () => {
      firefox = await launchFirefox({ locale: "zh-TW", dark: true });
    });
    afterAll(() => firefox?.close());

    it("signs in and shows the summary in zh_TW, in the dark scheme", async () => {
      const options = await pointAtBackend(firefox, backend, { save: /^儲存$/, offering: "Grady Archie" });
      await clickButton(options, /Grady Archie/);
      await waitForText(options, /已以 Grady Archie/);
      await options.close();
      const popup = await openFirefoxPage(firefox, "popup.html", ".apps");
      await waitForText(popup, "已指派 11／25 · 可用 14");
      await waitForText(popup, "已暫停");
      expect(await popup.evaluate(() => matchMedia("(prefers-color-scheme: dark)").matches)).toBe(true);
      expect(await seriousViolations(popup)).toEqual([]);
      await firefoxScreenshot(popup, "popup-summary-zh_TW-dark");
      await popup.close();
    });
  });
});
