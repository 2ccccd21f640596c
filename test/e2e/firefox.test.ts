/**
 * The extension in Firefox (Debian's firefox-esr, headless, over WebDriver BiDi) against a real
 * `wrangler dev` seeded with DEMO.md: the options page, local sign-in, and the popup's summary,
 * in English and light, and in Traditional Chinese and dark; each view clean in axe, and a
 * screenshot of each, test-results/e2e/firefox-*.png.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  clickButton,
  type Firefox,
  fillLabelled,
  firefoxScreenshot,
  launchFirefox,
  openFirefoxPage,
  waitForText,
} from "./firefox-support.ts";
import { api, type Backend, removeBackend, seriousViolations, startBackend, tokenFor } from "./support.ts";

/** Points the extension at the backend and signs in as `displayName`, through the options page as a person would. */
async function signInOnOptionsPage(firefox: Firefox, backend: Backend, displayName: string, save: RegExp) {
  const options = await openFirefoxPage(firefox, "options.html", "input");
  await fillLabelled(options, /backend address|後端位址/i, backend.url);
  await clickButton(options, save);
  await waitForText(options, displayName);
  return options;
}

describe("the extension in Firefox", () => {
  let backend: Backend;
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
      const options = await signInOnOptionsPage(firefox, backend, "Megan Bowen", /^Save$/);
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
  });

  describe("in Traditional Chinese, dark", () => {
    let firefox: Firefox;
    beforeAll(async () => {
      firefox = await launchFirefox({ locale: "zh-TW", dark: true });
    });
    afterAll(() => firefox?.close());

    it("signs in and shows the summary in zh_TW, in the dark scheme", async () => {
      const options = await signInOnOptionsPage(firefox, backend, "Grady Archie", /^儲存$/);
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
