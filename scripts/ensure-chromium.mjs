// The end-to-end tests and the benchmark drive Debian's Chromium. Installs it (with a CJK font,
// so zh_TW screenshots are legible) where it is missing and this user may; else says what to do.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const hasFont = () => spawnSync("sh", ["-c", "fc-list | grep -qi wenquanyi"]).status === 0;

if (!existsSync(chromium) || !hasFont()) {
  const root = process.getuid?.() === 0;
  if (!root || !existsSync("/usr/bin/apt-get")) {
    console.error(
      `Chromium is needed at ${chromium} for the browser tests. Install Debian's chromium and fonts-wqy-microhei, or set CHROMIUM_PATH.`,
    );
    process.exit(1);
  }
  console.log("Installing Chromium and a CJK font from Debian's packages for the browser tests …");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
  execFileSync("apt-get", ["install", "-y", "-qq", "chromium", "fonts-wqy-microhei"], { stdio: ["ignore", "ignore", "inherit"], env });
}
