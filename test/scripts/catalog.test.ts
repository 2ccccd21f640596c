/**
 * npm run catalog, against a local database of its own (the real migrations and DEMO.md, as
 * npm start prepares them): each command's output and the stored rows it leaves.
 */
import { type ChildProcess, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catalogCommand, type Database, d1Database } from "../../scripts/catalog.ts";
import { d1File, prepareDatabase, prepareStores, startWorker, stopWorker, storeFiles } from "../../scripts/local-backend.ts";

const root = new URL("../../", import.meta.url).pathname;
const persist = mkdtempSync(join(tmpdir(), "appseats-catalog-"));

/** The database the commands below reach: wrangler's D1 binding of the folder, opened once for them all. */
let database: Database | undefined;
beforeAll(async () => {
  await prepareDatabase({ persist });
  database = await d1Database({ remote: false, persistTo: persist });
}, 120_000);
afterAll(async () => {
  await database?.close();
  rmSync(persist, { recursive: true, force: true });
});

/** The command as the README gives it, in a process of its own: npm run catalog -- … */
function catalogProcess(...args: string[]) {
  const run = spawnSync("npm", ["run", "--silent", "catalog", "--", ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  return { status: run.status, out: run.stdout, err: run.stderr };
}

/**
 * The same command run in this process (catalogCommand is what the script runs), on the folder's
 * database opened once: wrangler's start is not paid for every command.
 */
async function catalog(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const status = await catalogCommand([...args, "--persist-to", persist], {
    print: (text) => out.push(text),
    printError: (text) => err.push(text),
    async openDatabase(where) {
      expect(where).toEqual({ remote: false, persistTo: persist });
      return { ...database!, close: async () => {} };
    },
  });
  return { status, out: out.join("\n"), err: err.join("\n") };
}

const query = <T>(sql: string, ...params: string[]): T[] => {
  const db = new DatabaseSync(d1File(persist), { readOnly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
};

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

describe("npm run catalog", () => {
  it("runs as the README gives it: --help explains every command, a command reads the database, a refusal exits 1", () => {
    const { status, out } = catalogProcess("--help");
    expect(status).toBe(0);
    for (const command of [
      "vendor add",
      "vendor set",
      "vendor key rotate",
      "vendor key revoke",
      "app add",
      "app set",
      "webhook list",
      "webhook failed",
      "audit purge",
      "--remote",
    ]) {
      expect(out).toContain(command);
    }
    const listed = catalogProcess("vendor", "list", "--persist-to", persist);
    expect(listed.status, listed.err).toBe(0);
    expect(listed.out).toMatch(/^ven_northwind\tNorthwind Traders\t1 key\(s\)\t\d+ app\(s\)$/m);
    const refused = catalogProcess("audit", "purge", "--before", "last week");
    expect(refused.status).toBe(1);
    expect(refused.err.trim()).toBe("--before Invalid input.");
  }, 60_000);

  it("vendor add prints the id and a key shown once, stored only as its SHA-256", async () => {
    const { status, out } = await catalog("vendor", "add", "--name", "Woodgrove Software", "--contact-email", "sales@woodgrove.example");
    expect(status).toBe(0);
    const key = /^key:\s+(asv_[A-Za-z0-9_-]{43})$/m.exec(out)![1]!;
    expect(out).toMatch(/^vendor id: ven_woodgrove_software$/m);
    const keyId = /^key id:\s+(vk_\w+)$/m.exec(out)![1]!;
    expect(query(`SELECT id, name, contact_email FROM vendors WHERE id = 'ven_woodgrove_software'`)).toEqual([
      { id: "ven_woodgrove_software", name: "Woodgrove Software", contact_email: "sales@woodgrove.example" },
    ]);
    const keys = query<{ id: string; key_hash: string }>(`SELECT id, key_hash FROM vendor_keys WHERE vendor_id = 'ven_woodgrove_software'`);
    expect(keys).toEqual([{ id: keyId, key_hash: sha256(key) }]);
    expect(JSON.stringify(query(`SELECT * FROM vendor_keys`))).not.toContain(key);
  }, 60_000);

  it("app add takes https addresses only, and prints the app's id", async () => {
    const files = ["app", "add", "--vendor", "ven_woodgrove_software", "--name", "Woodgrove Files", "--publisher", "Woodgrove"];
    const refused = await catalog(...files, "--install-url", "http://files.woodgrove.example/install");
    expect(refused.status).toBe(1);
    expect(refused.err).toContain("--install-url must be an https address");
    expect(query(`SELECT id FROM apps WHERE vendor_id = 'ven_woodgrove_software'`)).toEqual([]);

    const added = await catalog(
      ...files,
      "--install-url",
      "https://files.woodgrove.example/install",
      "--icon-url",
      "https://files.woodgrove.example/icon.png",
      "--contact-url",
      "https://woodgrove.example/support",
    );
    expect(added.status).toBe(0);
    expect(added.out).toMatch(/^app id: app_woodgrove_files$/m);
    expect(query(`SELECT vendor_id, name, install_url, icon_url, contact_url FROM apps WHERE id = 'app_woodgrove_files'`)).toEqual([
      {
        vendor_id: "ven_woodgrove_software",
        name: "Woodgrove Files",
        install_url: "https://files.woodgrove.example/install",
        icon_url: "https://files.woodgrove.example/icon.png",
        contact_url: "https://woodgrove.example/support",
      },
    ]);

    const changed = await catalog("app", "set", "app_woodgrove_files", "--name", "Woodgrove Files 2", "--icon-url", "javascript:alert(1)");
    expect(changed.status).toBe(1);
    expect(query(`SELECT name FROM apps WHERE id = 'app_woodgrove_files'`)).toEqual([{ name: "Woodgrove Files" }]);
    expect((await catalog("app", "set", "app_woodgrove_files", "--name", "Woodgrove Files 2")).status).toBe(0);
    expect(query(`SELECT name FROM apps WHERE id = 'app_woodgrove_files'`)).toEqual([{ name: "Woodgrove Files 2" }]);
  }, 60_000);

  it("vendor key rotate issues a new key and revokes the others; revoke removes one", async () => {
    const rotated = await catalog("vendor", "key", "rotate", "ven_woodgrove_software");
    expect(rotated.status).toBe(0);
    const key = /^key:\s+(asv_[A-Za-z0-9_-]{43})$/m.exec(rotated.out)![1]!;
    expect(query(`SELECT key_hash FROM vendor_keys WHERE vendor_id = 'ven_woodgrove_software'`)).toEqual([{ key_hash: sha256(key) }]);

    const kept = await catalog("vendor", "key", "rotate", "ven_woodgrove_software", "--keep-old");
    expect(kept.status).toBe(0);
    const ids = query<{ id: string }>(`SELECT id FROM vendor_keys WHERE vendor_id = 'ven_woodgrove_software' ORDER BY created_at`);
    expect(ids).toHaveLength(2);
    expect((await catalog("vendor", "key", "revoke", ids[0]!.id)).status).toBe(0);
    expect(query(`SELECT id FROM vendor_keys WHERE vendor_id = 'ven_woodgrove_software'`)).toEqual([ids[1]]);
    expect((await catalog("vendor", "key", "revoke", "vk_nothere")).status).toBe(1);
  }, 60_000);

  it("the demo vendor keys of DEMO.md are still there, and a name with a quote is stored as written", async () => {
    expect(query(`SELECT vendor_id FROM vendor_keys WHERE key_hash = ?`, sha256("dev-vendor-northwind"))).toEqual([
      { vendor_id: "ven_northwind" },
    ]);
    const quoted = await catalog("vendor", "add", "--name", "O'Brien'; DROP TABLE apps; --", "--id", "ven_obrien");
    expect(quoted.status).toBe(0);
    expect(query(`SELECT name FROM vendors WHERE id = 'ven_obrien'`)).toEqual([{ name: "O'Brien'; DROP TABLE apps; --" }]);
    expect(query<{ n: number }>(`SELECT COUNT(*) AS n FROM apps`)[0]!.n).toBeGreaterThan(0);
  }, 60_000);

  describe("audit purge, in every tenant's store through the local worker", () => {
    const port = 8790;
    let worker: ChildProcess | undefined;
    const store = (write = false) => new DatabaseSync(storeFiles(persist).get("contoso")!, { readOnly: !write });
    const storeQuery = <T>(sql: string): T[] => {
      const db = store();
      try {
        return db.prepare(sql).all() as T[];
      } finally {
        db.close();
      }
    };

    beforeAll(async () => {
      // The stores made and seeded once, then two events written while the worker is stopped.
      worker = await startWorker({ port, persist });
      await prepareStores(port);
      await stopWorker(worker);
      const db = store(true);
      try {
        const insert = db.prepare(
          `INSERT INTO audit_events (id, at, actor_type, actor_id, actor_name, action, principals, summary, request_id)
           VALUES (?, ?, 'system', 'test', 'test', 'license.fill', NULL, 'kept for the test', 'req')`,
        );
        insert.run("evt_old", "2019-05-01T00:00:00.000Z");
        insert.run("evt_new", "2026-05-01T00:00:00.000Z");
        expect(() => db.prepare(`DELETE FROM audit_events WHERE id = 'evt_old'`).run()).toThrow(/append-only/);
      } finally {
        db.close();
      }
      worker = await startWorker({ port, persist });
    }, 180_000);
    afterAll(async () => {
      if (worker) await stopWorker(worker);
    });

    it("removes only events older than its date; nothing else can remove one", async () => {
      const purged = await catalog("audit", "purge", "--before", "2020-01-01", "--url", `http://127.0.0.1:${port}`);
      expect(purged.status, purged.err).toBe(0);
      expect(purged.out).toMatch(/Removed 1 audit event\(s\) older than 2020-01-01T00:00:00.000Z/);
      expect(storeQuery(`SELECT id FROM audit_events WHERE id IN ('evt_old', 'evt_new')`)).toEqual([{ id: "evt_new" }]);
      expect(storeQuery<{ n: number }>(`SELECT COUNT(*) AS n FROM audit_purge`)[0]!.n).toBe(0);
      expect((await catalog("audit", "purge", "--before", "last week")).status).toBe(1);
    }, 60_000);

    it("refuses a date in the future and deletes nothing", async () => {
      const count = () => storeQuery<{ n: number }>(`SELECT COUNT(*) AS n FROM audit_events`)[0]!.n;
      const before = count();
      expect(before).toBeGreaterThan(0);
      const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
      for (const date of ["2999-01-01", tomorrow]) {
        const refused = await catalog("audit", "purge", "--before", date, "--url", `http://127.0.0.1:${port}`);
        expect(refused.status).toBe(1);
        expect(refused.err).toContain("is in the future");
        expect(refused.err).toContain("Nothing was removed");
      }
      expect(count()).toBe(before);
    }, 60_000);
  });

  it("names with control characters are refused; nothing is stored", async () => {
    const vendors = () => query<{ n: number }>(`SELECT COUNT(*) AS n FROM vendors`)[0]!.n;
    const before = vendors();
    for (const name of ["Bad\u0001Name", "Bad\u007fName", "Tab\tName"]) {
      const refused = await catalog("vendor", "add", "--name", name);
      expect(refused.status).toBe(1);
      expect(refused.err).toContain("--name must not contain control characters");
    }
    expect(vendors()).toBe(before);
  }, 60_000);

  it("webhook list and webhook failed show each vendor's webhook and the deliveries that failed, never the secret", async () => {
    expect((await catalog("webhook", "list")).out).toBe("No vendor has a webhook.");
    const at = "2026-12-05T10:00:00.000Z";
    await database!.change(
      {
        sql: `INSERT INTO vendor_webhooks (vendor_id, url, events, secret, created_at, updated_at) VALUES ('ven_northwind', 'https://hooks.northwind.example/appseats', '["license.granted","license.revoked"]', 'v1.sealed', ?1, ?1)`,
        params: [at],
      },
      ...[
        ["evt_ok", "delivered", 204],
        ["evt_down", "failed", 503],
        ["evt_wait", "pending", null],
      ].map(([id, status, last]) => ({
        sql: `INSERT INTO webhook_deliveries (id, vendor_id, tenant_id, subscription_id, store_seq, type, status, attempts, created_at, last_status, last_attempt_at, next_attempt_at)
              VALUES (?1, 'ven_northwind', 'contoso', 'sub_contoso_northwind_notes', 1, 'license.granted', ?2, 31, ?3, ?4, ?3, ?3)`,
        params: [id as string, status as string, at, last as number | null],
      })),
    );
    const list = await catalog("webhook", "list");
    expect(list.status).toBe(0);
    expect(list.out).toBe("ven_northwind\thttps://hooks.northwind.example/appseats\tlicense.granted,license.revoked\t1 pending\t1 failed");
    expect(list.out).not.toContain("sealed");
    const failed = await catalog("webhook", "failed", "ven_northwind");
    expect(failed.out).toBe(`evt_down\tlicense.granted\tsub_contoso_northwind_notes\t31 attempt(s)\tlast 503 at ${at}`);
    expect((await catalog("webhook", "failed", "ven_fabrikam")).out).toBe("ven_fabrikam has no failed deliveries.");
    const unknown = await catalog("webhook", "failed", "ven_nobody");
    expect(unknown.status).toBe(1);
    expect(unknown.err).toContain("There is no vendor ven_nobody.");
  });
});
