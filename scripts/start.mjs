// npm start: the local AppSeats. Applies the migrations to the local D1, seeds DEMO.md
// (idempotent), and serves the worker on 127.0.0.1:8787 with local sign-in enabled.
// `npm start` builds the extension first; this script says where it is and how to load it.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { demoSeedStatements, demoVendorKey } from "../worker/seed/demo.ts";
import { workerDir, wranglerEnv } from "./wrangler-env.mjs";

const extensionDir = (target) => join(workerDir, "..", "extension", "dist", target);

const port = Number(process.env.PORT ?? 8787);
const persist = process.env.APPSEATS_PERSIST; // a separate local database, for tests
const persistArgs = persist ? ["--persist-to", persist] : [];

function wrangler(args, what) {
  const run = spawnSync("npx", ["wrangler", ...args], { cwd: workerDir, env: wranglerEnv, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
  if (run.status !== 0) {
    console.error(`Could not ${what}:\n${run.stdout}\n${run.stderr}`);
    process.exit(1);
  }
}

console.log("AppSeats: applying migrations to the local D1 …");
wrangler(["d1", "migrations", "apply", "DB", "--local", ...persistArgs], "apply the migrations");

console.log("AppSeats: seeding the demo data (DEMO.md) …");
const dir = mkdtempSync(join(tmpdir(), "appseats-seed-"));
const seedFile = join(dir, "demo.sql");
writeFileSync(seedFile, (await demoSeedStatements()).map((s) => `${s};`).join("\n"));
wrangler(["d1", "execute", "DB", "--local", "--file", seedFile, ...persistArgs], "seed the demo data");
rmSync(dir, { recursive: true, force: true });

console.log("AppSeats: starting the worker …");
const dev = spawn(
  "npx",
  ["wrangler", "dev", "--ip", "127.0.0.1", "--port", String(port), "--var", "DEV_SIGN_IN:true", "--show-interactive-dev-session=false", ...persistArgs],
  { cwd: workerDir, env: wranglerEnv, stdio: ["ignore", "pipe", "inherit"] },
);

const url = `http://127.0.0.1:${port}`;
let announced = false;
dev.stdout.on("data", (chunk) => {
  process.stdout.write(chunk);
  if (!announced && /Ready on/i.test(String(chunk))) {
    announced = true;
    announce();
  }
});
dev.on("exit", (code) => process.exit(code ?? 0));
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => dev.kill(signal));

function announce() {
  const accounts = [
    ["megan@contoso.com", "Megan Bowen", "GlobalAdmin"],
    ["lidia@contoso.com", "Lidia Holloway", "LicenseAdmin"],
    ["alex@contoso.com", "Alex Wilber", "UserAdmin"],
    ["ben@contoso.com", "Ben Walters", "BillingAdmin"],
    ["grady@contoso.com", "Grady Archie", "GlobalReader"],
    ["pradeep@fabrikam.com", "Pradeep Gupta", "GlobalAdmin (Fabrikam)"],
  ];
  console.log(`
AppSeats is running at ${url}
  API:      ${url}/api/v1  (OpenAPI: ${url}/api/v1/openapi.json)
  Sign in:  curl -s -X POST ${url}/api/v1/dev/sign-in -H 'content-type: application/json' -d '{"userPrincipalName":"megan@contoso.com"}'

Demo accounts (local sign-in, no password):
${accounts.map(([upn, name, role]) => `  ${upn.padEnd(22)} ${name.padEnd(16)} ${role}`).join("\n")}

Vendor keys (local only): ${["fabrikam", "northwind", "tailspin", "litware"].map(demoVendorKey).join(", ")}

The browser extension is built in extension/dist:
  Chromium or Chrome: open chrome://extensions, turn on Developer mode, "Load unpacked", choose
                      ${extensionDir("chrome")}
  Firefox:            open about:debugging#/runtime/this-firefox, "Load Temporary Add-on…", choose
                      ${extensionDir("firefox")}/manifest.json
  Then open its options (right-click the AppSeats icon > Options) and sign in as Megan Bowen.
Press Ctrl+C to stop.
`);
}
