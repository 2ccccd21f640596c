import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoVendorKey } from "../../worker/seed/demo.ts";
import {
  api,
  type Backend,
  type Browser,
  closeAll,
  openPopup,
  openSignedIn,
  screenshot,
  sendToBackground,
  signIn,
  tokenFor,
} from "./support.js";

const northwind = "sub_contoso_northwind_notes";

describe("the background, as Megan Bowen", () => {
  let backend: Backend;
  let browser: Browser;
  let megan: string;
  beforeAll(async () => {
    ({ backend, browser } = await openSignedIn(8793, "Megan Bowen"));
    megan = await tokenFor(backend, "megan@contoso.com");
  });
  afterAll(() => closeAll(browser, backend));

  const stateOf = async (user: string) => {
    const { body } = await api(backend, "GET", `/api/v1/users/usr_contoso_${user}/licenses`, megan);
    return body.items.find((i: { license: { id: string } }) => i.license.id === northwind)?.state ?? null;
  };

  /** Whether the right-click menu has this item (update fails for an item that does not exist). */
  const hasItem = (itemId: string) =>
    browser.worker.evaluate(async (id) => {
      const menus = (globalThis as unknown as { chrome: { contextMenus: { update: (id: string, p: object) => Promise<void> } } }).chrome
        .contextMenus;
      return menus.update(id, {}).then(
        () => true,
        () => false,
      );
    }, itemId);
  /** An app offered for assignment; `full`: shown greyed with the quantity line, not offered. */
  const hasMenuItem = (licenseId: string) => hasItem(`appseats-assign:contoso:${licenseId}`);
  const hasFullItem = (licenseId: string) => hasItem(`appseats-full:contoso:${licenseId}`);

  it("the menu offers the apps with seats available that the admin may assign", async () => {
    const page = await openPopup(browser);
    await sendToBackground(page, "refresh", {});
    expect(await hasMenuItem("sub_contoso_fabrikam_sign")).toBe(true);
    expect(await hasMenuItem(northwind)).toBe(true);
    expect(await hasMenuItem("sub_contoso_litware_chat")).toBe(true);
    expect(await hasMenuItem("sub_contoso_tailspin_maps")).toBe(false);
    await page.close();
  });

  it("after the popup has cached fresh figures, the menu follows the cache without asking the backend; a refresh asks it again", async () => {
    const page = await openPopup(browser);
    // The popup's own fetch is done (it caches what it fetched): nothing writes the cache below but the test.
    await page.getByRole("status").getByText("Up to date").waitFor();
    await sendToBackground(page, "refresh", {});
    // As if the popup had just cached Northwind Notes with no seat left (the backend still has some).
    await page.evaluate(async (id) => {
      const local = (
        globalThis as unknown as { chrome: { storage: { local: { get: (k: string) => Promise<any>; set: (v: object) => Promise<void> } } } }
      ).chrome.storage.local;
      const cached = (await local.get("summary:contoso"))["summary:contoso"];
      const item = cached.summary.items.find((l: { id: string }) => l.id === id);
      item.seats = { ...item.seats, assigned: item.seats.purchased, available: 0 };
      await local.set({ "summary:contoso": cached });
    }, northwind);
    await sendToBackground(page, "cacheChanged", {});
    expect(await hasMenuItem(northwind)).toBe(false);
    // Full, it is still named, greyed, with who to ask for more seats.
    expect(await hasFullItem(northwind)).toBe(true);
    await sendToBackground(page, "refresh", {});
    expect(await hasMenuItem(northwind)).toBe(true);
    expect(await hasFullItem(northwind)).toBe(false);
    await page.close();
  });

  it("the context-menu handler assigns adele@contoso.com to Northwind Notes and notifies", async () => {
    const page = await openPopup(browser);
    const answer = await sendToBackground(page, "assignSelection", {
      tenantId: "contoso",
      licenseId: northwind,
      selection: " adele@contoso.com ",
    });
    expect(answer).toEqual({ result: "assigned", message: "Assigned a license to Adele Vance." });
    expect(await stateOf("adele")).toBe("active");
    // The menu and badge follow: Northwind Notes has one seat left now.
    const { body } = await api(backend, "GET", "/api/v1/licenses", megan);
    expect(body.items.find((l: { id: string }) => l.id === northwind).seats.available).toBe(1);
    await page.close();
  });

  it("when seats ran out since the menu was built, the refusal names the vendor and how to reach them", async () => {
    const vendor = demoVendorKey("northwind");
    const { body } = await api(backend, "GET", `/vendor/v1/subscriptions/${northwind}`, vendor);
    await api(backend, "PUT", `/vendor/v1/subscriptions/${northwind}`, vendor, { quantity: body.seats.assigned });
    const page = await openPopup(browser);
    const answer = await sendToBackground(page, "assignSelection", {
      tenantId: "contoso",
      licenseId: northwind,
      selection: "ben@contoso.com",
    });
    expect(answer.result).toBe("failed");
    expect(answer.message).toBe(
      "This needs 1 seat(s) but only 0 are available. Unassign someone, or ask the vendor for more. " +
        "Third-party app licenses are managed by the app vendor (Northwind Traders). Contact the vendor (sales@northwind.example) to add or remove licenses.",
    );
    expect(await stateOf("ben")).toBeNull();
    await api(backend, "PUT", `/vendor/v1/subscriptions/${northwind}`, vendor, { quantity: body.seats.purchased });
    await page.close();
  });

  it("a selection that matches several users opens the assign pane prefilled with the text", async () => {
    const page = await openPopup(browser);
    const [window, answer] = await Promise.all([
      browser.context.waitForEvent("page"),
      sendToBackground(page, "assignSelection", { tenantId: "contoso", licenseId: northwind, selection: "Contoso User" }),
    ]);
    expect(answer.result).toBe("choose");
    await window.waitForLoadState();
    expect(window.url()).toContain(`license=${northwind}`);
    const search = window.getByRole("combobox", { name: "Add users or groups" });
    await search.waitFor();
    expect(await search.inputValue()).toBe("Contoso User");
    await window.getByRole("option").first().waitFor();
    await screenshot(window, "assign-pane-from-menu");
    await window.close();
    await page.close();
  });

  it("a change made while the backend is unreachable is queued, then replayed exactly once when it is back", async () => {
    const popup = await openPopup(browser);
    await popup.getByRole("button", { name: /Northwind Notes/ }).click();
    await popup.getByRole("checkbox", { name: /Lidia Holloway/ }).waitFor();

    await backend.kill();
    await popup.getByRole("checkbox", { name: /Lidia Holloway/ }).check();
    await popup.getByRole("button", { name: "Unassign licenses (1)" }).click();
    await popup.getByRole("dialog").getByRole("button", { name: "Unassign", exact: true }).click();
    await popup.getByText("this change is saved and will be sent", { exact: false }).waitFor();
    await screenshot(popup, "offline-queued");
    const queued = await browser.worker.evaluate(async () => {
      const { queue } = await (
        globalThis as unknown as { chrome: { storage: { local: { get: (k: string) => Promise<any> } } } }
      ).chrome.storage.local.get("queue");
      return queue;
    });
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ verb: "unassign", licenseId: northwind, principals: [{ id: "usr_contoso_lidia" }] });

    // Opened while the backend is down, the popup shows the cached figures at once and says so.
    const cachedView = await openPopup(browser);
    await cachedView.getByText("AppSeats can't be reached. Showing saved figures from", { exact: false }).waitFor();
    expect(await cachedView.getByRole("list", { name: "Apps and their seats" }).innerText()).toContain("Fabrikam Sign");
    await screenshot(cachedView, "popup-unreachable-cached");
    await cachedView.close();

    // While the backend is down, a replay keeps the change queued.
    expect(await sendToBackground(popup, "replayQueue", {})).toEqual({ outcomes: [], remaining: 1 });

    await backend.restart();
    expect(await stateOf("lidia")).toBe("active");
    // The change waits out its failed try (core/queue.ts); a page that has just reached the backend sends it at once.
    const [first, second] = await Promise.all([
      sendToBackground(popup, "replayQueue", { early: true }),
      sendToBackground(popup, "replayQueue", { early: true }),
    ]);
    expect(first.outcomes).toHaveLength(1);
    expect(first.outcomes[0].result).toBe("done");
    expect(second).toEqual(first);
    expect(await sendToBackground(popup, "replayQueue", {})).toEqual({ outcomes: [], remaining: 0 });

    expect(await stateOf("lidia")).toBeNull();
    const audit = await api(backend, "GET", `/api/v1/audit?licenseId=${northwind}`, megan);
    const unassigns = audit.body.items.filter((e: { action: string }) => e.action === "license.unassign");
    expect(unassigns).toHaveLength(1);
    expect(unassigns[0].principals).toEqual([{ type: "user", id: "usr_contoso_lidia" }]);
    await popup.close();
  });
});

describe("signing out", () => {
  let backend: Backend;
  let browser: Browser;
  beforeAll(async () => {
    ({ backend, browser } = await openSignedIn(8794, "Megan Bowen"));
    await signIn(browser, backend, "Pradeep Gupta");
  });
  afterAll(() => closeAll(browser, backend));

  const actionPopup = () =>
    browser.worker.evaluate(() =>
      (globalThis as unknown as { chrome: { action: { getPopup: (d: object) => Promise<string> } } }).chrome.action.getPopup({}),
    );

  it("two tenants signed in: the popup switches between them; signing out of one leaves the other", async () => {
    const popup = await openPopup(browser);
    const switcher = popup.getByRole("combobox", { name: "Organisation" });
    await switcher.waitFor();
    // The last signed in (Fabrikam) is the last used, so it is current.
    expect(await switcher.inputValue()).toBe("fabrikam");
    await popup.getByText("1 of 10 assigned", { exact: false }).waitFor();
    await switcher.selectOption("contoso");
    await popup.getByText("11 of 25 assigned", { exact: false }).waitFor();
    await popup.close();

    const options = await browser.context.newPage();
    await options.goto(`chrome-extension://${browser.extensionId}/options.html`);
    await options.getByRole("button", { name: "Sign out of Contoso" }).click();
    await options.getByText("Signed out.").waitFor();
    const sessions = await browser.worker.evaluate(async () => {
      const area = (globalThis as unknown as { chrome: { storage: { session: { get: (k: string) => Promise<any> } } } }).chrome.storage
        .session;
      return Object.keys((await area.get("sessions")).sessions);
    });
    expect(sessions).toEqual(["fabrikam"]);
    await options.close();

    // Not even the first view, drawn while Contoso was signed in, offers it.
    const after = await openPopup(browser);
    await after.getByText("1 of 10 assigned", { exact: false }).waitFor();
    expect(await after.getByRole("combobox", { name: "Organisation" }).count()).toBe(0);
    expect(await after.evaluate(() => document.getElementById("app")?.dataset.firstView)).toBeUndefined();
    await after.getByRole("status").getByText("Up to date").waitFor();
    await after.close();

    // Signed in again, the next opening draws the switcher afresh, not the first view without it.
    await signIn(browser, backend, "Megan Bowen");
    const again = await openPopup(browser);
    await again.getByRole("combobox", { name: "Organisation" }).waitFor();
    expect(await again.evaluate(() => document.getElementById("app")?.dataset.firstView)).toBeUndefined();
    await again.close();
  });

  it("cached figures end with the session: once the browser has forgotten it, nothing cached is drawn, and it is dropped", async () => {
    const popup = await openPopup(browser);
    await popup.getByRole("status").getByText("Up to date").waitFor();
    await popup.waitForFunction(() => JSON.parse(localStorage.getItem("appseats:last-view") ?? "{}").firstView !== undefined);
    await popup.close();
    // The popup set names who is signed in, each as tenant and admin: the last view is drawn only for them.
    expect(new URL(await actionPopup()).searchParams.get("signed-in")?.split(" ").sort()).toEqual([
      "contoso/usr_contoso_megan",
      "fabrikam/usr_fabrikam_pradeep",
    ]);

    // As when the browser restarts: storage.session is gone, the background refreshes.
    await browser.worker.evaluate(async () => {
      const chrome = (globalThis as unknown as { chrome: { storage: { session: { clear: () => Promise<void> } } } }).chrome;
      await chrome.storage.session.clear();
    });
    const page = await openPopup(browser);
    await sendToBackground(page, "refresh", {});
    await page.close();
    expect(new URL(await actionPopup()).search).toBe("");

    // What the popup draws, recorded from before its first script runs.
    await browser.context.addInitScript(() => {
      if (!location.pathname.endsWith("/popup.html")) return;
      const seen = { apps: false };
      Object.assign(globalThis, { seen });
      new MutationObserver(() => {
        if (document.querySelector(".apps")) seen.apps = true;
      }).observe(document, { childList: true, subtree: true });
    });
    const after = await openPopup(browser);
    await after
      .getByRole("button", { name: /Sign in|Open the options/ })
      .first()
      .waitFor();
    expect(await after.evaluate(() => (globalThis as unknown as { seen: { apps: boolean } }).seen.apps)).toBe(false);
    expect(await after.evaluate(() => document.getElementById("app")?.dataset.firstView)).toBeUndefined();
    expect(await after.evaluate(() => localStorage.getItem("appseats:last-view"))).toBeNull();
    const cached = await browser.worker.evaluate(async () => {
      const chrome = (globalThis as unknown as { chrome: { storage: { local: { get: (k: null) => Promise<object> } } } }).chrome;
      return Object.keys(await chrome.storage.local.get(null)).filter((key) => key.startsWith("summary:"));
    });
    expect(cached).toEqual([]);
    await after.close();
  });
});
