/**
 * Sign-in with Microsoft Entra ID, end to end: the options page in headless Chromium starts the
 * authorization code flow with PKCE in the browser's own sign-in window (launchWebAuthFlow),
 * against the local Entra ID stand-in that `npm start` runs, whose tokens a real `wrangler dev`
 * verifies. Then the popup as that admin, a GlobalReader's limits, and signing out.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, type Backend, type Browser, closeAll, launchBrowser, openPopup, pageUrl, screenshot, startBackend } from "./support.js";

let backend: Backend;
let browser: Browser;

beforeAll(async () => {
  backend = await startBackend(8795);
  browser = await launchBrowser();
});
afterAll(() => closeAll(browser, backend));

/**
 * The options page pointed at the test backend. It is not the backend the extension was built for,
 * so its own app registration is entered with it: the local stand-in's client id and authority.
 */
async function optionsPage(): Promise<Page> {
  const page = await browser.context.newPage();
  await page.goto(pageUrl(browser, "options.html"));
  await page.getByLabel("Backend address").fill(backend.url);
  await page.getByLabel(/client\) ID/).fill(backend.entra!.clientId);
  await page.getByLabel("Microsoft Entra authority").fill(backend.entra!.authority);
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByText(backend.url).first().waitFor();
  return page;
}

/** Clicks "Sign in with Microsoft" and picks the account in the sign-in window that opens. */
async function signInWithMicrosoft(page: Page, displayName: string) {
  const signInWindow = browser.context.waitForEvent("page", { timeout: 30_000 });
  await page.getByRole("button", { name: "Sign in with Microsoft" }).click();
  const window = await signInWindow;
  await window.getByText("local Microsoft Entra ID").first().waitFor();
  await screenshot(window, "entra-provider-sign-in");
  await window.getByRole("button", { name: displayName }).click();
  await page.getByText(`Signed in as ${displayName}`).waitFor({ timeout: 30_000 });
}

describe("sign-in with Microsoft Entra ID", () => {
  it("offers Sign in with Microsoft first, and the demo accounts only because this backend has the local sign-in", async () => {
    const page = await optionsPage();
    await page.getByRole("button", { name: "Sign in as Megan Bowen" }).waitFor();
    const buttons = await page.getByRole("button").allInnerTexts();
    expect(buttons.indexOf("Sign in with Microsoft")).toBeGreaterThan(-1);
    expect(buttons.indexOf("Sign in with Microsoft")).toBeLessThan(buttons.findIndex((b) => b.startsWith("Sign in as")));
    const config = await api(backend, "GET", "/api/v1/auth/config");
    expect(config.body).toMatchObject({
      entra: { authority: backend.entra!.authority, clientId: backend.entra!.clientId },
      devSignIn: true,
    });
    await page.close();
  });

  it("signs in as Megan Bowen through the provider's page and shows Contoso's summary", async () => {
    const page = await optionsPage();
    await signInWithMicrosoft(page, "Megan Bowen");
    await screenshot(page, "entra-options-signed-in");
    await page.close();
    // The session is an Entra ID access token, kept in storage.session with its refresh token.
    const session = await browser.worker.evaluate(async () => {
      const chrome = (globalThis as unknown as { chrome: { storage: { session: { get(k: string): Promise<Record<string, any>> } } } })
        .chrome;
      return (await chrome.storage.session.get("sessions")).sessions.contoso;
    });
    expect(session.token.split(".")).toHaveLength(3);
    expect(session.entra).toMatchObject({ authority: backend.entra!.authority, refreshToken: expect.any(String) });
    const me = await api(backend, "GET", "/api/v1/me", session.token);
    expect(me.body.user.displayName).toBe("Megan Bowen");
    const popup = await openPopup(browser);
    await popup.getByText("Megan Bowen").first().waitFor();
    await popup.getByRole("button", { name: /Fabrikam Sign/ }).waitFor();
    await screenshot(popup, "entra-popup-megan");
    await popup.close();
  });

  /** The stored Contoso session, changed by `change` if given (in the background's context). */
  const contosoSession = (change?: { expiresInMs?: number; refreshToken?: string }) =>
    browser.worker.evaluate(async (change) => {
      const area = (globalThis as unknown as { chrome: { storage: { session: any } } }).chrome.storage.session;
      const { sessions } = await area.get("sessions");
      if (change) {
        const session = sessions.contoso;
        if (change.expiresInMs !== undefined) session.expiresAt = new Date(Date.now() + change.expiresInMs).toISOString();
        if (change.refreshToken !== undefined) session.entra.refreshToken = change.refreshToken;
        await area.set({ sessions });
      }
      return sessions.contoso as { token: string; expiresAt: string; renewalFailed?: boolean };
    }, change);

  it("renews the access token with the refresh token, silently, once it is about to expire", async () => {
    const before = await contosoSession({ expiresInMs: 60_000 });
    const popup = await openPopup(browser);
    await popup.getByRole("button", { name: /Fabrikam Sign/ }).waitFor();
    // The popup asks the background to renew it (the popup ships no OAuth client).
    await expect.poll(async () => (await contosoSession()).token, { timeout: 10_000 }).not.toBe(before.token);
    const after = await contosoSession();
    expect(new Date(after.expiresAt).getTime()).toBeGreaterThan(Date.now() + 50 * 60_000);
    expect((await api(backend, "GET", "/api/v1/me", after.token)).body.user.displayName).toBe("Megan Bowen");
    await popup.close();
  });

  it("when renewal fails, the popup says to sign in again, and one click does it", async () => {
    await contosoSession({ expiresInMs: 60_000, refreshToken: "no-longer-valid" });
    const popup = await openPopup(browser);
    await popup.getByText("Your sign-in to Contoso has expired.").waitFor();
    expect((await contosoSession()).renewalFailed).toBe(true);
    await screenshot(popup, "entra-popup-sign-in-again");
    // The stand-in still has Megan's session: as with Entra ID, the login hint signs her in without a page.
    await popup.getByRole("button", { name: "Sign in again" }).click();
    await popup.getByRole("button", { name: /Fabrikam Sign/ }).waitFor({ timeout: 30_000 });
    await expect.poll(async () => (await contosoSession()).renewalFailed, { timeout: 10_000 }).toBeUndefined();
    await popup.close();
  });

  it("an admin of several organisations signs in to each: the popup switches between them", async () => {
    const page = await optionsPage();
    await signInWithMicrosoft(page, "Pradeep Gupta");
    await page.close();
    const popup = await openPopup(browser);
    const switcher = popup.getByRole("combobox", { name: "Organisation" });
    await switcher.waitFor();
    expect(await switcher.locator("option").allInnerTexts()).toEqual(["Contoso", "Fabrikam"]);
    await switcher.selectOption("fabrikam");
    await popup.getByRole("button", { name: /Northwind Notes/ }).waitFor();
    expect(await popup.getByRole("button", { name: /Fabrikam Sign/ }).count()).toBe(0);
    await popup.close();
    const options = await optionsPage();
    await options.getByRole("button", { name: /Sign out of Fabrikam/ }).click();
    await options.getByText("Signed out.").waitFor();
    await options.close();
  });

  it("as Grady Archie (GlobalReader), assign is disabled with the reason", async () => {
    const page = await optionsPage();
    await page.getByRole("button", { name: /Sign out of Contoso/ }).click();
    await signInWithMicrosoft(page, "Grady Archie");
    await page.close();
    // The popup may draw the last view of Grady alone now, not of Megan, who signed out: the
    // background follows the sessions however they were made (the local sign-in: trust.test.ts).
    const signedIn = async () => {
      const address = await browser.worker.evaluate(() =>
        (globalThis as unknown as { chrome: { action: { getPopup: (d: object) => Promise<string> } } }).chrome.action.getPopup({}),
      );
      return new URL(address).searchParams.get("signed-in");
    };
    await expect.poll(signedIn, { timeout: 5_000 }).toMatch(/^contoso\/usr_contoso_\w+$/);
    expect(await signedIn()).not.toContain("megan");
    const popup = await openPopup(browser);
    await popup.getByRole("button", { name: /Fabrikam Sign/ }).click();
    const assign = popup.getByRole("button", { name: "Assign licenses", exact: true });
    await assign.waitFor();
    expect(await assign.isDisabled()).toBe(true);
    expect(await popup.locator("#assign-blocked").innerText()).toContain("Global Reader");
    await screenshot(popup, "entra-popup-reader");
    await popup.close();
  });

  it("signs out: the tokens and the tenant's cached figures are forgotten", async () => {
    const page = await optionsPage();
    await page.getByRole("button", { name: /Sign out of Contoso/ }).click();
    await page.getByText("Not signed in to any organisation.").waitFor();
    const left = await browser.worker.evaluate(async () => {
      const chrome = (globalThis as unknown as { chrome: { storage: { session: any; local: any } } }).chrome;
      return {
        sessions: (await chrome.storage.session.get("sessions")).sessions,
        summary: await chrome.storage.local.get("summary:contoso"),
      };
    });
    expect(left.sessions).toEqual({});
    expect(left.summary).toEqual({});
    await page.close();
  });
});
