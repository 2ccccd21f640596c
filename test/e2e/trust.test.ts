/**
 * Trust under real sign-in, in the extension (API.md, "Trust under real sign-in"): the Entra ID
 * registration is the extension's own, never a backend's, and tokens stay with their backend; a
 * right-click acts only on a selection naming one person; the popup's cached first view belongs
 * to the admin and tenant that drew it; a queued change that keeps failing stops, for its admin
 * to retry or discard.
 */
import { createServer, type Server } from "node:http";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  api,
  type Backend,
  type Browser,
  closeAll,
  inLightAndDark,
  launchBrowser,
  openPopup,
  pageUrl,
  recordNotifications,
  screenshot,
  sendToBackground,
  signIn,
  startBackend,
  tokenFor,
} from "./support.js";

const northwind = "sub_contoso_northwind_notes";

/** A notification's text, whether it was made with an id or without one. */
const messageOf = (made: unknown[]) => ((typeof made[0] === "string" ? made[1] : made[0]) as { message: string }).message;

/** What the extension's background keeps, read in its own context. */
const storedIn = (browser: Browser, area: "session" | "local", key: string) =>
  browser.worker.evaluate(
    async ([area, key]) => {
      const storage = (globalThis as unknown as { chrome: { storage: Record<string, { get: (k: string) => Promise<any> }> } }).chrome
        .storage[area]!;
      return (await storage.get(key))[key];
    },
    [area, key] as const,
  );

/**
 * A backend that is not AppSeats': it names the real AppSeats registration in its auth config,
 * as one that wanted AppSeats tokens would, and records every request it is sent.
 */
async function rogueBackend(port: number) {
  const seen: { path: string; authorization: string | undefined }[] = [];
  const server: Server = createServer((request, response) => {
    seen.push({ path: request.url ?? "", authorization: request.headers.authorization });
    response.setHeader("access-control-allow-origin", "*");
    response.setHeader("content-type", "application/json");
    if (request.url === "/api/v1/auth/config") {
      return response.end(
        JSON.stringify({
          entra: {
            authority: "https://login.microsoftonline.com",
            clientId: "0ff1ce00-a5ea-4000-8000-000000000001",
            scopes: ["api://0ff1ce00-a5ea-4000-8000-000000000001/access_as_user", "openid", "profile", "offline_access"],
          },
          devSignIn: false,
        }),
      );
    }
    response.statusCode = 404;
    response.end(JSON.stringify({ error: { code: "NotFound", message: "Nothing here." } }));
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The options page with a backend address (and, for one not built in, its registration) saved. */
async function saveBackend(browser: Browser, url: string, entra?: { clientId: string; authority: string }): Promise<Page> {
  const page = await browser.context.newPage();
  await page.goto(pageUrl(browser, "options.html"));
  await page.getByLabel("AppSeats backend address").fill(url);
  if (entra) {
    await page.getByLabel(/client\) ID/).fill(entra.clientId);
    await page.getByLabel("Microsoft Entra authority").fill(entra.authority);
  }
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByText(new RegExp(`The extension now uses ${url.replaceAll(".", "\\.")}`)).waitFor();
  return page;
}

describe("the Entra ID registration is the extension's own; tokens stay with their backend", () => {
  let backend: Backend;
  let browser: Browser;
  let rogue: Awaited<ReturnType<typeof rogueBackend>>;
  beforeAll(async () => {
    backend = await startBackend(8797);
    rogue = await rogueBackend(8799);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await rogue.close();
    await closeAll(browser, backend);
  });

  it("a backend that names a registration gets no sign-in with it: the admin must enter its own client id", async () => {
    const page = await saveBackend(browser, rogue.url);
    await page.getByText("To sign in with Microsoft to this backend, enter its application (client) ID above and save.").waitFor();
    expect(await page.getByRole("button", { name: "Sign in with Microsoft" }).count()).toBe(0);
    await screenshot(page, "options-custom-backend");
    // Asked directly, the background refuses too, and no sign-in window opens.
    const windows = browser.context.pages().length;
    const answer = await sendToBackground(page, "signInWithMicrosoft", { backendUrl: rogue.url });
    expect(answer).toEqual({
      ok: false,
      message: "To sign in with Microsoft to this backend, enter its application (client) ID above and save.",
    });
    expect(browser.context.pages().length).toBe(windows);
    // A client id that is not one is refused with the reason, and nothing is saved.
    await page.getByLabel(/client\) ID/).fill("not-a-client-id");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("alert").getByText("Enter the application (client) ID as Entra ID shows it", { exact: false }).waitFor();
    expect((await storedIn(browser, "local", "settings")).entra ?? null).toBeNull();
    await page.close();
  });

  it("signed in with Microsoft to one backend, then pointed at another: signed out, and the token never reaches it", async () => {
    const page = await saveBackend(browser, backend.url, { clientId: backend.entra!.clientId, authority: backend.entra!.authority });
    const signInWindow = browser.context.waitForEvent("page", { timeout: 30_000 });
    await page.getByRole("button", { name: "Sign in with Microsoft" }).click();
    await (await signInWindow).getByRole("button", { name: "Megan Bowen" }).click();
    await page.getByText("Signed in as Megan Bowen").waitFor({ timeout: 30_000 });
    const session = (await storedIn(browser, "session", "sessions")).contoso;
    expect(session.entra).toEqual({
      authority: backend.entra!.authority,
      clientId: backend.entra!.clientId,
      refreshToken: expect.any(String),
    });
    expect(session.backendUrl).toBe(backend.url);
    await page.close();

    const moved = await saveBackend(browser, rogue.url);
    await moved.getByText(`The extension now uses ${rogue.url}. You were signed out of the previous backend`, { exact: false }).waitFor();
    expect(await storedIn(browser, "session", "sessions")).toEqual({});
    // The popup, the refresh and a replay all run now; none sends the token to the other backend.
    const popup = await openPopup(browser);
    await sendToBackground(popup, "refresh", {});
    await sendToBackground(popup, "replayQueue", {});
    await popup.close();
    expect(rogue.seen.length).toBeGreaterThan(0);
    expect(rogue.seen.filter((request) => request.authorization !== undefined)).toEqual([]);
    // The token was ended with its own backend, as a sign-out does (an Entra token stays valid there until it expires).
    expect((await api(backend, "GET", "/api/v1/me", session.token)).status).toBe(200);
    await moved.close();
  });
});

describe("the right-click menu, the first view and the offline queue", () => {
  let backend: Backend;
  let browser: Browser;
  let megan: string;
  beforeAll(async () => {
    backend = await startBackend(8798);
    browser = await launchBrowser();
    megan = await tokenFor(backend, "megan@contoso.com");
  });
  afterAll(() => closeAll(browser, backend));

  const stateOf = async (user: string) => {
    const { body } = await api(backend, "GET", `/api/v1/users/usr_contoso_${user}/licenses`, megan);
    return body.items.find((i: { license: { id: string } }) => i.license.id === northwind)?.state ?? null;
  };

  it("a selection naming two addresses assigns no one: the menu says to select one person", async () => {
    await signIn(browser, backend, "Megan Bowen");
    const made = await recordNotifications(browser);
    const page = await openPopup(browser);
    const selection = "adele@contoso.com      <diego@contoso.com>";
    const said = "Select one person: the selection names 2 addresses (adele@contoso.com, diego@contoso.com).";
    const before = { adele: await stateOf("adele"), diego: await stateOf("diego") };
    expect(await sendToBackground(page, "assignSelection", { tenantId: "contoso", licenseId: northwind, selection })).toEqual({
      result: "refused",
      message: said,
    });
    expect({ adele: await stateOf("adele"), diego: await stateOf("diego") }).toEqual(before);
    expect(await sendToBackground(page, "openPerson", { tenantId: "contoso", selection })).toEqual({ opened: false });
    // (The renewal notice of Litware Chat, told once at sign-in, is another matter.)
    expect((await made()).map(messageOf).filter((message) => message.startsWith("Select"))).toEqual([said, said]);
    // One address, written as a person writes it, is still one person.
    const one = await sendToBackground(page, "assignSelection", {
      tenantId: "contoso",
      licenseId: northwind,
      selection: "Adele Vance <adele@contoso.com>",
    });
    expect(one.result).toBe("assigned");
    expect(await stateOf("adele")).toBe("active");
    await page.close();
  });

  /** Whether the popup ever drew `text` while it opened, recorded from before its first script ran. */
  async function openingShows(text: string) {
    await browser.context.addInitScript((watched) => {
      if (!location.pathname.endsWith("/popup.html")) return;
      const seen = { text: false };
      Object.assign(globalThis, { seen });
      new MutationObserver(() => {
        if (document.body?.innerText.includes(watched)) seen.text = true;
      }).observe(document, { childList: true, subtree: true, characterData: true });
    }, text);
    const popup = await openPopup(browser);
    await popup.getByRole("status").getByText("Up to date").waitFor();
    const shown = await popup.evaluate(() => (globalThis as unknown as { seen: { text: boolean } }).seen.text);
    return { popup, shown };
  }

  it("the cached first view is drawn only for the admin and tenant that drew it, and dropped at their sign-out", async () => {
    // Megan's view is kept.
    const first = await openPopup(browser);
    await first.getByRole("status").getByText("Up to date").waitFor();
    await first.waitForFunction(() => JSON.parse(localStorage.getItem("appseats:last-view") ?? "{}").firstView !== undefined);
    await first.close();
    const again = await openPopup(browser);
    await again.getByRole("status").getByText("Up to date").waitFor();
    expect(await again.evaluate(() => document.getElementById("app")?.dataset.firstView)).toBe("shown");
    await again.close();

    // The browser forgets Megan's session (as at a restart), and Ben signs in to the same tenant:
    // her view is not drawn for him.
    await browser.worker.evaluate(async () => {
      await (globalThis as unknown as { chrome: { storage: { session: { clear: () => Promise<void> } } } }).chrome.storage.session.clear();
    });
    await signIn(browser, backend, "Ben Walters");
    const forBen = await openingShows("Megan Bowen");
    expect(forBen.shown).toBe(false);
    expect(await forBen.popup.evaluate(() => document.getElementById("app")?.dataset.firstView)).toBeUndefined();
    await forBen.popup.getByText("Ben Walters").first().waitFor();
    await forBen.popup.waitForFunction(
      () => JSON.parse(localStorage.getItem("appseats:last-view") ?? "{}").me?.user.displayName === "Ben Walters",
    );
    await forBen.popup.close();

    // Ben signs out: his view goes with him, and the next admin is not shown it.
    const options = await browser.context.newPage();
    await options.goto(pageUrl(browser, "options.html"));
    await options.getByRole("button", { name: "Sign out of Contoso" }).click();
    await options.getByText("Signed out.").waitFor();
    expect(await options.evaluate(() => localStorage.getItem("appseats:last-view"))).toBeNull();
    await options.close();
    await signIn(browser, backend, "Megan Bowen");
    const forMegan = await openingShows("Ben Walters");
    expect(forMegan.shown).toBe(false);
    await forMegan.popup.close();
  });

  /** The queue as the background keeps it, with every waiting change made due now if `due`. */
  const queueNow = (due = false) =>
    browser.worker.evaluate(async (due) => {
      const local = (globalThis as unknown as { chrome: { storage: { local: any } } }).chrome.storage.local;
      const { queue = [] } = await local.get("queue");
      if (due) {
        for (const change of queue) if (change.nextAttemptAt) change.nextAttemptAt = new Date(Date.now() - 1000).toISOString();
        await local.set({ queue });
      }
      return queue as { id: string; attempts: number; nextAttemptAt?: string; failed?: boolean; principals: { id: string }[] }[];
    }, due);

  /** Opens Northwind Notes, then stops the backend and unassigns `name` in the popup: the change is queued. */
  async function queueUnassign(popup: Page, name: string) {
    await popup.getByRole("button", { name: /^Northwind Notes/ }).click();
    const holder = popup.getByRole("checkbox", { name: new RegExp(name) });
    await holder.waitFor();
    await backend.kill();
    await holder.check();
    await popup.getByRole("button", { name: "Unassign licenses (1)" }).click();
    await popup.getByRole("dialog").getByRole("button", { name: "Unassign", exact: true }).click();
    await popup.getByText("this change is saved and will be sent", { exact: false }).waitFor();
  }

  it("a queued change that cannot be sent is tried 5 times with growing waits, then shown as failed with Retry and Discard", async () => {
    const made = await recordNotifications(browser);
    const popup = await openPopup(browser);
    await queueUnassign(popup, "Lidia Holloway");

    // Each try fails; the next waits twice as long; none is tried before its time.
    const waits: number[] = [];
    for (let attempt = 1; attempt <= 4; attempt++) {
      expect(await sendToBackground(popup, "replayQueue", {})).toEqual({ outcomes: [], remaining: 1 });
      const [change] = await queueNow();
      expect(change!.attempts).toBe(attempt);
      expect(change!.failed).toBeUndefined();
      waits.push(Date.parse(change!.nextAttemptAt!) - Date.now());
      // Not due yet: a replay now leaves it as it is.
      await sendToBackground(popup, "replayQueue", {});
      expect((await queueNow())[0]!.attempts).toBe(attempt);
      await queueNow(true);
    }
    expect(waits.map((ms) => Math.round(ms / 1000 / 15) * 15)).toEqual([30, 60, 120, 240]);
    await sendToBackground(popup, "replayQueue", {});
    const [given] = await queueNow();
    expect(given).toMatchObject({ attempts: 5, failed: true });
    expect(given!.nextAttemptAt).toBeUndefined();
    expect((await made()).map(messageOf)).toContain(
      "Your change to Northwind Notes could not be sent after 5 tries. Open AppSeats to retry or discard it.",
    );
    // No more tries on its own.
    await sendToBackground(popup, "replayQueue", {});
    expect((await queueNow())[0]!.attempts).toBe(5);
    await popup.close();

    // The popup shows it, with Retry and Discard, reached by keyboard and clean in axe.
    await backend.restart();
    const shown = await openPopup(browser);
    const failed = shown.getByRole("region", { name: "Changes that could not be sent" });
    await failed.getByText("Northwind Notes: unassign for Lidia Holloway was not sent after 5 tries.").waitFor();
    await inLightAndDark(shown, "popup-queue-failed");
    expect(await stateOf("lidia")).toBe("active");
    await failed.getByRole("button", { name: "Retry sending the change to Northwind Notes" }).focus();
    await shown.keyboard.press("Enter");
    await expect.poll(async () => (await queueNow()).length, { timeout: 15_000 }).toBe(0);
    await expect.poll(() => stateOf("lidia")).toBeNull();
    await failed.waitFor({ state: "detached" });
    await shown.close();
  });

  it("Discard drops a failed change: nothing of it is sent", async () => {
    // The change retried above was sent, and is not written back by any replay.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await queueNow()).toEqual([]);
    const popup = await openPopup(browser);
    await queueUnassign(popup, "Alex Wilber");
    for (let attempt = 1; attempt <= 5; attempt++) {
      await sendToBackground(popup, "replayQueue", {});
      await queueNow(true);
    }
    expect((await queueNow())[0]).toMatchObject({ failed: true, attempts: 5 });
    await popup.close();
    await backend.restart();
    const shown = await openPopup(browser);
    const failed = shown.getByRole("region", { name: "Changes that could not be sent" });
    await failed.getByRole("button", { name: "Discard the change to Northwind Notes" }).click();
    await shown.getByText("The change was discarded: nothing was sent.").waitFor();
    expect(await queueNow()).toEqual([]);
    await sendToBackground(shown, "replayQueue", {});
    expect(await stateOf("alex")).toBe("active");
    await shown.close();
  });
});
