/** The popup in headless Chromium against the large tenant: what it ships, and how soon it shows the summary. */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { Page } from "playwright-core";
import { build } from "vite";
import { builtInBackendOf } from "../../extension/built-in.ts";
import { summaryShownMark } from "../../extension/src/entrypoints/popup/shown.ts";
import { clickButton, firefoxExtensionDir, launchFirefox, openFirefoxPage, pointAtBackend, waitForText } from "../e2e/firefox-support.ts";
import { type Browser, extensionDir, launchBrowser, openExtensionPage, root, signIn } from "../e2e/support.ts";
import type { Backend } from "../support/backend.ts";
import { median, round } from "./measure.ts";

const gzipped = (content: string | Buffer) => gzipSync(content, { level: 9 }).length;

/** The scripts and styles the popup page loads: its scripts, the chunks they import (statically or not), its styles. */
export function popupBytes() {
  const html = readFileSync(join(extensionDir, "popup.html"), "utf8");
  const files = new Set<string>();
  const visit = (path: string) => {
    if (files.has(path)) return;
    files.add(path);
    if (!path.endsWith(".js")) return;
    const code = readFileSync(join(extensionDir, path), "utf8");
    for (const [, chunk] of code.matchAll(/(?:from\s*|import\s*\(\s*)"\.\/([\w.-]+\.js)"/g)) visit(`chunks/${chunk}`);
  };
  for (const [, path] of html.matchAll(/(?:src|href|data-app)="\/([^"]+\.(?:js|css))"/g)) visit(path!);
  let js = 0;
  // The build puts the stylesheet into the page itself.
  let css = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].reduce((sum, [, text]) => sum + gzipped(text!), 0);
  for (const path of files) {
    const size = gzipped(readFileSync(join(extensionDir, path)));
    if (path.endsWith(".css")) css += size;
    else js += size;
  }
  return { jsGzipBytes: js, cssGzipBytes: css, totalGzipBytes: js + css, files: [...files] };
}

/**
 * Chromium's own floor, measured beside the popup: an empty page of the same extension whose
 * one-line script sets the same mark. No page of this extension can show anything sooner.
 */
const probe = {
  html: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>probe</title><script type="module" src="/bench-probe.js"></script></head><body><p id="shown"></p></body></html>`,
  js: `document.getElementById("shown").textContent = "shown"; performance.mark("${summaryShownMark}");`,
};

/** The second floor, extension/bench/summary-only.tsx built into the extension's copy as one script, with the popup's styles. */
async function addSummaryOnlyPage(extension: string) {
  await build({
    configFile: false,
    logLevel: "warn",
    root: extension,
    oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
    // The extension's modules as its build defines them (extension/built-in.ts).
    define: { __APPSEATS_BUILT_IN__: JSON.stringify(builtInBackendOf(process.env)) },
    build: {
      outDir: extension,
      emptyOutDir: false,
      target: "es2022",
      lib: { entry: join(root, "extension/bench/summary-only.tsx"), formats: ["es"], fileName: () => "bench-summary.js" },
    },
  });
  const styles =
    readFileSync(join(extensionDir, "popup.html"), "utf8")
      .match(/<style>[\s\S]*?<\/style>/g)
      ?.join("") ?? "";
  writeFileSync(
    join(extension, "bench-summary.html"),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>summary</title><script type="module" src="/bench-summary.js"></script>${styles}</head><body><div id="app"></div></body></html>`,
  );
}

/** What one opening showed: when its summary was first on screen, and how. */
interface Opening {
  /**
   * Milliseconds from the page's navigation start to its summary on screen: its "summary shown"
   * mark, and in the toolbar popup not before its load event has ended, as Chromium shows a
   * popup only once its page has loaded (ExtensionPopup waits for the first load to stop).
   */
  ms: number;
  /** The mark alone. */
  markMs: number;
  /** Whether the popup's first view (src/entrypoints/popup/first-view.ts) drew it. */
  firstView: boolean;
  apps: number;
}

/** Where the popup keeps its last view in its localStorage (src/core/snapshot.ts). */
const lastViewKey = "appseats:last-view";

/**
 * Opens `path` as the toolbar popup, as a click on the extension's button does: from `host`, a
 * page of the extension, chrome.action.openPopup() opens it (headless Chromium shows popups too),
 * and chrome.extension.getViews() reaches its window to read the mark, the end of its load event
 * and what it shows, then closes it. With `untilKept`, not before the popup has kept a last view
 * with figures fetched in this opening (core/snapshot.ts): its work done, as it leaves it for the
 * next opening. The popup is not a tab: Playwright neither lists it nor adds a script world of its
 * own to it.
 */
async function openAsPopup(host: Page, path: string, untilKept = false): Promise<Opening> {
  return host.evaluate(
    async ({ path, mark, untilKept, lastViewKey }) => {
      const chrome = (globalThis as unknown as { chrome: PopupApi }).chrome;
      const popups = () => chrome.extension.getViews({ type: "popup" });
      const pause = () => new Promise((resolve) => setTimeout(resolve, 10));
      const keptSince = (time: number) => {
        const kept = JSON.parse(localStorage.getItem(lastViewKey) ?? "null") as { fetchedAt: number; firstView?: unknown } | null;
        return kept?.firstView !== undefined && kept.fetchedAt >= time;
      };
      const openedAt = Date.now();
      await chrome.action.setPopup({ popup: path });
      await chrome.action.openPopup();
      const deadline = performance.now() + 30_000;
      for (;;) {
        const view = popups()[0];
        const shown = view?.performance.getEntriesByName(mark)[0];
        if (view && shown) {
          const firstView = view.document.getElementById("app")?.dataset.firstView === "shown";
          const apps = view.document.querySelectorAll(".apps > li").length;
          const loaded = () =>
            (view.performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming | undefined)?.loadEventEnd ?? 0;
          while (loaded() === 0) {
            if (performance.now() > deadline) throw new Error(`${path} opened as the popup never ended its load event`);
            await pause();
          }
          const opening = { ms: Math.max(shown.startTime, loaded()), markMs: shown.startTime, firstView, apps };
          while (untilKept && !keptSince(openedAt)) {
            if (performance.now() > deadline) throw new Error(`${path} opened as the popup kept no last view in 30 s`);
            await pause();
          }
          view.close();
          while (popups().length > 0) await pause();
          return opening;
        }
        if (performance.now() > deadline) {
          const text = view ? `it shows: ${view.document.body.innerText.slice(0, 200)}` : "it did not open";
          throw new Error(`${path} opened as the popup set no mark in 30 s; ${text}`);
        }
        await pause();
      }
    },
    { path, mark: summaryShownMark, untilKept, lastViewKey },
  );
}

/** The little of the extension API openAsPopup uses, in the page it runs in. */
interface PopupApi {
  action: { setPopup(details: { popup: string }): Promise<void>; openPopup(): Promise<void> };
  extension: { getViews(filter: { type: "popup" }): Window[] };
}

/** Opens `path` in a new tab the size of the popup, as the end-to-end tests do, and reads the same. */
async function openInTab(browser: Browser, path: string): Promise<Opening> {
  const page = await openExtensionPage(browser, path);
  try {
    await page.waitForFunction((mark) => performance.getEntriesByName(mark).length > 0, summaryShownMark, { timeout: 30_000 });
    return await page.evaluate((mark) => {
      const shown = performance.getEntriesByName(mark)[0]!.startTime;
      return {
        // A tab shows its page as it is drawn, loaded or not.
        ms: shown,
        markMs: shown,
        firstView: document.getElementById("app")?.dataset.firstView === "shown",
        apps: document.querySelectorAll(".apps > li").length,
      };
    }, summaryShownMark);
  } finally {
    await page.close();
  }
}

/**
 * Milliseconds from navigation start to all the tenant's apps on screen in the toolbar popup,
 * `runs` times, with and without the cache, and the floor pages opened between them; and, for
 * comparison, the popup and the empty page opened in tabs.
 */
export async function popupTimings(backend: Backend, apps: number, runs: number) {
  // A copy of the built extension with the floor pages added: the build itself stays as shipped.
  const extension = mkdtempSync(join(tmpdir(), "appseats-bench-extension-"));
  cpSync(extensionDir, extension, { recursive: true });
  writeFileSync(join(extension, "bench-probe.html"), probe.html);
  writeFileSync(join(extension, "bench-probe.js"), probe.js);
  // The page the popups are opened from: a tab of the extension, with nothing in it.
  writeFileSync(
    join(extension, "bench-host.html"),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bench</title></head><body></body></html>`,
  );
  await addSummaryOnlyPage(extension);
  const browser = await launchBrowser({ extension });
  try {
    await signIn(browser, backend, "Adatum Admin");
    const host = await openExtensionPage(browser, "bench-host.html");
    const checked = (what: string, opening: Opening) => {
      if (opening.apps < apps) throw new Error(`${what} showed ${opening.apps} of ${apps} apps`);
      return opening;
    };
    // The popup the toolbar button opens while someone is signed in (the background sets it, naming who).
    const set = await browser.worker.evaluate(() =>
      (globalThis as unknown as { chrome: { action: { getPopup: (d: object) => Promise<string> } } }).chrome.action.getPopup({}),
    );
    const signedInPopup = `${new URL(set).pathname.slice(1)}${new URL(set).search}`;
    if (!signedInPopup.includes("signed-in=")) throw new Error(`the popup set is ${set}, not the signed-in one`);
    const popup = async () => checked("the popup", await openAsPopup(host, signedInPopup, true));
    const probePopup = async () => (await openAsPopup(host, "bench-probe.html")).ms;
    const summaryOnly = async () => checked("the summary alone", await openAsPopup(host, "bench-summary.html")).ms;
    const popupInTab = async () => checked("the popup in a tab", await openInTab(browser, signedInPopup)).ms;
    const probeInTab = async () => (await openInTab(browser, "bench-probe.html")).ms;
    // Without the cache: neither the cached summaries (storage.local) nor the popup's last view (localStorage).
    const dropCache = async () => {
      await browser.worker.evaluate(async () => {
        const local = (
          globalThis as unknown as {
            chrome: { storage: { local: { get: () => Promise<object>; remove: (k: string[]) => Promise<void> } } };
          }
        ).chrome.storage.local;
        await local.remove(Object.keys(await local.get()).filter((k) => k.startsWith("summary:")));
      });
      await host.evaluate(() => localStorage.clear());
    };
    // Warm the browser's own caches of the extension's files.
    await popup();
    await probePopup();
    await summaryOnly();
    await popupInTab();
    await probeInTab();
    const withoutCache: number[] = [];
    const withCache: number[] = [];
    const withCacheMarks: number[] = [];
    let withCacheFirstViews = 0;
    const floor: number[] = [];
    const summaryAlone: number[] = [];
    const inTab: number[] = [];
    const floorInTab: number[] = [];
    // Each opening starts once the one before it has closed and settled, so that none pays for
    // the one before it; each kind of page in turn, four times a run (the machine is noisy), in
    // an order that rotates, so that all of them see the machine in the same state.
    const turns = 4;
    const settle = () => new Promise((resolve) => setTimeout(resolve, 250));
    const kinds = [
      async () => {
        const opened = await popup();
        withCache.push(opened.ms);
        withCacheMarks.push(opened.markMs);
        if (opened.firstView) withCacheFirstViews += 1;
      },
      async () => floor.push(await probePopup()),
      async () => summaryAlone.push(await summaryOnly()),
      async () => inTab.push(await popupInTab()),
      async () => floorInTab.push(await probeInTab()),
    ];
    for (let i = 0; i < runs; i++) {
      await dropCache();
      await settle();
      withoutCache.push((await popup()).ms);
      for (let turn = 0; turn < turns; turn++) {
        const shift = (turns * i + turn) % kinds.length;
        for (const measure of [...kinds.slice(shift), ...kinds.slice(0, shift)]) {
          await settle();
          await measure();
        }
      }
    }
    return {
      withoutCacheMs: round(median(withoutCache)),
      withCacheMs: round(median(withCache)),
      withCacheMarkMs: round(median(withCacheMarks)),
      floorMs: round(median(floor)),
      summaryOnlyMs: round(median(summaryAlone)),
      inTabMs: round(median(inTab)),
      floorInTabMs: round(median(floorInTab)),
      withCacheRuns: withCache.map((ms) => round(ms)),
      withCacheFirstViews,
      floorRuns: floor.map((ms) => round(ms)),
      summaryOnlyRuns: summaryAlone.map((ms) => round(ms)),
      inTabRuns: inTab.map((ms) => round(ms)),
      floorInTabRuns: floorInTab.map((ms) => round(ms)),
      runs,
    };
  } finally {
    await browser.close();
    rmSync(extension, { recursive: true, force: true });
  }
}

/**
 * The popup in Firefox (firefox-esr, headless, over WebDriver BiDi), opened in a tab the size of
 * the popup as the Firefox journeys open it, beside Firefox's own floor: the same empty page of
 * the extension whose one-line script sets the same mark. From navigation start to the mark;
 * with the cache (the popup's last view), after a warm-up, `runs` times each, in turn.
 */
export async function firefoxPopupTimings(backend: Backend, apps: number, runs: number) {
  const extension = mkdtempSync(join(tmpdir(), "appseats-bench-firefox-"));
  cpSync(firefoxExtensionDir, extension, { recursive: true });
  writeFileSync(join(extension, "bench-probe.html"), probe.html);
  writeFileSync(join(extension, "bench-probe.js"), probe.js);
  const firefox = await launchFirefox({ extension });
  try {
    const options = await pointAtBackend(firefox, backend, { save: /^Save$/, offering: "Sign in as Adatum Admin" });
    await clickButton(options, /^Sign in as Adatum Admin/);
    await waitForText(options, "Signed in as Adatum Admin");
    // The background names who is signed in in the popup's address once its refresh has ended.
    const popupSet = () =>
      options.evaluate(() =>
        (globalThis as unknown as { browser: { action: { getPopup: (d: object) => Promise<string> } } }).browser.action.getPopup({}),
      );
    let set = await popupSet();
    for (const deadline = Date.now() + 30_000; !set.includes("signed-in=") && Date.now() < deadline; set = await popupSet())
      await new Promise((resolve) => setTimeout(resolve, 100));
    if (!set.includes("signed-in=")) throw new Error(`the popup set is ${set}, not the signed-in one`);
    await options.close();
    const signedInPopup = `${new URL(set).pathname.slice(1)}${new URL(set).search}`;
    let firstViews = 0;
    const open = async (path: string, wantApps: number) => {
      const page = await openFirefoxPage(firefox, path, "body");
      try {
        await page.waitForFunction(
          (mark: string, want: number) =>
            performance.getEntriesByName(mark).length > 0 && document.querySelectorAll(".apps > li").length >= want,
          { timeout: 30_000 },
          summaryShownMark,
          wantApps,
        );
        const shown = await page.evaluate(
          (mark: string) => ({
            ms: performance.getEntriesByName(mark)[0]!.startTime,
            firstView: document.getElementById("app")?.dataset.firstView === "shown",
          }),
          summaryShownMark,
        );
        if (shown.firstView) firstViews += 1;
        return shown.ms;
      } finally {
        await page.close();
      }
    };
    // Warm up: the first openings fetch the summary and keep the last view.
    for (let i = 0; i < 3; i++) await open(signedInPopup, apps);
    await open("bench-probe.html", 0);
    firstViews = 0;
    const popup: number[] = [];
    const floor: number[] = [];
    const settle = () => new Promise((resolve) => setTimeout(resolve, 250));
    for (let i = 0; i < runs * 4; i++) {
      for (const [path, into, want] of (i % 2 === 0
        ? [
            [signedInPopup, popup, apps],
            ["bench-probe.html", floor, 0],
          ]
        : [
            ["bench-probe.html", floor, 0],
            [signedInPopup, popup, apps],
          ]) as [string, number[], number][]) {
        await settle();
        into.push(await open(path, want));
      }
    }
    return {
      inTabMs: round(median(popup)),
      floorInTabMs: round(median(floor)),
      inTabRuns: popup.map((ms) => round(ms)),
      floorInTabRuns: floor.map((ms) => round(ms)),
      /** Openings whose summary the first view (src/entrypoints/popup/first-view.ts) drew. */
      firstViews,
    };
  } finally {
    await firefox.close();
    rmSync(extension, { recursive: true, force: true });
  }
}
