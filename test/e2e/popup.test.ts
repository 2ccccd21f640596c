import type { WebhookEvent } from "@appseats/shared";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { daysAfter, demoVendorKey } from "../../worker/seed/demo.ts";
import { startWebhookReceiver, type WebhookReceiver } from "../support/webhook-receiver.ts";
import {
  api,
  type Backend,
  type Browser,
  closeAll,
  inLightAndDark,
  openPopup,
  openSignedIn,
  pageUrl,
  recordNotifications,
  screenshot,
  sendToBackground,
  seriousViolations,
  signIn,
  tokenFor,
} from "./support.js";

const northwind = "sub_contoso_northwind_notes";

describe("the popup, as Megan Bowen (GlobalAdmin)", () => {
  let backend: Backend;
  let browser: Browser;
  let megan: string;
  /** Northwind's webhook endpoint (API.md, "Vendor webhooks"), and its signing secret. */
  let receiver: WebhookReceiver;
  let webhookSecret: string;
  beforeAll(async () => {
    ({ backend, browser } = await openSignedIn(8791, "Megan Bowen"));
    megan = await tokenFor(backend, "megan@contoso.com");
    receiver = await startWebhookReceiver();
    const set = await api(backend, "PUT", "/vendor/v1/webhook", demoVendorKey("northwind"), { url: `${receiver.url}/northwind` });
    webhookSecret = set.body.secret;
  });
  afterAll(async () => {
    await receiver?.close();
    await closeAll(browser, backend);
  });

  const holder = async (userId: string) => {
    const { body } = await api(backend, "GET", `/api/v1/users/${userId}/licenses`, megan);
    return body.items.find((i: { license: { id: string } }) => i.license.id === northwind)?.state ?? null;
  };

  it("shows every app with DEMO.md's seats, its status and marks", async () => {
    const popup = await openPopup(browser);
    const apps = popup.getByRole("list", { name: "Apps and their seats" });
    await apps.getByText("Fabrikam Sign").waitFor();
    const text = await apps.innerText();
    expect(text).toMatch(/Fabrikam Sign\s+Business[\s\S]*11 of 25 assigned · 14 available/);
    expect(text).toMatch(/Northwind Notes\s+Standard\s+Few seats left[\s\S]*3 of 5 assigned · 2 available/);
    expect(text).toMatch(/Tailspin Maps\s+Pro\s+Suspended[\s\S]*0 of 10 assigned/);
    expect(text).toMatch(/Litware Chat\s+Team\s+Grace period[\s\S]*5 of 20 assigned/);
    await expect(popup.locator(".header").innerText()).resolves.toMatch(/Contoso[\s\S]*contoso\.com[\s\S]*Megan Bowen/);
    await screenshot(popup, "popup-summary-en");
    await popup.close();
  });

  it("assigns a user, then a group, through the assign pane with a dryRun preview", async () => {
    const popup = await openPopup(browser);
    await popup.getByRole("button", { name: /Northwind Notes/ }).click();
    await popup.getByRole("button", { name: "Assign licenses", exact: true }).click();
    const dialog = popup.getByRole("dialog", { name: "Assign licenses" });
    expect(await dialog.locator(".subtitle").innerText()).toBe("Northwind Notes Standard");
    const search = dialog.getByRole("combobox", { name: "Add users or groups" });
    await search.pressSequentially("adele");
    await dialog.getByRole("option", { name: /Adele Vance/ }).waitFor();
    await search.press("Enter");
    await expect(dialog.locator(".preview").getByText("Uses 1 seat(s); 0 group member(s) will wait.").waitFor()).resolves.toBeUndefined();
    await screenshot(popup, "popup-assign-preview");
    await dialog.getByRole("button", { name: "Assign", exact: true }).click();
    await dialog.getByText("Assigned to 1. 1 user(s) got a seat; 0 are waiting.").waitFor();
    await dialog.getByRole("button", { name: "Close" }).click();
    expect(await holder("usr_contoso_adele")).toBe("active");

    // A group is never refused: 1 seat left, 15 engineers; 1 gets it, 14 wait.
    await popup.getByRole("button", { name: "Assign licenses", exact: true }).click();
    await search.pressSequentially("Engineering");
    await dialog.getByRole("option", { name: /Engineering/ }).click();
    await dialog.getByText("Uses 1 seat(s); 14 group member(s) will wait.").waitFor();
    await dialog.getByRole("button", { name: "Assign", exact: true }).click();
    await dialog.getByText("Assigned to 1. 1 user(s) got a seat; 14 are waiting.").waitFor();
    await dialog.getByRole("button", { name: "Close" }).click();
    const { body } = await api(backend, "GET", "/api/v1/licenses", megan);
    expect(body.items.find((l: { id: string }) => l.id === northwind).seats).toMatchObject({ purchased: 5, assigned: 5, waiting: 14 });
    await popup.getByText("5 of 5 assigned · 0 available").first().waitFor();
    await popup.close();

    // Northwind's webhook was told, signed: each assign as license.granted; the previews told it nothing.
    const requests = await receiver.until("northwind", (list) => list.length >= 2);
    const events = requests.map((request) => new Webhook(webhookSecret).verify(request.body, request.headers) as WebhookEvent);
    expect(events.map((event) => [event.type, "via" in event.data ? event.data.via : null])).toEqual([
      ["license.granted", "direct"],
      ["license.granted", "group"],
    ]);
    expect(events[0]!.data).toMatchObject({
      subscriptionId: northwind,
      tenantId: "contoso",
      users: [{ id: "usr_contoso_adele", userPrincipalName: "adele@contoso.com" }],
    });
    expect(events[1]!.data).toMatchObject({ users: [{ id: "usr_contoso_user09" }] });
  });

  it("unassigns after a confirmation and reports the seats released and refilled", async () => {
    const popup = await openPopup(browser);
    await popup.getByRole("button", { name: /Northwind Notes/ }).click();
    await popup.getByRole("checkbox", { name: /Adele Vance/ }).check();
    await popup.getByRole("button", { name: "Unassign licenses (1)" }).click();
    const dialog = popup.getByRole("dialog", { name: "Unassign Northwind Notes" });
    await dialog.getByText("Unassign the license from these 1?", { exact: false }).waitFor();
    await screenshot(popup, "popup-unassign-confirm");
    expect(await holder("usr_contoso_adele")).toBe("active");
    await dialog.getByRole("button", { name: "Unassign", exact: true }).click();
    await dialog.getByText("Unassigned 1. 1 seat(s) released; 1 waiting user(s) got one.").waitFor();
    await dialog.getByRole("button", { name: "Close" }).click();
    expect(await holder("usr_contoso_adele")).toBeNull();
    expect(await holder("usr_contoso_user10")).toBe("active");
    await popup.close();
  });

  it("installs: told first that the vendor's site installs it in the organisation, then its install page opens in a new tab", async () => {
    const popup = await openPopup(browser);
    await popup.getByRole("button", { name: /Northwind Notes/ }).click();
    // The machine has no internet: the vendor's site answers from the test, at the network layer.
    await browser.context.route("https://notes.northwind.example/**", (route) =>
      route.fulfill({ contentType: "text/html", body: "<title>Northwind install</title>" }),
    );
    await popup.getByRole("button", { name: "Install this product" }).click();
    const notice = popup.getByRole("dialog", { name: "Install Northwind Notes" });
    expect(await notice.innerText()).toContain(
      "You'll be redirected to the vendor's site (Northwind Traders) to install Northwind Notes in your organization's environment.",
    );
    expect(await seriousViolations(popup)).toEqual([]);
    await screenshot(popup, "popup-install-notice-en");
    // Nothing has started yet: cancelling leaves no install behind.
    await notice.getByRole("button", { name: "Cancel" }).click();
    const trail = async () =>
      (await api(backend, "GET", `/api/v1/audit?licenseId=${northwind}&limit=50`, megan)).body.items.filter(
        (e: { action: string }) => e.action === "license.install",
      ).length;
    expect(await trail()).toBe(0);
    await popup.getByRole("button", { name: "Install this product" }).click();
    const [tab] = await Promise.all([
      browser.context.waitForEvent("page"),
      notice.getByRole("button", { name: "Continue to the vendor's site" }).click(),
    ]);
    await tab.waitForURL(/notes\.northwind\.example/);
    const url = new URL(tab.url());
    expect(`${url.origin}${url.pathname}`).toBe("https://notes.northwind.example/install");
    expect(url.searchParams.get("tenant")).toBe("contoso");
    expect(url.searchParams.get("install")).toMatch(/^ins\.[\w-]+\.[\w-]{36}$/);
    expect(await trail()).toBe(1);
    await tab.close();
    await popup.close();
  });

  it("works from the keyboard alone, keeps focus inside the dialog and gives it back on Escape", async () => {
    const popup = await openPopup(browser);
    await popup.getByRole("button", { name: /Fabrikam Sign/ }).waitFor();
    // The first stops are the header's; the first app follows.
    const focused = () =>
      popup.evaluate(() => (document.activeElement?.tagName === "BUTTON" ? document.activeElement.textContent : "") ?? "");
    for (let presses = 0; presses < 4 && !(await focused()).includes("Fabrikam Sign"); presses++) await popup.keyboard.press("Tab");
    expect(await focused()).toContain("Fabrikam Sign");
    await popup.keyboard.press("Enter");
    // Tab to "Assign licenses" past the back link, as a keyboard user would.
    for (let presses = 0; presses < 4 && (await focused()) !== "Assign licenses"; presses++) await popup.keyboard.press("Tab");
    expect(await focused()).toBe("Assign licenses");
    await popup.keyboard.press("Enter");
    const dialog = popup.getByRole("dialog", { name: "Assign licenses" });
    await dialog.waitFor();
    expect(await popup.evaluate(() => document.activeElement?.getAttribute("role"))).toBe("combobox");
    for (let i = 0; i < 6; i++) {
      await popup.keyboard.press("Tab");
      expect(await popup.evaluate(() => Boolean(document.activeElement?.closest("[role=dialog]")))).toBe(true);
    }
    await popup.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    await expect.poll(() => focused(), { timeout: 2000 }).toBe("Assign licenses");
    await popup.close();
  });

  it("finds no serious or critical accessibility violation in the popup and the options page (axe-core)", async () => {
    const popup = await openPopup(browser);
    await popup.getByRole("button", { name: /Fabrikam Sign/ }).waitFor();
    expect(await seriousViolations(popup)).toEqual([]);
    await popup.getByRole("button", { name: /Fabrikam Sign/ }).click();
    await popup.getByRole("heading", { name: /Who holds a seat/ }).waitFor();
    expect(await seriousViolations(popup)).toEqual([]);
    await popup.getByRole("button", { name: "Assign licenses", exact: true }).click();
    await popup.getByRole("combobox").pressSequentially("user1");
    await popup.getByRole("option").first().waitFor();
    expect(await seriousViolations(popup)).toEqual([]);
    await screenshot(popup, "popup-assign-search");
    await popup.close();

    const options = await browser.context.newPage();
    await options.goto(pageUrl(browser, "options.html"));
    await options.getByRole("button", { name: /Sign in as Megan Bowen/ }).waitFor();
    expect(await seriousViolations(options)).toEqual([]);
    await screenshot(options, "options-en");
    await options.close();
  });

  it("opens on its last view, drawn before its script has run, then brings the figures up to date; not one drawn by another version", async () => {
    const first = await openPopup(browser);
    await first.getByText("11 of 25 assigned · 14 available").waitFor();
    // The summary with fresh figures is kept, as drawn, for the next opening.
    await first.waitForFunction(() => JSON.parse(localStorage.getItem("appseats:last-view") ?? "{}").firstView !== undefined);
    await first.close();
    const fabrikam = "sub_contoso_fabrikam_sign";
    expect((await api(backend, "PUT", `/vendor/v1/subscriptions/${fabrikam}`, demoVendorKey("fabrikam"), { quantity: 30 })).status).toBe(
      200,
    );

    // What a popup shows the first time its apps are on screen, recorded before any of its scripts run.
    await browser.context.addInitScript(() => {
      if (!location.pathname.endsWith("/popup.html")) return;
      const observer = new MutationObserver(() => {
        const app = document.getElementById("app");
        if (!app?.querySelector(".apps")) return;
        observer.disconnect();
        Object.assign(globalThis, {
          firstDrawn: {
            byFirstView: app.dataset.firstView === "shown",
            status: app.querySelector(".status")?.textContent,
            apps: app.querySelector(".apps")?.textContent,
          },
        });
      });
      observer.observe(document, { childList: true, subtree: true });
    });
    const popup = await openPopup(browser);
    await popup.waitForFunction(() => "firstDrawn" in globalThis);
    const firstDrawn = await popup.evaluate(
      () => (globalThis as unknown as { firstDrawn: { byFirstView: boolean; status: string; apps: string } }).firstDrawn,
    );
    expect(firstDrawn.byFirstView).toBe(true);
    expect(firstDrawn.status).toMatch(/^Showing saved figures from .+; refreshing may change them\.$/);
    expect(firstDrawn.apps).toContain("11 of 25 assigned · 14 available");

    // The popup takes the first view over: the new figures, one list, and it answers clicks.
    await popup.getByText("11 of 30 assigned · 19 available").waitFor();
    await popup.getByRole("status").getByText("Up to date").waitFor();
    expect(await popup.locator(".apps").count()).toBe(1);
    expect(await popup.locator(".apps > li").count()).toBe((await api(backend, "GET", "/api/v1/licenses", megan)).body.items.length);
    await popup.getByRole("button", { name: /Fabrikam Sign/ }).click();
    await popup.getByRole("button", { name: "Assign licenses", exact: true }).waitFor();

    // Drawn by another version of the extension (or in another language), it is not shown again.
    await popup.evaluate(() => {
      const lastView = JSON.parse(localStorage.getItem("appseats:last-view")!);
      lastView.firstView.drawnFor = "en 0.0.1";
      localStorage.setItem("appseats:last-view", JSON.stringify(lastView));
    });
    await popup.close();
    const redrawn = await openPopup(browser);
    await redrawn.waitForFunction(() => "firstDrawn" in globalThis);
    expect(await redrawn.evaluate(() => (globalThis as unknown as { firstDrawn: { byFirstView: boolean } }).firstDrawn.byFirstView)).toBe(
      false,
    );
    await redrawn.getByText("11 of 30 assigned · 19 available").waitFor();
    await redrawn.close();
    expect((await api(backend, "PUT", `/vendor/v1/subscriptions/${fabrikam}`, demoVendorKey("fabrikam"), { quantity: 25 })).status).toBe(
      200,
    );
  });

  it("keeps the badge and cache current in the background: three apps need attention", async () => {
    const badge = await browser.worker.evaluate(async () => {
      await (globalThis as unknown as { chrome: { alarms: unknown } }).chrome.alarms;
      return (globalThis as unknown as { chrome: { action: { getBadgeText: (d: object) => Promise<string> } } }).chrome.action.getBadgeText(
        {},
      );
    });
    // Litware Chat (grace period), Northwind Notes (no seats left), Tailspin Maps (suspended).
    expect(badge).toBe("3");
  });
  it("tells a renewal 30 days ahead: marked, counted in the badge with the people waiting, one notification with the seats used", async () => {
    const fabrikamSign = "sub_contoso_fabrikam_sign";
    const page = await openPopup(browser);
    const refresh = () => sendToBackground(page, "refresh");
    // Whatever renewal the demo has near (Litware Chat's) is told by now.
    await refresh();
    // Midnight (UTC) twelve days from today: the demo's own dates are relative to its seeding, this one is the test's.
    const renewsAt = daysAfter(Date.now(), 12);
    expect(
      (await api(backend, "PUT", `/vendor/v1/subscriptions/${fabrikamSign}`, demoVendorKey("fabrikam"), { renewsAt })).body.renewsAt,
    ).toBe(renewsAt);
    const summary = (await api(backend, "GET", "/api/v1/licenses", megan)).body.items as {
      id: string;
      seats: { assigned: number; purchased: number; waiting: number };
    }[];
    const seats = summary.find((l) => l.id === fabrikamSign)!.seats;
    const waiting = summary.reduce((sum, l) => sum + l.seats.waiting, 0);

    const made = await recordNotifications(browser);
    await refresh();
    const notices = await made();
    expect(notices.map(([id]) => id)).toEqual([`renewal:contoso:${fabrikamSign}:${renewsAt}`]);
    const day = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeZone: "UTC" }).format(new Date(renewsAt));
    expect(notices[0]![1].title).toBe(`Fabrikam Sign renews on ${day}`);
    const percent = Math.round((seats.assigned / seats.purchased) * 100);
    expect(notices[0]![1].message).toBe(
      `In 12 day(s): ${seats.assigned} of ${seats.purchased} seats are used (${percent}%). ` +
        "To change the quantity before it renews, contact Fabrikam, Inc. (https://fabrikam.example/support).",
    );
    // Told once: the next refreshes say nothing more of it.
    await refresh();
    expect(await made()).toHaveLength(1);

    // Four apps need attention now; the title says who waits and what renews (Litware Chat's, from the seed, too).
    const action = await browser.worker.evaluate(async () => {
      const chrome = (
        globalThis as unknown as {
          chrome: { action: { getBadgeText: (d: object) => Promise<string>; getTitle: (d: object) => Promise<string> } };
        }
      ).chrome;
      return { badge: await chrome.action.getBadgeText({}), title: await chrome.action.getTitle({}) };
    });
    expect(action.badge).toBe("4");
    expect(action.title).toBe(`AppSeats: 4 app(s) need attention · ${waiting} waiting for a seat · 2 renewal(s) within 30 days`);

    // The notification opens the license's details, where the renewal and the seats used are.
    const details = await browser.context.newPage();
    await details.goto(pageUrl(browser, `popup.html?details=${fabrikamSign}`));
    await details.getByRole("heading", { name: /Fabrikam Sign/ }).waitFor();
    expect(await details.locator(".details h2").innerText()).toContain("Renews in 12 day(s)");
    expect(await details.locator(".details .renewal").innerText()).toBe(
      `Renews on ${day} · ${seats.assigned} of ${seats.purchased} seats used (${percent}%)`,
    );
    await inLightAndDark(details, "workbench-renewal-en");
    await details.close();
    await page.close();
    await api(backend, "PUT", `/vendor/v1/subscriptions/${fabrikamSign}`, demoVendorKey("fabrikam"), {
      renewsAt: new Date(Date.now() + 365 * 86_400_000).toISOString(),
    });
  });

  it("shows a license's history, newest first, with who did it, by keyboard, clean in axe", async () => {
    const tailspin = "sub_contoso_tailspin_maps";
    await api(backend, "PUT", `/vendor/v1/subscriptions/${tailspin}`, demoVendorKey("tailspin"), { quantity: 11 });
    const popup = await openPopup(browser);
    await popup.getByRole("button", { name: /Tailspin Maps/ }).click();
    const history = popup.locator("details.history summary");
    await history.focus();
    await popup.keyboard.press("Enter");
    const events = popup.getByRole("list", { name: "History" });
    await events.getByRole("listitem").first().waitFor();
    const first = await events.getByRole("listitem").first().innerText();
    expect(first).toContain("Subscription changed");
    expect(first).toContain("Tailspin Toys (the vendor)");
    expect(first).toContain("quantity 10 → 11");
    await popup.getByRole("button", { name: /All apps/ }).click();

    // Northwind Notes: the assignments the tests above made, by Megan Bowen.
    await popup.getByRole("button", { name: /Northwind Notes/ }).click();
    await popup.locator("details.history summary").click();
    const northwindEvents = popup.getByRole("list", { name: "History" });
    await northwindEvents.getByRole("listitem").first().waitFor();
    expect(await northwindEvents.innerText()).toContain("Assigned");
    expect(await northwindEvents.innerText()).toContain("Megan Bowen");
    await inLightAndDark(popup, "workbench-history-en");
    await popup.close();
    await api(backend, "PUT", `/vendor/v1/subscriptions/${tailspin}`, demoVendorKey("tailspin"), { quantity: 10 });
  });

  it('a person\'s licenses, from "Licenses of …" on a selection: direct ones unassigned after confirming, group ones explained', async () => {
    const page = await openPopup(browser);
    const opened = browser.context.waitForEvent("page");
    const answer = await sendToBackground<{ opened: boolean }>(page, "openPerson", {
      tenantId: "contoso",
      selection: " diego@contoso.com ",
    });
    expect(answer.opened).toBe(true);
    const person = await opened;
    expect(new URL(person.url()).searchParams.get("person")).toBe("usr_contoso_diego");
    await person.getByRole("heading", { name: /Diego Siciliani/ }).waitFor();
    const licenses = person.locator(".person .holders");
    await licenses.getByText("Northwind Notes", { exact: true }).waitFor();
    expect(await licenses.innerText()).toContain("Through Sales");
    expect(await person.getByText("Held through Sales", { exact: false }).count()).toBe(1);
    await inLightAndDark(person, "workbench-person-en");

    await person.getByRole("button", { name: "Unassign Northwind Notes" }).click();
    await person
      .getByRole("dialog")
      .getByRole("button", { name: /^Unassign/ })
      .click();
    await person.getByRole("dialog").getByRole("button", { name: "Close" }).click();
    await licenses.getByText("Fabrikam Sign", { exact: true }).waitFor();
    await expect.poll(async () => licenses.getByText("Northwind Notes", { exact: true }).count()).toBe(0);
    expect(await holder("usr_contoso_diego")).toBeNull();
    await person.close();
    await page.close();
    await api(backend, "POST", `/api/v1/licenses/${northwind}/assign`, megan, { principals: [{ type: "user", id: "usr_contoso_diego" }] });

    // From a license's details: the people listed open the same view.
    const popup = await openPopup(browser);
    await popup.getByRole("button", { name: /Fabrikam Sign/ }).click();
    await popup.getByRole("button", { name: "Adele Vance" }).click();
    await popup.getByRole("heading", { name: /Adele Vance/ }).waitFor();
    expect(await popup.locator(".person .holders").innerText()).toContain("Fabrikam Sign");
    await popup.close();
  });

  it("loads no image from a vendor: icons come from the worker and are kept as data: URLs", async () => {
    const vendorHost = "cdn.northwind.example";
    const database = backend.database();
    database.prepare(`UPDATE apps SET icon_url = ? WHERE id = 'app_northwind'`).run(`https://${vendorHost}/notes.png`);
    database.close();
    const requested: string[] = [];
    browser.context.on("request", (request) => requested.push(request.url()));
    const popup = await openPopup(browser);
    await popup.getByRole("status").getByText("Up to date").waitFor();
    await sendToBackground(popup, "refresh");
    // The background asked the worker, which could not reach the vendor here (no network): it keeps that, and asks again tomorrow.
    const kept = await browser.worker.evaluate(async () => {
      const chrome = (globalThis as unknown as { chrome: { storage: { local: { get: (k: string) => Promise<any> } } } }).chrome;
      return (await chrome.storage.local.get("icons")).icons;
    });
    expect(kept.app_northwind).toMatchObject({ url: `https://${vendorHost}/notes.png`, dataUrl: null });
    expect(requested.filter((url) => url.includes(vendorHost))).toEqual([]);
    const sources = await popup.evaluate(() => [...document.querySelectorAll("img")].map((img) => img.getAttribute("src") ?? ""));
    expect(sources.every((src) => src.startsWith("data:") || src.startsWith("chrome-extension:"))).toBe(true);
    // The extension's pages allow no other image.
    const manifest = await browser.worker.evaluate(() =>
      (globalThis as unknown as { chrome: { runtime: { getManifest: () => any } } }).chrome.runtime.getManifest(),
    );
    expect(manifest.content_security_policy.extension_pages).toContain("img-src 'self' data:");
    await popup.close();
  });
  it("lists the seats to reclaim with their reasons — a disabled account, an idle one — and reclaims the direct ones", async () => {
    expect((await api(backend, "PATCH", "/api/v1/directory/users/usr_contoso_alex", megan, { accountEnabled: false })).status).toBe(200);
    const fortyDaysAgo = new Date(Date.now() - 40 * 24 * 3600_000).toISOString();
    const database = backend.stores().get("contoso")!;
    database
      .prepare(`INSERT INTO usage_checks (subscription_id, user_id, last_asked_at) VALUES (?, 'usr_contoso_lidia', ?)`)
      .run(northwind, fortyDaysAgo);
    database.close();

    const popup = await openPopup(browser);
    await popup.getByRole("button", { name: /Northwind Notes/ }).click();
    await popup.locator("details.reclaim summary").click();
    const list = popup.getByRole("list", { name: "Seats to reclaim" });
    await list.getByRole("listitem").first().waitFor();
    const items = await list.getByRole("listitem").allInnerTexts();
    const itemOf = (name: string) => items.find((item) => item.includes(name)) ?? "";
    expect(items[0]).toContain("Alex Wilber");
    expect(itemOf("Alex Wilber")).toContain("Account disabled");
    expect(itemOf("Lidia Holloway")).toContain("The vendor last asked about them on");
    // Any other seat listed is one DEMO.md gave long ago that the vendor never asked about.
    for (const item of items.filter((i) => !i.includes("Alex Wilber") && !i.includes("Lidia Holloway"))) {
      expect(item).toContain("The vendor has never asked about them since they got the seat");
    }
    await inLightAndDark(popup, "workbench-reclaim-en");

    await popup.getByRole("button", { name: `Reclaim ${items.length} seat(s)` }).click();
    const dialog = popup.getByRole("dialog");
    await dialog.getByRole("button", { name: "Unassign", exact: true }).click();
    await dialog.getByRole("button", { name: "Close" }).click();
    expect(await holder("usr_contoso_alex")).toBeNull();
    expect(await holder("usr_contoso_lidia")).toBeNull();
    const trail = await api(backend, "GET", `/api/v1/audit?licenseId=${northwind}&limit=5`, megan);
    expect(trail.body.items.map((e: { action: string }) => e.action)).toContain("license.unassign");
    await popup.close();
  });
  it("imports a CSV of 200 rows, unknown names among them: a preview first, then assigns with progress and a result per row", async () => {
    const fabrikamSign = "sub_contoso_fabrikam_sign";
    const rows = Array.from({ length: 200 }, (_, i) =>
      i < 40
        ? `user${String(i + 1).padStart(2, "0")}@contoso.com`
        : i < 190
          ? `nobody${i}@contoso.com`
          : `USER${String(i - 189).padStart(2, "0")}@contoso.com`,
    );
    const popup = await openPopup(browser);
    await popup.getByRole("button", { name: /Fabrikam Sign/ }).click();
    await popup.getByRole("button", { name: "Import from CSV" }).click();
    const dialog = popup.getByRole("dialog");
    await dialog.getByLabel("Choose a CSV file").setInputFiles({
      name: "people.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(`userPrincipalName\r\n${rows.join("\r\n")}\r\n`),
    });
    await expect.poll(() => dialog.getByRole("button", { name: "Preview" }).isEnabled()).toBe(true);
    await dialog.getByRole("button", { name: "Preview" }).click();
    // Sales (user01 … user08) holds it already; 14 seats for the 32 others (R3: a user assigned directly needs one).
    await dialog
      .getByText("32 would get the license, 8 already have it, 150 are not in your organisation, 10 are repeated or empty.")
      .waitFor();
    await dialog.getByText("Only 14 seat(s) are available for 32: the first 14 rows are assigned.", { exact: false }).waitFor();
    expect(await dialog.locator("tbody tr").count()).toBe(200);
    expect(await dialog.locator("tbody tr").nth(40).innerText()).toContain("Not in your organisation");
    await inLightAndDark(popup, "workbench-import-preview-en");

    await dialog.getByRole("button", { name: "Assign the first 14" }).click();
    await dialog.getByText("Assigned 14 of 14").waitFor();
    await dialog.getByRole("button", { name: "Close" }).waitFor();
    const results = await dialog.locator("tbody tr td:nth-child(3)").allInnerTexts();
    expect(results.filter((r) => r === "Assigned: holds a seat")).toHaveLength(14);
    expect(results.filter((r) => r === "Not assigned: no seat left")).toHaveLength(18);
    await inLightAndDark(popup, "workbench-import-result-en");
    const { body } = await api(backend, "GET", "/api/v1/licenses", megan);
    expect(body.items.find((l: { id: string }) => l.id === fabrikamSign).seats).toMatchObject({ purchased: 25, assigned: 25, waiting: 0 });
    expect(
      (await api(backend, "GET", "/api/v1/users/usr_contoso_user22/licenses", megan)).body.items.map(
        (i: { license: { id: string } }) => i.license.id,
      ),
    ).toContain(fabrikamSign);
    await popup.close();
  });
});

describe("the popup, as Grady Archie (GlobalReader), in Traditional Chinese and dark", () => {
  let backend: Backend;
  let browser: Browser;
  beforeAll(async () => {
    ({ backend, browser } = await openSignedIn(8792, "Grady Archie", { locale: "zh-TW", colorScheme: "dark" }));
  });
  afterAll(() => closeAll(browser, backend));

  it("shows the summary in zh_TW", async () => {
    const popup = await openPopup(browser);
    const apps = popup.getByRole("list", { name: "應用程式與席位" });
    await apps.getByText("Fabrikam Sign").waitFor();
    expect(await apps.innerText()).toContain("已指派 11／25 · 可用 14");
    expect(await apps.innerText()).toContain("已暫停");
    // The page says which language its text is in, for screen readers.
    expect(await popup.evaluate(() => document.documentElement.lang)).toBe("zh-TW");
    await screenshot(popup, "popup-summary-zh_TW-dark");
    await popup.close();
  });

  it("disables what a GlobalReader may not do, and says why", async () => {
    const popup = await openPopup(browser);
    await popup.getByRole("button", { name: /Fabrikam Sign/ }).click();
    const assign = popup.getByRole("button", { name: "指派授權", exact: true });
    await assign.waitFor();
    expect(await assign.isDisabled()).toBe(true);
    expect(await popup.getByRole("button", { name: /取消指派授權/ }).isDisabled()).toBe(true);
    expect(await popup.getByRole("button", { name: "安裝此產品" }).isDisabled()).toBe(true);
    expect(await popup.locator("#assign-blocked").innerText()).toContain("全域讀取者");
    expect(await assign.getAttribute("aria-describedby")).toBe("assign-blocked");
    expect(await popup.getByRole("checkbox").first().isDisabled()).toBe(true);
    expect(await seriousViolations(popup)).toEqual([]);
    await screenshot(popup, "popup-details-reader-zh_TW-dark");
    await popup.close();
  });

  it("shows a license's history in zh_TW", async () => {
    const fabrikamSign = "sub_contoso_fabrikam_sign";
    await api(backend, "PUT", `/vendor/v1/subscriptions/${fabrikamSign}`, demoVendorKey("fabrikam"), { quantity: 26 });
    await api(backend, "PUT", `/vendor/v1/subscriptions/${fabrikamSign}`, demoVendorKey("fabrikam"), { quantity: 25 });
    const popup = await openPopup(browser);
    await popup.getByRole("button", { name: /Fabrikam Sign/ }).click();
    await popup.locator("details.history summary").click();
    const events = popup.getByRole("list", { name: "歷程記錄" });
    await events.getByRole("listitem").first().waitFor();
    expect(await events.innerText()).toContain("訂閱已變更");
    expect(await events.innerText()).toContain("Fabrikam, Inc.（廠商）");
    await inLightAndDark(popup, "workbench-history-zh_TW");
    await popup.close();
  });

  it('shows a person\'s licenses from "Licenses of …" in zh_TW', async () => {
    const page = await openPopup(browser);
    const opened = browser.context.waitForEvent("page");
    await sendToBackground(page, "openPerson", { tenantId: "contoso", selection: "陳美玲" });
    const person = await opened;
    await person.getByRole("heading", { name: /陳美玲/ }).waitFor();
    const licenses = person.locator(".person .holders");
    await licenses.getByText("Litware Chat", { exact: true }).waitFor();
    expect(await licenses.innerText()).toContain("透過 Design");
    await inLightAndDark(person, "workbench-person-zh_TW");
    await person.close();
    await page.close();
  });

  it("lists the seats to reclaim in zh_TW: a disabled account held through a group", async () => {
    const popup = await openPopup(browser);
    await popup.getByRole("button", { name: /Litware Chat/ }).click();
    await popup.locator("details.reclaim summary").click();
    const list = popup.getByRole("list", { name: "可回收的席位" });
    await list.getByRole("listitem").first().waitFor();
    const items = await list.getByRole("listitem").allInnerTexts();
    expect(items.find((item) => item.includes("Joni Sherman"))).toContain("帳戶已停用");
    await inLightAndDark(popup, "workbench-reclaim-zh_TW");
    await popup.close();
  });

  it("tells a renewal in zh_TW: the notification and the license's renewal line", async () => {
    const northwind = "sub_contoso_northwind_notes";
    const renewsAt = daysAfter(Date.now(), 5);
    const made = await recordNotifications(browser);
    await api(backend, "PUT", `/vendor/v1/subscriptions/${northwind}`, demoVendorKey("northwind"), { renewsAt });
    const popup = await openPopup(browser);
    await sendToBackground(popup, "refresh");
    const notices = await made();
    const day = new Intl.DateTimeFormat("zh-TW", { dateStyle: "medium", timeZone: "UTC" }).format(new Date(renewsAt));
    const notice = notices.find(([id]) => id.includes(northwind))?.[1];
    expect(notice?.title).toBe(`Northwind Notes 將於 ${day} 續約`);
    expect(notice?.message).toBe(
      "還有 5 天：已使用 5 個席位中的 3 個（60%）。若要在續約前變更數量，請洽詢 Northwind Traders（sales@northwind.example）。",
    );
    await popup.getByRole("button", { name: /Northwind Notes/ }).click();
    await popup.locator(".details .renewal").waitFor();
    expect(await popup.locator(".details h2").innerText()).toContain("5 天後續約");
    expect(await popup.locator(".details .renewal").innerText()).toBe(`續約日期：${day} · 已使用 5 個席位中的 3 個（60%）`);
    expect(await popup.locator(".details .eyebrow").innerText()).toBe("授權詳細資料");
    await inLightAndDark(popup, "workbench-renewal-zh_TW");
    await popup.close();
  });

  it("previews a CSV import in zh_TW", async () => {
    await signIn(browser, backend, "Megan Bowen");
    const popup = await openPopup(browser);
    await popup.getByRole("button", { name: /Litware Chat/ }).click();
    await popup.getByRole("button", { name: "從 CSV 匯入" }).click();
    const dialog = popup.getByRole("dialog");
    await dialog.getByLabel("或貼上各列").fill("電子郵件\nadele@contoso.com\nnobody@contoso.com\nmeiling@contoso.com");
    await dialog.getByRole("button", { name: "預覽" }).click();
    await dialog.getByText("1 位將取得授權，1 位已有授權，1 位不在貴組織中，0 列重複或空白。").waitFor();
    await inLightAndDark(popup, "workbench-import-zh_TW");
    await popup.close();
  });

  it("tells a refusal in the admin's language: a preview needing more seats than are free, in zh_TW", async () => {
    await signIn(browser, backend, "Megan Bowen");
    const popup = await openPopup(browser);
    await popup.getByRole("button", { name: /Northwind Notes/ }).click();
    await popup.getByRole("button", { name: "指派授權", exact: true }).click();
    const search = popup.getByRole("combobox");
    for (const name of ["adele", "ben", "grady"]) {
      await search.pressSequentially(name);
      await popup.getByRole("option").first().waitFor();
      await search.press("Enter");
    }
    const dialog = popup.getByRole("dialog", { name: "指派授權" });
    await dialog.getByText("需要 3 個席位，但只剩 2 個可用。", { exact: false }).waitFor();
    // The quantity line, with the vendor's contact: only the vendor adds seats (R9).
    expect(await dialog.locator(".preview").innerText()).toContain(
      "協力廠商應用程式授權是由應用程式廠商（Northwind Traders）所管理。請洽詢廠商（sales@northwind.example），以新增或移除授權。",
    );
    expect(await dialog.getByRole("button", { name: "指派", exact: true }).isDisabled()).toBe(true);
    await screenshot(popup, "popup-assign-refused-zh_TW-dark");
    await popup.close();
  });
});
