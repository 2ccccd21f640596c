// Builds the extension: the popup and options pages, the background service worker as one
// file, and for each browser its own manifest, the locales and icons, then a zip of each.
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { zipSync } from "fflate";
import { build } from "vite";
import { iconPng } from "./icons.ts";
import { manifestFor } from "./manifest.ts";

const here = fileURLToPath(new URL(".", import.meta.url));
const dist = join(here, "dist");
const staging = join(dist, ".build");
const { version } = JSON.parse(readFileSync(join(here, "package.json"), "utf8"));
const quiet = { logLevel: process.env.APPSEATS_BUILD_VERBOSE ? "info" : "warn" };

rmSync(dist, { recursive: true, force: true });
const shared = {
  configFile: false,
  ...quiet,
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  resolve: { alias: { react: "preact/compat" } },
  define: { "process.env.NODE_ENV": '"production"' },
};

// The pages, each built on its own so that it loads one module: every file an extension page
// fetches is a round trip to the browser process, and the popup must open at once.
for (const page of ["popup", "options"]) {
  await build({
    ...shared,
    root: join(here, "src"),
    base: "/",
    build: {
      outDir: staging,
      emptyOutDir: page === "popup",
      target: "es2022",
      modulePreload: { polyfill: false },
      rollupOptions: { input: { [page]: join(here, `src/${page}/index.html`) } },
    },
  });
  inlineStylesheets(join(staging, page, "index.html"));
}

// The popup starts from src/popup/first-view.ts, a small classic script run as the page is parsed:
// it shows the last view at once, then runs the popup's module, which the page names but does not
// load. (Preloaded, the module was fetched and compiled before the first view could run: the
// summary showed 11 ms later, in 20 interleaved openings each.)
await buildScript("src/popup/first-view.ts", "assets/first-view.js", "iife");
const popupHtml = join(staging, "popup", "index.html");
const popupPage = readFileSync(popupHtml, "utf8");
const popupModule = /\n?\s*<script type="module" crossorigin src="([^"]+)"><\/script>/.exec(popupPage);
if (!popupModule) throw new Error("The popup page has no module script to start from its first view.");
writeFileSync(
  popupHtml,
  popupPage
    .replace(popupModule[0], "")
    .replace(`<div id="app"></div>`, `<div id="app"></div><script src="/assets/first-view.js" data-module="${popupModule[1]}"></script>`),
);

/**
 * Puts a page's stylesheets into the page itself: a module script waits for every stylesheet
 * before it runs, so a separate file would delay the first render by one more fetch.
 */
function inlineStylesheets(htmlPath) {
  const html = readFileSync(htmlPath, "utf8").replace(/<link rel="stylesheet"[^>]*href="\/([^"]+\.css)"[^>]*>/g, (_, path) => {
    const file = join(staging, path);
    const css = readFileSync(file, "utf8");
    rmSync(file);
    return `<style>${css}</style>`;
  });
  writeFileSync(htmlPath, html);
}

// The background: one self-contained module, as a service worker wants it.
await buildScript("src/background/index.ts", "background.js", "es");

/** One self-contained script from `entry`: a module ("es") or a classic script ("iife"). */
function buildScript(entry, fileName, format) {
  return build({
    ...shared,
    root: here,
    build: {
      outDir: staging,
      emptyOutDir: false,
      target: "es2022",
      lib: { entry: join(here, entry), formats: [format], name: "appseats", fileName: () => fileName },
      rollupOptions: { output: { codeSplitting: false } },
    },
  });
}

function filesOf(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesOf(path) : [path];
  });
}

for (const target of ["chrome", "firefox"]) {
  const out = join(dist, target);
  cpSync(staging, out, { recursive: true });
  cpSync(join(here, "public"), out, { recursive: true });
  mkdirSync(join(out, "icons"), { recursive: true });
  for (const size of [16, 32, 48, 128]) writeFileSync(join(out, "icons", `icon-${size}.png`), iconPng(size));
  writeFileSync(join(out, "manifest.json"), `${JSON.stringify(manifestFor(target, version), null, 2)}\n`);
  const files = Object.fromEntries(filesOf(out).map((path) => [relative(out, path).split("\\").join("/"), readFileSync(path)]));
  writeFileSync(join(dist, `appseats-${target}-${version}.zip`), zipSync(files, { level: 9 }));
}
rmSync(staging, { recursive: true, force: true });
console.log(
  `Built the extension: ${relative(process.cwd(), join(dist, "chrome"))} and ${relative(process.cwd(), join(dist, "firefox"))} (with zips).`,
);
