import { execFile } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { root } from "./support.js";

interface LintMessage {
  code: string;
  file?: string;
  message: string;
}

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? sourceFiles(join(dir, name)) : [join(dir, name)]));

describe("the built extension", () => {
  it("the Firefox build passes web-ext lint (Mozilla's linter) with no errors", async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        join(root, "node_modules/web-ext/bin/web-ext.js"),
        "lint",
        "--source-dir",
        join(root, "extension/dist/firefox"),
        "--output",
        "json",
        "--no-input",
      ],
      { cwd: root, maxBuffer: 16 * 1024 * 1024 },
    );
    const report = JSON.parse(stdout) as { errors: LintMessage[]; warnings: LintMessage[] };
    expect(report.errors).toEqual([]);
    // The warnings left are Preact's renderer, bundled into each page's main script: it sets
    // innerHTML only for dangerouslySetInnerHTML, which the extension's source never uses.
    const warnings = report.warnings.map((w) => `${w.code} ${w.file?.replace(/-[\w-]{8}\.js$/, ".js")}`).sort();
    expect(warnings).toEqual(["UNSAFE_VAR_ASSIGNMENT chunks/options.js", "UNSAFE_VAR_ASSIGNMENT popup-app.js"]);
    expect(
      sourceFiles(join(root, "extension/src")).filter((file) => readFileSync(file, "utf8").includes("dangerouslySetInnerHTML")),
    ).toEqual([]);
  });

  it("each browser has its own manifest from one source, with no remote code", () => {
    const chrome = JSON.parse(readFileSync(join(root, "extension/dist/chrome/manifest.json"), "utf8"));
    const firefox = JSON.parse(readFileSync(join(root, "extension/dist/firefox/manifest.json"), "utf8"));
    expect(chrome.background).toEqual({ service_worker: "background.js", type: "module" });
    expect(firefox.background).toEqual({ scripts: ["background.js"], type: "module" });
    expect(firefox.browser_specific_settings.gecko.id).toBeTruthy();
    for (const manifest of [chrome, firefox]) {
      expect(manifest.manifest_version).toBe(3);
      expect(manifest.permissions).toEqual(["storage", "contextMenus", "alarms", "notifications", "activeTab", "identity"]);
      expect(manifest.host_permissions).toEqual(["http://127.0.0.1/*", "http://localhost/*", "https://login.microsoftonline.com/*"]);
      // MV3's own policy for scripts, and no image from anywhere but the extension and data: URLs.
      expect(manifest.content_security_policy).toEqual({ extension_pages: "script-src 'self'; object-src 'self'; img-src 'self' data:" });
    }
    const popup = readFileSync(join(root, "extension/dist/chrome/popup.html"), "utf8");
    expect(popup).not.toMatch(/https?:\/\//);
    for (const manifest of [chrome, firefox]) {
      expect(manifest.action).toMatchObject({ default_popup: "popup.html", default_title: "__MSG_actionTitle__" });
      expect(manifest.options_ui).toEqual({ page: "options.html", open_in_tab: true });
      expect(manifest.name).toBe("__MSG_extName__");
    }
  });
});
