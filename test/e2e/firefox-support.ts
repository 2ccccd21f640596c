/**
 * The built extension in headless Firefox (Debian's firefox-esr), driven by puppeteer-core over
 * WebDriver BiDi, against the same kind of `wrangler dev` as the Chromium journeys.
 *
 * Two things Firefox needs that Chromium does not: `--remote-allow-system-access`, without which
 * Firefox refuses WebDriver navigation to `moz-extension:` pages, and a fixed internal address
 * for the extension (the `extensions.webextensions.uuids` pref), so that the tests know its pages.
 * BiDi may never report the load event of an extension page, so a page is opened without
 * waiting for `goto` and the test waits for the page's own content instead.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { answerOf, backgroundMessage, root, screenshotDir } from "./support.ts";

export const firefoxPath = process.env.FIREFOX_PATH ?? "/usr/bin/firefox-esr";
export const firefoxExtensionDir = join(root, "extension/dist/firefox");
/** The add-on id of the Firefox build (wxt.config.ts) and the internal address the tests give it. */
const addonId = "appseats@appseats.dev";
export const extensionUuid = "4b9a5a0e-6f1d-4c55-9a43-5e0f6c0a5e11";

export interface Firefox {
  browser: Browser;
  close(): Promise<void>;
}

/**
 * Firefox with the extension installed (temporarily, as an unsigned add-on is). `locale`: the
 * browser's language (zh-TW needs Debian's firefox-esr-l10n-zh-tw, which the project installs);
 * `dark`: the content's colour scheme.
 */
export async function launchFirefox(options: { locale?: string; dark?: boolean; extension?: string } = {}): Promise<Firefox> {
  const browser = await puppeteer.launch({
    browser: "firefox",
    executablePath: firefoxPath,
    headless: true,
    args: ["--remote-allow-system-access"],
    extraPrefsFirefox: {
      "extensions.webextensions.uuids": JSON.stringify({ [addonId]: extensionUuid }),
      // The network is closed: nothing of Mozilla's is fetched.
      "app.update.enabled": false,
      "browser.shell.checkDefaultBrowser": false,
      "datareporting.policy.dataSubmissionEnabled": false,
      "toolkit.telemetry.enabled": false,
      "extensions.getAddons.cache.enabled": false,
      ...(options.locale ? { "intl.locale.requested": options.locale, "intl.accept_languages": options.locale } : {}),
      // 0: dark, 1: light, 2: the system's.
      "layout.css.prefers-color-scheme.content-override": options.dark ? 0 : 1,
    },
  });
  await browser.installExtension(options.extension ?? firefoxExtensionDir);
  return { browser, close: () => browser.close() };
}

export const firefoxPageUrl = (path: string) => `moz-extension://${extensionUuid}/${path}`;

/** A page of the extension in a tab the size of the toolbar popup; resolves once `ready` (a CSS selector) is on it. */
export async function openFirefoxPage(firefox: Firefox, path: string, ready: string): Promise<Page> {
  const page = await firefox.browser.newPage();
  await page.setViewport({ width: 420, height: 640 });
  // Not awaited: BiDi may never report an extension page's load; its content says it is there.
  page.goto(firefoxPageUrl(path)).catch(() => {});
  await waitForSelectorThroughNavigation(page, ready);
  return page;
}

/**
 * waitForSelector on a page that may still be navigating: over BiDi a script can land in the
 * document being replaced and fail ("script.evaluate"); it is tried again in the new one.
 */
async function waitForSelectorThroughNavigation(page: Page, selector: string, timeout = 30_000): Promise<void> {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      await page.waitForSelector(selector, { timeout: Math.max(1, deadline - Date.now()) });
      return;
    } catch (error) {
      if (Date.now() >= deadline || (error as Error).name === "TimeoutError") throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/**
 * The page, among every open tab and window, whose address satisfies `wanted`: a window the
 * extension opened (windows.create) need not tell BiDi where it navigated, so each page is asked.
 */
export async function findFirefoxPage(firefox: Firefox, wanted: (href: string) => boolean, timeout = 30_000): Promise<Page> {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    for (const page of await firefox.browser.pages()) {
      const href = await page.evaluate(() => location.href).catch(() => "");
      if (wanted(href)) return page;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error("no page with the address wanted opened");
}

/**
 * The options page pointed at `backend`, as a person does it: its address entered and saved
 * (`save`: the Save button's name in the browser's language); resolves once the page offers
 * `offering`'s account for local sign-in, and answers the page.
 */
export async function pointAtBackend(
  firefox: Firefox,
  backend: { url: string },
  options: { save: RegExp; offering: string },
): Promise<Page> {
  const page = await openFirefoxPage(firefox, "options.html", "input");
  await fillLabelled(page, /backend address|後端位址/i, backend.url);
  await clickButton(page, options.save);
  await waitForText(page, options.offering);
  return page;
}

/** Waits until the page's text includes `text` (or matches it). */
export async function waitForText(page: Page, text: string | RegExp, timeout = 30_000): Promise<void> {
  const source = typeof text === "string" ? { string: text } : { pattern: text.source, flags: text.flags };
  await page.waitForFunction(
    (s: { string?: string; pattern?: string; flags?: string }) => {
      const body = document.body?.innerText ?? "";
      return s.string !== undefined ? body.includes(s.string) : new RegExp(s.pattern!, s.flags).test(body);
    },
    { timeout },
    source,
  );
}

/** Clicks the button whose accessible text matches `name`. */
export async function clickButton(page: Page, name: RegExp): Promise<void> {
  const clicked = await page.evaluate(
    (pattern: string, flags: string) => {
      const re = new RegExp(pattern, flags);
      const button = [...document.querySelectorAll("button")].find((b) =>
        re.test((b.getAttribute("aria-label") ?? b.textContent ?? "").trim()),
      );
      button?.click();
      return button !== undefined;
    },
    name.source,
    name.flags,
  );
  if (!clicked) throw new Error(`no button named ${name}`);
}

/** Fills the input labelled `label` as typing does (input events). */
export async function fillLabelled(page: Page, label: RegExp, value: string): Promise<void> {
  const id = await page.evaluate(
    (pattern: string, flags: string) => {
      const re = new RegExp(pattern, flags);
      const found = [...document.querySelectorAll("label")].find((l) => re.test(l.textContent ?? ""));
      const input = found?.htmlFor ? document.getElementById(found.htmlFor) : found?.querySelector("input");
      if (!input) return null;
      input.id ||= `filled-${Math.random().toString(36).slice(2)}`;
      return input.id;
    },
    label.source,
    label.flags,
  );
  if (!id) throw new Error(`no input labelled ${label}`);
  const input = await page.$(`#${id}`);
  await input!.click({ count: 3 });
  await input!.type(value);
}

/** Ticks the checkbox inside the label whose text matches `label`, as a click does. */
export async function checkLabelled(page: Page, label: RegExp): Promise<void> {
  const checked = await page.evaluate(
    (pattern: string, flags: string) => {
      const re = new RegExp(pattern, flags);
      const box = [...document.querySelectorAll("label")]
        .find((l) => re.test(l.textContent ?? ""))
        ?.querySelector<HTMLInputElement>("input[type=checkbox]");
      box?.click();
      return box?.checked === true;
    },
    label.source,
    label.flags,
  );
  if (!checked) throw new Error(`no checkbox labelled ${label} could be ticked`);
}

/** The text of the element `selector` (the first), spaces made single. */
export async function textOf(page: Page, selector: string): Promise<string> {
  await page.waitForSelector(selector);
  return page.$eval(selector, (element) => (element as HTMLElement).innerText.replace(/\s+/g, " ").trim());
}

/** Sends a message to the background from an extension page, as the popup does (core/messages.ts). */
export async function sendFromPage<T = any>(page: Page, type: string, payload: object = {}): Promise<T> {
  const answer = await page.evaluate(
    (message: object) =>
      (globalThis as unknown as { browser: { runtime: { sendMessage: (m: object) => Promise<unknown> } } }).browser.runtime.sendMessage(
        message,
      ),
    backgroundMessage(type, payload),
  );
  return answerOf<T>(type, answer as Parameters<typeof answerOf<T>>[1]);
}

export async function firefoxScreenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  // What the popup shows: its viewport (a full-page capture draws a dialog's fixed backdrop over the first screen only).
  await page.screenshot({ path: join(screenshotDir, `firefox-${name}.png`) as `${string}.png` });
}
