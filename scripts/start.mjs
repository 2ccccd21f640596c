// npm start: the local AppSeats. Applies the migrations to the local D1, seeds DEMO.md
// (idempotent), and serves the worker on 127.0.0.1:8787 with local sign-in enabled, and with
// sign-in with Microsoft Entra ID: through the local stand-in (scripts/local-entra.ts) on
// 127.0.0.1:8788, or, when ENTRA_AUTHORITY and ENTRA_CLIENT_ID are set, through that authority.
// `npm start` builds the extension first; this script says where it is and how to load it.
import { join } from "node:path";
import { demoVendorKey } from "../worker/seed/demo.ts";
import { prepareDatabase, prepareStores, startWorker, stopWorker, workerDir } from "./local-backend.ts";
import { startLocalEntra } from "./local-entra.ts";

const port = Number(process.env.PORT ?? 8787);
const persist = process.env.APPSEATS_PERSIST; // a separate local database, for tests
const extensionDir = (target) => join(workerDir, "..", "extension", "dist", target);

try {
  console.log("AppSeats: applying migrations and seeding the demo data (DEMO.md) …");
  await prepareDatabase({ persist });
  const configured = process.env.ENTRA_AUTHORITY && process.env.ENTRA_CLIENT_ID;
  const entra = configured
    ? { authority: process.env.ENTRA_AUTHORITY, clientId: process.env.ENTRA_CLIENT_ID, local: false }
    : { ...(await startLocalEntra({ port: Number(process.env.ENTRA_PORT ?? port + 1) })), local: true };
  console.log("AppSeats: starting the worker …");
  const worker = await startWorker({ port, persist, entra, onOutput: (chunk) => process.stdout.write(chunk) });
  worker.on("exit", (code) => process.exit(code ?? 0));
  await prepareStores(port);
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => void stopWorker(worker, signal).then(() => process.exit(0)));
  announce(entra);
} catch (error) {
  console.error(String(error instanceof Error ? error.message : error));
  process.exit(1);
}

function announce(entra) {
  const url = `http://127.0.0.1:${port}`;
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

Sign in with Microsoft: ${entra.local ? `the local Entra ID stand-in at ${entra.authority} (client id ${entra.clientId})` : `${entra.authority} (client id ${entra.clientId})`}

Demo accounts (${entra.local ? "local sign-in or the stand-in" : "local sign-in"}, no password):
${accounts.map(([upn, name, role]) => `  ${upn.padEnd(22)} ${name.padEnd(16)} ${role}`).join("\n")}

Vendor keys (local only): ${["fabrikam", "northwind", "tailspin", "litware"].map(demoVendorKey).join(", ")}

The browser extension is built in extension/dist:
  Chromium or Chrome: open chrome://extensions, turn on Developer mode, "Load unpacked", choose
                      ${extensionDir("chrome")}
  Firefox:            open about:debugging#/runtime/this-firefox, "Load Temporary Add-on…", choose
                      ${extensionDir("firefox")}/manifest.json
  Then open its options (right-click the AppSeats icon > Options), choose "Sign in with Microsoft"
  and pick Megan Bowen (or sign in locally as a demo account).
Press Ctrl+C to stop.
`);
}
