/** The popup in headless Chromium against the large tenant: what it ships, and how soon it shows the summary. */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { Page } from "playwright-core";
import { build } from "vite";
import type { Backend } from "../support/backend.ts";
import { extensionDir, launchBrowser, openExtensionPage, pageUrl, root, signIn } from "../e2e/support.ts";
import { median, round } from "./measure.ts";

const gzipped = (content: string | Buffer) => gzipSync(content, { level: 9 }).length;

/** The scripts and styles the popup page loads: its scripts, the chunks they import (statically or not), its styles. */
export function popupBytes() {
  const html = readFileSync(join(extensionDir, "popup/index.html"), "utf8");
  const files = new Set<string>();
  const visit = (path: string) => {
    if (files.has(path)) return;
    files.add(path);
    if (!path.endsWith(".js")) return;
    const code = readFileSync(join(extensionDir, path), "utf8");
    for (const [, chunk] of code.matchAll(/(?:from\s*|import\s*\(\s*)"\.\/([\w.-]+\.js)"/g)) visit(`assets/${chunk}`);
  };
  for (const [, path] of html.matchAll(/(?:src|href|data-module)="\/([^"]+\.(?:js|css))"/g)) visit(path!);
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
  js: `document.getElementById("shown").textContent = "shown"; performance.mark("appseats:summary-shown");`,
};

/** The second floor, extension/bench/summary-only.tsx built into the extension's copy as one script, with the popup's styles. */
async function addSummaryOnlyPage(extension: string) {
  await build({
    configFile: false,
    logLevel: "warn",
    root: extension,
    oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
    build: {
      outDir: extension,
      emptyOutDir: false,
      target: "es2022",
      lib: { entry: join(root, "extension/bench/summary-only.tsx"), formats: ["es"], fileName: () => "bench-summary.js" },
    },
  });
  const styles = readFileSync(join(extensionDir, "popup/index.html"), "utf8").match(/<style>[\s\S]*?<\/style>/g)?.join("") ?? "";
  writeFileSync(
    join(extension, "bench-summary.html"),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>summary</title><script type="module" src="/bench-summary.js"></script>${styles}</head><body><div id="app"></div></body></html>`,
  );
}

/** Milliseconds from navigation start to the page's "summary shown" mark. */
async function shownAt(page: Page): Promise<number> {
  await page.waitForFunction(() => performance.getEntriesByName("appseats:summary-shown").length > 0, undefined, { timeout: 30_000 });
  return page.evaluate(() => performance.getEntriesByName("appseats:summary-shown")[0]!.startTime);
}

/**
 * Milliseconds from navigation start to all the tenant's apps on screen, `runs` times, with and
 * without the cache, and the floor page opened between them.
 */
export async function popupTimings(backend: Backend, apps: number, runs: number) {
  // A copy of the built extension with the floor page added: the build itself stays as shipped.
  const extension = mkdtempSync(join(tmpdir(), "appseats-bench-extension-"));
  cpSync(extensionDir, extension, { recursive: true });
  writeFileSync(join(extension, "bench-probe.html"), probe.html);
  writeFileSync(join(extension, "bench-probe.js"), probe.js);
  await addSummaryOnlyPage(extension);
  const browser = await launchBrowser({ extension });
  try {
    await signIn(browser, backend, "Adatum Admin");
    // Each page marks the moment its summary is first on screen; read that mark, in page time.
    const openPage = async (path: string, expectedApps: number) => {
      const page = await openExtensionPage(browser, path);
      const ms = await shownAt(page);
      const shown = await page.locator(".apps > li").count();
      if (shown < expectedApps) throw new Error(`${path} showed ${shown} of ${expectedApps} apps`);
      // Whether the popup's first view (src/popup/first-view.ts) drew it.
      const firstView = await page.evaluate(() => document.getElementById("app")?.dataset.firstView === "shown");
      await page.close();
      return { ms, firstView };
    };
    const open = () => openPage("popup/index.html", apps);
    const openProbe = async () => (await openPage("bench-probe.html", 0)).ms;
    const openSummaryOnly = async () => (await openPage("bench-summary.html", apps)).ms;
    // Without the cache: neither the cached summaries (storage.local) nor the popup's last view (localStorage).
    const dropCache = async () => {
      await browser.worker.evaluate(async () => {
        const local = (globalThis as unknown as { chrome: { storage: { local: { get: () => Promise<object>; remove: (k: string[]) => Promise<void> } } } }).chrome.storage.local;
        await local.remove(Object.keys(await local.get()).filter((k) => k.startsWith("summary:")));
      });
      const page = await browser.context.newPage();
      await page.goto(pageUrl(browser, "options/index.html"));
      await page.evaluate(() => localStorage.clear());
      await page.close();
    };
    await open(); // warm the browser's own caches of the extension's files
    await openProbe();
    await openSummaryOnly();
    const withoutCache: number[] = [];
    const withCache: number[] = [];
    let withCacheFirstViews = 0;
    const floor: number[] = [];
    const summaryOnly: number[] = [];
    // Each opening starts once the page before it has closed and settled, so that none pays for
    // the one before it; each kind of page in turn, four times a run (the machine is noisy), in
    // an order that rotates, so that all three see the machine in the same state.
    const turns = 4;
    const settle = () => new Promise((resolve) => setTimeout(resolve, 250));
    const kinds = [
      async () => {
        const opened = await open();
        withCache.push(opened.ms);
        if (opened.firstView) withCacheFirstViews += 1;
      },
      async () => floor.push(await openProbe()),
      async () => summaryOnly.push(await openSummaryOnly()),
    ];
    for (let i = 0; i < runs; i++) {
      await dropCache();
      await settle();
      withoutCache.push((await open()).ms);
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
      floorMs: round(median(floor)),
      summaryOnlyMs: round(median(summaryOnly)),
      withCacheRuns: withCache.map((ms) => round(ms)),
      withCacheFirstViews,
      floorRuns: floor.map((ms) => round(ms)),
      summaryOnlyRuns: summaryOnly.map((ms) => round(ms)),
      runs,
    };
  } finally {
    await browser.close();
    rmSync(extension, { recursive: true, force: true });
  }
}
