import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { builtInBackendOf } from "./extension/built-in.ts";

export default defineConfig({
  test: {
    projects: [
      {
        // Worker tests run inside workerd against the real migrations on D1's local SQLite.
        plugins: [
          cloudflareTest(async () => ({
            wrangler: { configPath: "./worker/wrangler.jsonc" },
            // The local entry point, as wrangler dev runs it: the local sign-in is there.
            main: "./worker/src/local.ts",
            miniflare: {
              bindings: {
                DEV_SIGN_IN: "true",
                // Entra ID sign-in, against the test authority of test/worker/entra.ts.
                ENTRA_CLIENT_ID: "5a1e5ea7-0000-4000-8000-00000000c11d",
                ENTRA_AUTHORITY: "https://login.test",
                // Another application allowed to ask for AppSeats tokens (their azp).
                ENTRA_ALLOWED_CLIENT_IDS: "0ff1ce00-0000-4000-8000-00000000a11d, 0ff1ce00-0000-4000-8000-00000000b22e",
                // The operator's routes (/ops/v1): the move into tenant stores, the audit's purge.
                OPERATOR_TOKEN: "test-operator",
                // Seals vendors' webhook secrets: a key of this run's own.
                WEBHOOK_SECRETS_KEY: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64"),
                TEST_MIGRATIONS: await readD1Migrations("./worker/migrations"),
              },
            },
          })),
        ],
        // One isolate for every file (isolate: false): every test starts from reset storage, and
        // seeding the demo has the worker forget what its isolate remembered (routes/dev.ts).
        // Importing the worker again for each file cost 90 s of the run.
        test: {
          name: "worker",
          include: ["test/worker/**/*.test.ts"],
          // A vendor's webhook endpoint on 127.0.0.1, for the webhooks' tests.
          globalSetup: ["test/support/webhook-receiver-setup.ts"],
          isolate: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        // The extension's modules as its build defines them (extension/built-in.ts).
        define: { __APPSEATS_BUILT_IN__: JSON.stringify(builtInBackendOf({})) },
        test: { name: "unit", include: ["test/unit/**/*.test.ts"], environment: "node" },
      },
      {
        // The operator's commands (npm run catalog …) against a local database of their own.
        test: { name: "scripts", include: ["test/scripts/**/*.test.ts"], environment: "node", testTimeout: 60_000 },
      },
      {
        // The built extension in headless Chromium against a real `wrangler dev`, one file at a time.
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
