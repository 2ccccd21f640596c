/**
 * The extension's build (WXT): the entry points in src/entrypoints, one manifest source for
 * Chrome and Firefox (manifest.ts), zips for the stores, and `wxt` for a dev build that reloads.
 */
import { parseHTML } from "linkedom";
import type { Plugin } from "vite";
import { defineConfig } from "wxt";
import { builtInBackendOf } from "./built-in.ts";
import { manifestFor } from "./manifest.ts";

/**
 * The popup page as it must open: its first view (src/entrypoints/popup/first-view.ts) is the page's only
 * script, and its stylesheet is in the page itself. A script waits for every stylesheet the page
 * links before it runs, and Chromium shows a popup only once its page has loaded, so a linked
 * stylesheet or any other script would hold the first view back. The extension uses no WXT
 * runtime plugins, whose loader WXT adds to every page.
 */
function popupPage(): Plugin {
  return {
    name: "appseats:popup-page",
    transformIndexHtml: {
      order: "post",
      handler(html, { path, bundle, chunk }) {
        if (!bundle || !/\/popup(\/index)?\.html$/.test(path)) return html;
        const { document } = parseHTML(html);
        // The page's source has no module script: the one the build made for it, and what that
        // imports, are WXT's plugin loader alone.
        const pluginLoader = new Set<string>();
        const visit = (file: string) => {
          if (pluginLoader.has(`/${file}`)) return;
          pluginLoader.add(`/${file}`);
          const output = bundle[file];
          if (output?.type === "chunk") for (const imported of output.imports) visit(imported);
        };
        if (chunk) visit(chunk.fileName);
        for (const element of document.querySelectorAll("script[type=module], link[rel=modulepreload]")) {
          if (pluginLoader.has(element.getAttribute("src") ?? element.getAttribute("href") ?? "")) element.remove();
        }
        for (const link of document.querySelectorAll("link[rel=stylesheet]")) {
          const stylesheet = bundle[link.getAttribute("href")!.replace(/^\//, "")];
          if (stylesheet?.type !== "asset")
            throw new Error(`The popup links a stylesheet the build did not make: ${link.getAttribute("href")}`);
          const style = document.createElement("style");
          style.textContent = String(stylesheet.source);
          link.replaceWith(style);
        }
        return document.toString();
      },
    },
  };
}

export default defineConfig({
  srcDir: "src",
  outDir: "dist",
  outDirTemplate: "{{browser}}{{modeSuffix}}",
  manifestVersion: 3,
  // Text in _locales made from src/locales (English, Traditional Chinese), with its keys typed (core/i18n.ts).
  modules: ["@wxt-dev/i18n/module"],
  // Imports are written out: a reader sees where each name comes from.
  imports: false,
  manifest: ({ browser }) => manifestFor(browser),
  vite: () => ({
    plugins: [popupPage()],
    // The backend the extension ships for and its Entra ID registration, fixed at build time (built-in.ts).
    define: { __APPSEATS_BUILT_IN__: JSON.stringify(builtInBackendOf(process.env)) },
    oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
    resolve: { alias: { react: "preact/compat" } },
    build: { target: "es2022" },
  }),
  zip: { artifactTemplate: "appseats-{{browser}}-{{packageVersion}}.zip", zipSources: false },
  hooks: {
    // WXT titles the toolbar button with the popup page's <title>; the button's is localised.
    "build:manifestGenerated": (_wxt, manifest) => {
      if (manifest.action) manifest.action.default_title = "__MSG_actionTitle__";
    },
  },
  // The dev build (`npm run dev -w extension`) is loaded by hand, as README says, in the browser of one's choice.
  webExt: { disabled: true },
});
