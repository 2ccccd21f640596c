/**
 * Directory sync in the options page, for a GlobalAdmin: the SCIM address, a provisioning token
 * created and shown once, the tokens with their last use, and revoking one after a confirmation;
 * each checked against the real worker.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, type Backend, type Browser, closeAll, openSignedIn, pageUrl, screenshot, signIn } from "./support.js";

let backend: Backend;
let browser: Browser;

beforeAll(async () => {
  ({ backend, browser } = await openSignedIn(8796, "Megan Bowen"));
});
afterAll(() => closeAll(browser, backend));

describe("directory sync in the options page", () => {
  it("a GlobalAdmin creates a token, shown once, that works at /scim/v2, then revokes it after confirming", async () => {
    const page = await browser.context.newPage();
    await page.goto(pageUrl(browser, "options.html"));
    const section = page.getByRole("region", { name: "Directory sync — Contoso" });
    await section.waitFor();
    await expect
      .poll(() => section.getByRole("textbox", { name: "SCIM address (tenant URL)" }).inputValue())
      .toBe(`${backend.url}/scim/v2`);

    await section.getByRole("button", { name: "Create a provisioning token" }).click();
    const shown = section.getByRole("textbox", { name: "New provisioning token" });
    await shown.waitFor();
    const token = await shown.inputValue();
    expect(token).toMatch(/^asp_[\w-]{43}$/);
    expect((await api(backend, "GET", "/scim/v2/Users?count=1", token)).status).toBe(200);
    await screenshot(page, "directory-sync-token-created");

    // Listed with its last use, never the token itself.
    await page.reload();
    const list = page.getByRole("region", { name: "Directory sync — Contoso" }).locator(".tokens li");
    await expect.poll(() => list.count()).toBe(2);
    expect(await page.locator("main").innerText()).not.toContain(token);
    const newest = list.filter({ hasText: "last used" }).filter({ hasNotText: "prv_contoso_dev" });
    await newest.getByRole("button", { name: /^Revoke the token/ }).click();
    await newest.getByText("Revoke this token? Directory sync with it stops at once.").waitFor();
    await newest.getByRole("button", { name: "Revoke", exact: true }).click();
    await page.getByText("Token revoked: directory sync with it has stopped.").waitFor();
    await expect.poll(() => list.count()).toBe(1);
    expect((await api(backend, "GET", "/scim/v2/Users?count=1", token)).status).toBe(401);
    await page.close();
  });

  it("a token is created for the days asked; one that expires within 30 days, or has expired, is told as a warning", async () => {
    const page = await browser.context.newPage();
    await page.goto(pageUrl(browser, "options.html"));
    const section = page.getByRole("region", { name: "Directory sync — Contoso" });
    await section.getByRole("spinbutton", { name: "Valid for (days, 1 to 730)" }).fill("10");
    await section.getByRole("button", { name: "Create a provisioning token" }).click();
    await section.getByRole("textbox", { name: "New provisioning token" }).waitFor();
    const megan = (await api(backend, "POST", "/api/v1/dev/sign-in", undefined, { userPrincipalName: "megan@contoso.com" })).body.token;
    const listed = (await api(backend, "GET", "/api/v1/provisioning/tokens", megan)).body.items as {
      id: string;
      createdAt: string;
      expiresAt: string;
    }[];
    const soon = listed.find((token) => token.id !== "prv_contoso_dev")!;
    expect(Math.round((Date.parse(soon.expiresAt) - Date.parse(soon.createdAt)) / 86_400_000)).toBe(10);
    const warning = section.getByRole("alert").filter({ hasText: soon.id });
    await warning.waitFor();
    expect(await warning.innerText()).toMatch(
      new RegExp(`^${soon.id} expires on .+: create a new token and paste it into your directory before then, or provisioning stops\\.$`),
    );
    // The demo's token, a year away, is not warned of.
    expect(await section.getByRole("alert").filter({ hasText: "prv_contoso_dev" }).count()).toBe(0);
    await screenshot(page, "directory-sync-token-expiring");

    // A lifetime out of range is not sent: the field says its range, and nothing is created.
    await section.getByRole("spinbutton", { name: "Valid for (days, 1 to 730)" }).fill("731");
    await section.getByRole("button", { name: "Create a provisioning token" }).click();
    expect((await api(backend, "GET", "/api/v1/provisioning/tokens", megan)).body.items).toHaveLength(listed.length);
    await page.close();
  });

  it("is not offered to an admin who is not a GlobalAdmin", async () => {
    const options = await browser.context.newPage();
    await options.goto(pageUrl(browser, "options.html"));
    await options.getByRole("button", { name: /Sign out of Contoso/ }).click();
    await options.getByText("Signed out.").waitFor();
    await options.close();
    await signIn(browser, backend, "Lidia Holloway");
    const page = await browser.context.newPage();
    await page.goto(pageUrl(browser, "options.html"));
    await page.getByText("Contoso — Lidia Holloway").waitFor();
    expect(await page.getByRole("region", { name: /Directory sync/ }).count()).toBe(0);
    await page.close();
  });
});
