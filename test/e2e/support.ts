/**
 * End-to-end harness: a real `wrangler dev` seeded with DEMO.md (prepared and started by the
 * same steps as `npm start`, on its own port and database) and the built extension in headless Chromium.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BrowserContext, chromium, type Page, type Worker } from "playwright-core";
import { expect } from "vitest";
import { Backend } from "../support/backend.ts";

export const root = fileURLToPath(new URL("../../", import.meta.url));
export const extensionDir = join(root, "extension/dist/chrome");
export const screenshotDir = join(root, "test-results/e2e");
export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export { Backend };

/** A real `wrangler dev` seeded with DEMO.md on its own port and local database. */
export async function startBackend(port: number): Promise<Backend> {
  const backend = new Backend(port);
  await backend.start([]);
  return backend;
}

export const removeBackend = (backend: Backend) => backend.dispose();

export interface Browser {
  context: BrowserContext;
  extensionId: string;
  worker: Worker;
  close(): Promise<void>;
}

export async function launchBrowser(
  options: { locale?: string; colorScheme?: "light" | "dark"; extension?: string } = {},
): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "appseats-chromium-"));
  const extension = options.extension ?? extensionDir;
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    locale: options.locale ?? "en-US",
    colorScheme: options.colorScheme ?? "light",
    args: [
      `--disable-extensions-except=${extension}`,
      `--load-extension=${extension}`,
      `--lang=${options.locale ?? "en-US"}`,
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent("serviceworker", { timeout: 30_000 }));
  const extensionId = new URL(worker.url()).host;
  return {
    context,
    extensionId,
    worker,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A fresh backend on `port` and a browser with the extension signed in as `displayName`. */
export async function openSignedIn(port: number, displayName: string, options: Parameters<typeof launchBrowser>[0] = {}) {
  const backend = await startBackend(port);
  const browser = await launchBrowser(options);
  await signIn(browser, backend, displayName);
  return { backend, browser };
}

export async function closeAll(browser: Browser | undefined, backend: Backend | undefined) {
  await browser?.close();
  if (backend) await removeBackend(backend);
}

export const pageUrl = (browser: Browser, path: string) => `chrome-extension://${browser.extensionId}/${path}`;

/** Points the extension at the test backend and signs in, through the options page as a person would. */
export async function signIn(browser: Browser, backend: Backend, displayName: string): Promise<void> {
  const page = await browser.context.newPage();
  await page.goto(pageUrl(browser, "options.html"));
  await page.getByLabel(/backend address|後端位址/).fill(backend.url);
  await page.getByRole("button", { name: /^(Save|儲存)$/ }).click();
  await page.getByText(backend.url).first().waitFor();
  await page.getByRole("button", { name: new RegExp(`(Sign in as|以) ${displayName}`) }).click();
  await page.getByText(new RegExp(`(Signed in as|已以) ${displayName}`)).waitFor();
  await page.close();
}

/** A page of the extension in a tab the size of the toolbar popup. */
export async function openExtensionPage(browser: Browser, path: string): Promise<Page> {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 420, height: 640 });
  await page.goto(pageUrl(browser, path));
  return page;
}

/**
 * The popup as the toolbar button opens it now (the background sets which: with or without its
 * last view, core/snapshot.ts), in a tab; with `query`, the popup page the background opens for
 * a selection (popup.html?license=…).
 */
export async function openPopup(browser: Browser, query = ""): Promise<Page> {
  if (query) return openExtensionPage(browser, `popup.html${query}`);
  const popup = await browser.worker.evaluate(() =>
    (globalThis as unknown as { chrome: { action: { getPopup: (d: object) => Promise<string> } } }).chrome.action.getPopup({}),
  );
  const url = new URL(popup);
  return openExtensionPage(browser, `${url.pathname.slice(1)}${url.search}`);
}

export async function screenshot(page: Page, name: string) {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
}

/** A direct call to the backend, to arrange or check state as the tests' ground truth. */
export async function api<T = any>(
  backend: Backend,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${backend.url}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

export async function tokenFor(backend: Backend, userPrincipalName: string): Promise<string> {
  return (await api<{ token: string }>(backend, "POST", "/api/v1/dev/sign-in", undefined, { userPrincipalName })).body.token;
}

/** Sends a message to the background from an extension page, as the popup does. */
export async function sendToBackground<T = any>(page: Page, type: string, payload: object = {}): Promise<T> {
  const answer = await page.evaluate(
    (message) =>
      (globalThis as unknown as { chrome: { runtime: { sendMessage: (m: object) => Promise<any> } } }).chrome.runtime.sendMessage(message),
    backgroundMessage(type, payload),
  );
  return answerOf<T>(type, answer);
}

/**
 * A message as the extension's pages send it to the background (core/messages.ts): the envelope
 * of @webext-core/messaging, whose answer is `{ res }` or, when the handler threw, `{ err }`.
 */
export const backgroundMessage = (type: string, data: object) => ({ id: 0, type, data, timestamp: Date.now() });
export function answerOf<T>(type: string, answer: { res?: T; err?: { message?: string } } | undefined): T {
  if (!answer) throw new Error(`The background did not answer ${type}.`);
  if (answer.err) throw new Error(`The background refused ${type}: ${answer.err.message ?? JSON.stringify(answer.err)}`);
  return answer.res as T;
}

export type MadeNotification = [id: string, options: { title: string; message: string }];

/**
 * Records the notifications the background makes from now on, each still made (Chromium shows
 * them; headless, they cannot be seen, so their words are read here). Returns what was made.
 */
export async function recordNotifications(browser: Browser): Promise<() => Promise<MadeNotification[]>> {
  await browser.worker.evaluate(() => {
    const chrome = (globalThis as unknown as { chrome: { notifications: { create: (...args: unknown[]) => unknown } } }).chrome;
    const made: unknown[][] = [];
    const create = chrome.notifications.create.bind(chrome.notifications);
    chrome.notifications.create = (...args: unknown[]) => {
      made.push(args);
      return create(...args);
    };
    Object.assign(globalThis, { notificationsMade: made });
  });
  return () => browser.worker.evaluate(() => (globalThis as unknown as { notificationsMade: MadeNotification[] }).notificationsMade);
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** axe-core's serious and critical violations on the page as it is now (a Playwright or a puppeteer page). */
export async function seriousViolations(page: { evaluate(script: string): Promise<unknown> }): Promise<string[]> {
  await page.evaluate(axeSource);
  const violations = (await page.evaluate(
    `axe.run({ resultTypes: ["violations"] }).then((result) => result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length })))`,
  )) as { id: string; impact: string; nodes: number }[];
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id} (${v.impact}, ${v.nodes})`);
}

/**
 * A view in both colour schemes: clean in axe (contrast included) and a screenshot of each,
 * `<name>-light` and `<name>-dark`; the page is left in the scheme it was in.
 */
export async function inLightAndDark(page: Page, name: string) {
  const was = await page.evaluate(() => (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light"));
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    expect(await seriousViolations(page), `${name} in ${colorScheme}`).toEqual([]);
    await screenshot(page, `${name}-${colorScheme}`);
  }
  await page.emulateMedia({ colorScheme: was });
}
