/**
 * A real `wrangler dev` on its own local D1 (which can be killed and restarted), and an HTTP
 * client that records every answer: how many were sent, which were 5xx, which lacked the
 * security headers. The reliability suite and the benchmark both run against these.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { d1File, prepareDatabase, prepareStores, startWorker, stopWorker, storeFiles } from "../../scripts/local-backend.ts";
import { type LocalEntra, startLocalEntra } from "../../scripts/local-entra.ts";

export class Backend {
  readonly port: number;
  readonly url: string;
  readonly persist = mkdtempSync(join(tmpdir(), "appseats-reliability-"));
  private worker?: ChildProcess;
  /** The local Entra ID stand-in the worker trusts, on the port 1000 above the worker's. */
  entra?: LocalEntra;
  restarts = 0;

  /** Request logs and the local trace collector off (see startWorker): for measuring. */
  readonly quiet: boolean;

  constructor(port: number, { quiet = false }: { quiet?: boolean } = {}) {
    this.port = port;
    this.quiet = quiet;
    this.url = `http://127.0.0.1:${port}`;
  }

  async start(extraSql: string[]) {
    await prepareDatabase({ persist: this.persist, extraSql });
    this.entra = await startLocalEntra({ port: this.port + 1000 });
    this.worker = await startWorker({ port: this.port, persist: this.persist, quiet: this.quiet, entra: this.entra });
    await prepareStores(this.port);
  }

  /** The process ids of the running worker's process group (wrangler and workerd). */
  get processGroup(): number | undefined {
    return this.worker?.pid;
  }

  /** SIGKILL to the whole worker process group: no shutdown, no flush. */
  async kill() {
    if (this.worker) await stopWorker(this.worker, "SIGKILL");
  }

  async restart() {
    this.worker = await startWorker({ port: this.port, persist: this.persist, quiet: this.quiet, entra: this.entra });
    this.restarts += 1;
  }

  async dispose() {
    if (this.worker) await stopWorker(this.worker, "SIGKILL");
    await this.entra?.close();
    rmSync(this.persist, { recursive: true, force: true });
  }

  /** The local D1 database itself: the control plane. */
  database(): DatabaseSync {
    return new DatabaseSync(d1File(this.persist));
  }

  /** Each tenant's store, its local SQLite file, by tenant id: to read the stored state (and to age a token). */
  stores(): Map<string, DatabaseSync> {
    return new Map([...storeFiles(this.persist)].map(([tenantId, file]) => [tenantId, new DatabaseSync(file)]));
  }
}

export interface Answer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

const securityHeaders = [
  "x-content-type-options",
  "x-frame-options",
  "strict-transport-security",
  "content-security-policy",
  "x-request-id",
];

/** Every request of the suite goes through here, so the figures count them all. */
let clients = 0;

/**
 * A client address of its own, as Cloudflare tells the worker in cf-connecting-ip (wrangler dev
 * passes the header on): the worker counts failed credentials per address.
 */
export const newClientAddress = () => {
  clients += 1;
  return `198.18.${Math.floor(clients / 250) % 250}.${(clients % 250) + 1}`;
};

export class Http {
  sent = 0;
  serverErrors: string[] = [];
  missingHeaders: string[] = [];
  readonly backend: Backend;
  /** The client address every request of this client comes from. */
  readonly address: string;

  constructor(backend: Backend, { address = newClientAddress() }: { address?: string } = {}) {
    this.backend = backend;
    this.address = address;
  }

  async call<T = any>(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
  ): Promise<Answer<T>> {
    const headers: Record<string, string> = { "cf-connecting-ip": this.address, ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined = options.raw;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers["content-type"] ??= "application/json";
    }
    this.sent += 1;
    const response = await fetch(`${this.backend.url}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON (the CSV export)
    }
    if (response.status >= 500) this.serverErrors.push(`${method} ${path} → ${response.status} ${text.slice(0, 200)}`);
    const missing = securityHeaders.filter((h) => !response.headers.has(h));
    if (missing.length > 0) this.missingHeaders.push(`${method} ${path}: ${missing.join(", ")}`);
    return { status: response.status, body: parsed as T, headers: response.headers };
  }

  async token(userPrincipalName: string): Promise<string> {
    const answer = await this.call<{ token: string }>("POST", "/api/v1/dev/sign-in", { body: { userPrincipalName } });
    if (answer.status !== 200) throw new Error(`sign-in of ${userPrincipalName}: ${answer.status}`);
    return answer.body.token;
  }
}
