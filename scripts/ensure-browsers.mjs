// The end-to-end tests and the benchmark drive Debian's Chromium and Firefox ESR. Installs what is
// missing (with a CJK font, so zh_TW screenshots are legible, and Firefox's Traditional Chinese
// language pack, so the extension can be seen in zh_TW) where this user may; else says what to do.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const firefox = process.env.FIREFOX_PATH ?? "/usr/bin/firefox-esr";
/** dpkg's own word: a package is installed when its status says so. */
const installed = (pkg) => spawnSync("dpkg", ["-s", pkg], { encoding: "utf8" }).stdout?.includes("Status: install ok installed");

const wanted = [
  ...(existsSync(chromium) ? [] : ["chromium"]),
  ...(existsSync(firefox) ? [] : ["firefox-esr"]),
  ...["fonts-wqy-microhei", "firefox-esr-l10n-zh-tw"].filter((pkg) => !installed(pkg)),
];

if (wanted.length > 0) {
  const root = process.getuid?.() === 0;
  if (!root || !existsSync("/usr/bin/apt-get")) {
    console.error(
      `The browser tests need Debian's ${wanted.join(", ")} (Chromium at ${chromium}, Firefox at ${firefox}): install them, or set CHROMIUM_PATH and FIREFOX_PATH.`,
    );
    process.exit(1);
  }
  console.log(`Installing ${wanted.join(", ")} from Debian's packages for the browser tests …`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
  execFileSync("apt-get", ["install", "-y", "-qq", ...wanted], { stdio: ["ignore", "ignore", "inherit"], env });
}
