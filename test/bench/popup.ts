/** The popup in headless Chromium against the large tenant: what it ships, and how soon it shows the summary. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { Backend } from "../support/backend.ts";
import { extensionDir, launchBrowser, openPopup, signIn } from "../e2e/support.ts";
import { median, round } from "./measure.ts";

/** The scripts and styles the popup page loads: its entry, the chunks it imports, its stylesheet. */
export function popupBytes() {
  const html = readFileSync(join(extensionDir, "popup/index.html"), "utf8");
  const files = new Set<string>();
  const visit = (path: string) => {
    if (files.has(path)) return;
    files.add(path);
    if (!path.endsWith(".js")) return;
    const code = readFileSync(join(extensionDir, path), "utf8");
    for (const [, chunk] of code.matchAll(/from\s*"\.\/([\w.-]+\.js)"/g)) visit(`assets/${chunk}`);
  };
  for (const [, path] of html.matchAll(/(?:src|href)="\/([^"]+\.(?:js|css))"/g)) visit(path!);
  let js = 0;
  let css = 0;
  for (const path of files) {
    const gzipped = gzipSync(readFileSync(join(extensionDir, path)), { level: 9 }).length;
    if (path.endsWith(".css")) css += gzipped;
    else js += gzipped;
  }
  return { jsGzipBytes: js, cssGzipBytes: css, totalGzipBytes: js + css, files: [...files] };
}

/** Milliseconds from navigation start to all the tenant's apps on screen, `runs` times, with and without the cache. */
export async function popupTimings(backend: Backend, apps: number, runs: number) {
  const browser = await launchBrowser();
  try {
    await signIn(browser, backend, "Adatum Admin");
    // Chromium's own part: from navigation to the parsed page, before any of the popup's code runs.
    const pageStarts: number[] = [];
    // The popup marks the moment its summary is first on screen; read that mark, in page time.
    const open = async () => {
      const page = await openPopup(browser);
      await page.waitForFunction(() => performance.getEntriesByName("appseats:summary-shown").length > 0, undefined, { timeout: 30_000 });
      const [ms, pageStart] = await page.evaluate(() => [
        performance.getEntriesByName("appseats:summary-shown")[0]!.startTime,
        (performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming).domInteractive,
      ]);
      pageStarts.push(pageStart!);
      const shown = await page.locator(".apps > li").count();
      if (shown < apps) throw new Error(`the popup showed ${shown} of ${apps} apps`);
      await page.close();
      return ms;
    };
    // Without the cache: neither the cached summaries (storage.local) nor the popup's last view (localStorage).
    const dropCache = async () => {
      await browser.worker.evaluate(async () => {
        const local = (globalThis as unknown as { chrome: { storage: { local: { get: () => Promise<object>; remove: (k: string[]) => Promise<void> } } } }).chrome.storage.local;
        await local.remove(Object.keys(await local.get()).filter((k) => k.startsWith("summary:")));
      });
      const page = await browser.context.newPage();
      await page.goto(`chrome-extension://${browser.extensionId}/options/index.html`);
      await page.evaluate(() => localStorage.clear());
      await page.close();
    };
    await open(); // warm the browser's own caches of the extension's files
    const withoutCache: number[] = [];
    const withCache: number[] = [];
    for (let i = 0; i < runs; i++) {
      await dropCache();
      withoutCache.push(await open());
      withCache.push(await open());
    }
    return { withoutCacheMs: round(median(withoutCache)), withCacheMs: round(median(withCache)), pageStartMs: round(median(pageStarts)), runs };
  } finally {
    await browser.close();
  }
}
