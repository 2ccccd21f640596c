import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Backend, type Browser, launchBrowser, openPopup, removeBackend, screenshot, signIn, startBackend } from "./support.js";

describe("the popup (smoke)", () => {
  let backend: Backend;
  let browser: Browser;
  beforeAll(async () => {
    backend = await startBackend(8791);
    browser = await launchBrowser();
    await signIn(browser, backend, "Megan Bowen");
  });
  afterAll(async () => {
    await browser?.close();
    if (backend) await removeBackend(backend);
  });

  it("shows DEMO.md's seats", async () => {
    const popup = await openPopup(browser);
    await popup.getByText("Fabrikam Sign").waitFor();
    await screenshot(popup, "summary");
    expect(await popup.getByRole("list", { name: "Apps and their seats" }).innerText()).toContain("11 of 25 assigned");
  });
});
