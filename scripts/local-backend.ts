// The local AppSeats backend, step by step: migrate and seed a local D1, then run `wrangler dev`
// on it. `npm start` uses these, and so do the suites that need a real worker (restarts included).
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";
import { experimental_readRawConfig, getPlatformProxy, unstable_splitSqlQuery } from "wrangler";
import { demoControlStatements } from "../worker/seed/demo.ts";
import { localOperatorToken, moveToStores } from "./move-to-stores.ts";

export const workerDir = fileURLToPath(new URL("../worker/", import.meta.url));
/** Wrangler from the worker's folder, telemetry off: the network is closed. */
const operatorEnv = { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" };
const wranglerEnv = { ...operatorEnv, CI: process.env.CI ?? "true" };

const persistArgs = (persist?: string) => (persist ? ["--persist-to", persist] : []);

/**
 * The key that seals vendors' webhook secrets in a local run: made once for each local state
 * folder and kept beside its data (never in the repository), so that the secrets stored there
 * still open after a restart. A deployment sets its own (wrangler secret put WEBHOOK_SECRETS_KEY).
 */
export function localWebhookSecretsKey(persist?: string): string {
  const folder = persist ?? join(workerDir, ".wrangler", "state");
  const file = join(folder, "webhook-secrets-key");
  if (!existsSync(file)) {
    mkdirSync(folder, { recursive: true });
    writeFileSync(file, randomBytes(32).toString("base64"), { mode: 0o600 });
  }
  return readFileSync(file, "utf8").trim();
}

/**
 * Runs the project's wrangler in the worker's folder, telemetry off; its output is the caller's to
 * read. `operator`: for the operator's own commands, which may need wrangler's login (not forced
 * non-interactive as CI).
 */
export const runWrangler = (args: string[], { operator = false } = {}) =>
  spawnSync("npx", ["wrangler", ...args], {
    cwd: workerDir,
    env: operator ? operatorEnv : wranglerEnv,
    stdio: ["ignore", "pipe", "pipe"],
    encoding: "utf8",
  });

/** A value bound to a statement's parameter. */
export type Value = string | number | null;

/** Which D1 database: the local one (in `persistTo`, or the one npm start serves) or, with `remote`, the deployed one. */
export interface D1Location {
  remote: boolean;
  persistTo?: string | undefined;
}

/** What the scripts use of wrangler's D1 binding. */
interface BoundStatement {
  bind(...values: Value[]): BoundStatement;
  all<T>(): Promise<{ results: T[] }>;
}
interface D1Binding {
  prepare(sql: string): BoundStatement;
  batch(statements: BoundStatement[]): Promise<unknown[]>;
}

/**
 * The worker's D1 database through wrangler's own binding, in this process: the local one (in
 * `persistTo`, or the one npm start serves) or, with `remote`, the deployed one (wrangler asks for
 * its login). getPlatformProxy is given the database binding alone (marked remote for --remote),
 * so it binds that database and starts none of the worker's other parts.
 */
export async function openD1(where: D1Location): Promise<{
  db: D1Binding;
  dispose(): Promise<void>;
}> {
  const configDir = mkdtempSync(join(workerDir, ".wrangler-d1-"));
  const { rawConfig } = experimental_readRawConfig({ config: join(workerDir, "wrangler.jsonc") });
  const configPath = join(configDir, "wrangler.json");
  writeFileSync(
    configPath,
    JSON.stringify({
      name: rawConfig.name,
      compatibility_date: rawConfig.compatibility_date,
      d1_databases: (rawConfig.d1_databases ?? []).map((database: object) => ({ ...database, ...(where.remote ? { remote: true } : {}) })),
    }),
  );
  try {
    const proxy = await getPlatformProxy<{ DB: D1Binding }>({
      configPath,
      envFiles: [],
      persist: where.remote ? false : { path: join(where.persistTo ?? join(workerDir, ".wrangler", "state"), "v3") },
      remoteBindings: where.remote,
    });
    return {
      db: proxy.env.DB,
      async dispose() {
        await proxy.dispose();
        rmSync(configDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(configDir, { recursive: true, force: true });
    throw error;
  }
}

const migrationsDir = join(workerDir, "migrations");

/**
 * The migrations not yet applied, each in one batch with its row in d1_migrations: what
 * `wrangler d1 migrations apply` does, without starting wrangler for it.
 */
async function applyMigrations(db: D1Binding) {
  await db.batch([
    db.prepare(`CREATE TABLE IF NOT EXISTS d1_migrations (
      id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)`),
  ]);
  const applied = new Set((await db.prepare(`SELECT name FROM d1_migrations`).all<{ name: string }>()).results.map((r) => r.name));
  const pending = readdirSync(migrationsDir)
    .filter((file) => file.endsWith(".sql") && !applied.has(file))
    .sort();
  for (const name of pending) {
    const queries = unstable_splitSqlQuery(readFileSync(join(migrationsDir, name), "utf8"));
    await db.batch([...queries.map((sql) => db.prepare(sql)), db.prepare(`INSERT INTO d1_migrations (name) VALUES (?1)`).bind(name)]);
  }
}

/**
 * Applies the migrations and seeds DEMO.md's control plane (idempotent), then any extra SQL
 * statements: rows in the D1 design's tenant tables, which startWorker moves into the stores.
 */
export async function prepareDatabase({ persist, extraSql = [] }: { persist?: string; extraSql?: string[] } = {}) {
  const { db, dispose } = await openD1({ remote: false, persistTo: persist });
  try {
    await applyMigrations(db);
    await db.batch([...(await demoControlStatements()), ...extraSql].map((sql) => db.prepare(sql)));
  } finally {
    await dispose();
  }
}

/**
 * Starts `wrangler dev` with local sign-in (and Entra ID sign-in, given `entra`) on 127.0.0.1:port, in its own process group so that
 * it can be stopped, or killed, whole. Resolves once it answers.
 *
 * `quiet` turns off two conveniences of local development that production does not have and
 * that cost CPU on every request: the request log line (sent from the runtime to the wrangler
 * process) and the local trace collector behind the local explorer. The benchmark runs quiet.
 */
export async function startWorker({
  port = 8787,
  persist,
  quiet = false,
  entra,
  onOutput,
}: {
  port?: number;
  persist?: string;
  quiet?: boolean;
  /** Sign-in with Microsoft Entra ID: whose tokens the worker trusts (the local stand-in, or Entra ID itself). */
  entra?: { authority: string; clientId: string };
  onOutput?: (chunk: string) => void;
} = {}): Promise<ChildProcess> {
  if (await answers(port)) throw new Error(`Something already answers on 127.0.0.1:${port}: stop it, or choose another port.`);
  const child = spawn(
    "npx",
    [
      "wrangler",
      "dev",
      // The local entry point: the production one (wrangler.jsonc's main) has no local sign-in.
      "src/local.ts",
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--var",
      "DEV_SIGN_IN:true",
      "--var",
      `OPERATOR_TOKEN:${localOperatorToken}`,
      "--var",
      `WEBHOOK_SECRETS_KEY:${localWebhookSecretsKey(persist)}`,
      ...(entra ? ["--var", `ENTRA_AUTHORITY:${entra.authority}`, "--var", `ENTRA_CLIENT_ID:${entra.clientId}`] : []),
      "--show-interactive-dev-session=false",
      ...(quiet ? ["--log-level", "warn"] : []),
      ...persistArgs(persist),
    ],
    {
      cwd: workerDir,
      env: { ...wranglerEnv, ...(quiet ? { X_LOCAL_OBSERVABILITY: "false" } : {}) },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    },
  );
  return new Promise((resolve, reject) => {
    let output = "";
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(child);
    };
    const timer = setTimeout(() => settle(new Error(`wrangler dev did not start within 90 s:\n${output}`)), 90_000);
    const onData = (chunk: Buffer | string) => {
      chunk = String(chunk);
      onOutput?.(chunk);
      if (!settled) output += chunk;
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("exit", (code) => settle(new Error(`wrangler dev exited (${code}):\n${output}`)));
    // Ready once the worker answers (a quiet wrangler prints no "Ready on" line).
    const poll = async () => {
      while (!settled) {
        if (await answers(port)) return settle();
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    void poll();
  });
}

/**
 * The tenants' stores of a local worker that has just started on a database prepareDatabase
 * made: DEMO.md's rows written into the demo tenants' stores (where missing), and the rows of the
 * D1 design's tenant tables moved into their stores (npm run move-to-stores). Once, after the
 * first start: a restart keeps the stores as they are.
 */
export async function prepareStores(port: number, log: (line: string) => void = () => {}) {
  const seeded = await fetch(`http://127.0.0.1:${port}/api/v1/dev/seed`, { method: "POST" });
  if (seeded.status !== 204) throw new Error(`Could not seed the demo's stores: ${seeded.status} ${await seeded.text()}`);
  await moveToStores(`http://127.0.0.1:${port}`, localOperatorToken, log);
}

/** Whether a server answers on the port now. */
async function answers(port: number): Promise<boolean> {
  return fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2_000) }).then(
    () => true,
    () => false,
  );
}

/**
 * Stops a worker started above: the whole process group, with the given signal. Resolves once
 * every process of the group has gone, workerd included, so that its files are no longer in use
 * (wrangler itself may exit before the runtime it started).
 */
export async function stopWorker(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  await new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    try {
      process.kill(-child.pid!, signal);
    } catch {
      resolve();
    }
  });
  const groupAlive = () => {
    try {
      process.kill(-child.pid!, 0);
      return true;
    } catch {
      return false;
    }
  };
  for (const started = Date.now(); groupAlive() && Date.now() - started < 10_000; ) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The SQLite file of each tenant's store in a persist folder, by tenant id (each store names its tenant). */
export function storeFiles(persist: string): Map<string, string> {
  const dir = join(persist, "v3", "do", "appseats-TenantStore");
  const files = new Map<string, string>();
  for (const name of readdirSync(dir).filter((n) => n.endsWith(".sqlite") && n !== "metadata.sqlite")) {
    const database = new DatabaseSync(join(dir, name), { readOnly: true });
    try {
      const row = database.prepare(`SELECT tenant_id FROM store_tenant`).get() as { tenant_id: string } | undefined;
      if (row) files.set(row.tenant_id, join(dir, name));
    } catch {
      // a store that has not served a call yet names no tenant
    } finally {
      database.close();
    }
  }
  return files;
}

/** The SQLite file behind the local D1 database in a persist folder. */
export function d1File(persist: string): string {
  const dir = join(persist, "v3", "d1", "miniflare-D1DatabaseObject");
  const file = readdirSync(dir).find((name) => name.endsWith(".sqlite") && name !== "metadata.sqlite");
  if (!file) throw new Error(`no D1 database in ${dir}`);
  return join(dir, file);
}
