// npm run catalog -- <command>: the operator's catalog of vendors and apps, and the vendors'
// keys (API.md, "Catalog and purchases"). On the local database by default (the one `npm start`
// serves; --persist-to for another), on the deployed one with --remote, through wrangler's D1
// binding (getPlatformProxy): every value reaches SQL as a bound parameter, never as SQL text.
import { createHash, randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { hasControlCharacters, noControlCharacters } from "@appseats/shared";
import { z } from "zod";
import { type D1Location, openD1, type Value } from "./local-backend.ts";
import { localOperatorToken } from "./move-to-stores.ts";

const help = `npm run catalog -- <command> [options]

Vendors
  vendor add --name <name> [--id <id>] [--contact-url <https url>] [--contact-email <address>]
      Adds a vendor and prints its id and its first key (asv_…), shown this once.
  vendor set <vendorId> [--name …] [--contact-url …] [--contact-email …]
  vendor list
  vendor key rotate <vendorId> [--keep-old]
      Issues a new key (printed once) and revokes the vendor's other keys, unless --keep-old.
  vendor key revoke <keyId>
  vendor key list <vendorId>
      The keys' ids and when they were issued (never the keys).

Apps
  app add --vendor <vendorId> --name <name> --publisher <publisher> --install-url <https url>
          [--id <id>] [--icon-url <https url>] [--contact-url <https url>] [--contact-email <address>]
      Adds an app and prints its id. Install and icon addresses must be https.
  app set <appId> [--name …] [--publisher …] [--install-url …] [--icon-url …] [--contact-url …] [--contact-email …]
  app list

Webhooks (API.md, "Vendor webhooks")
  webhook list
      Each vendor's webhook: its URL, the events it wants, and its deliveries pending and failed.
  webhook failed <vendorId>
      The vendor's deliveries that failed for 24 hours: id, event, subscription, attempts, last answer.
      The vendor sends one again with POST /vendor/v1/webhook/deliveries/{id}/retry.

Audit
  audit purge --before <ISO date> [--url <worker address>]
      The retention purge: removes audit events older than the date (nothing else can), in every
      tenant's store, through the worker's operator routes (default: the local worker of npm start,
      http://127.0.0.1:8787; set OPERATOR_TOKEN for a deployed one).

Where
  (default)            the local database that npm start serves
  --persist-to <dir>   a local database kept in <dir>
  --remote             the deployed database (wrangler asks you to log in)
`;

const HttpsUrl = z
  .url({ protocol: /^https$/, error: "must be an https address" })
  .max(2048)
  .refine((url) => new URL(url).protocol === "https:", "must be an https address");
const Email = z.email().max(320);
const Name = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine((name) => !hasControlCharacters(name), noControlCharacters);
const Id = z.string().regex(/^[a-z0-9_-]{3,64}$/, "must be 3 to 64 lower-case letters, digits, - or _");

export class CatalogError extends Error {}

const valid = <T>(schema: z.ZodType<T>, value: unknown, what: string): T => {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new CatalogError(`${what} ${parsed.error.issues[0]?.message ?? "is not valid"}.`);
  return parsed.data;
};

const slug = (name: string) =>
  name
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 40) || "x";

/** A vendor key (R20): asv_ and 256 random bits, base64url; only its SHA-256 is kept. */
export function newVendorKey() {
  const key = `asv_${randomBytes(32).toString("base64url")}`;
  return { key, hash: createHash("sha256").update(key).digest("hex"), id: `vk_${randomBytes(8).toString("hex")}` };
}

/** One SQL statement and the values bound to its numbered parameters. */
export interface Statement {
  sql: string;
  params?: Value[];
}

/** The catalog's database: reads, and changes made of several statements applied all or none. */
export interface Database {
  all<T = Record<string, unknown>>(sql: string, ...params: Value[]): Promise<T[]>;
  change(...statements: Statement[]): Promise<void>;
  close(): Promise<void>;
}

/** The D1 database (openD1): the local one, optionally in a folder of its own, or the deployed one. */
export async function d1Database(where: D1Location): Promise<Database> {
  const { db, dispose } = await openD1(where);
  const prepared = ({ sql, params = [] }: Statement) => db.prepare(sql).bind(...params);
  return {
    async all<T>(sql: string, ...params: Value[]) {
      return (await refused(prepared({ sql, params }).all<T>())).results;
    },
    async change(...statements: Statement[]) {
      await refused(db.batch(statements.map(prepared)));
    },
    close: dispose,
  };
}

/** A database's refusal, told as the catalog's own error. */
async function refused<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw new CatalogError(`The database refused it: ${error instanceof Error ? error.message : String(error)}`);
  }
}

type Options = Record<string, string | boolean | undefined>;
const option = (options: Options, name: string) => (typeof options[name] === "string" ? (options[name] as string) : undefined);

async function exists(db: Database, table: "vendors" | "apps", id: string) {
  return (await db.all(`SELECT 1 AS found FROM ${table} WHERE id = ?1`, id)).length > 0;
}

/** The cut-off of the audit's retention purge: a date or a time, not in the future. */
function purgeCutoff(before: string | undefined, now: Date): string {
  const cutoff = new Date(valid(z.iso.datetime().or(z.iso.date()), before, "--before")).toISOString();
  if (cutoff > now.toISOString()) {
    throw new CatalogError(
      `--before ${before} is in the future: the purge removes only events older than a past date. Nothing was removed.`,
    );
  }
  return cutoff;
}

/**
 * The audit's retention purge, in every tenant's store: the audit lives there, so the worker runs
 * it (its operator route /ops/v1/audit/purge), with the operator token.
 */
async function purgeAudit(url: string, cutoff: string): Promise<string> {
  const address = url.replace(/\/$/, "");
  const loopback = /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?$/.test(address);
  const token = process.env.OPERATOR_TOKEN ?? (loopback ? localOperatorToken : undefined);
  if (!token) throw new CatalogError("Set OPERATOR_TOKEN to the worker's operator token (wrangler secret put OPERATOR_TOKEN).");
  const answer = await fetch(`${address}/ops/v1/audit/purge`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ before: cutoff }),
  }).catch((error: unknown) => {
    throw new CatalogError(`The worker at ${address} could not be reached (${String(error)}): is it running? Nothing was removed.`);
  });
  if (!answer.ok) throw new CatalogError(`The worker refused the purge: ${answer.status} ${await answer.text()}. Nothing was removed.`);
  const { removed } = (await answer.json()) as { removed: number };
  return `Removed ${removed} audit event(s) older than ${cutoff}.`;
}

/** Runs one command; returns what to print. */
export async function runCommand(db: Database, words: string[], options: Options, now = new Date()): Promise<string> {
  const [noun, verb, ...rest] = words;
  const command = `${noun ?? ""} ${verb ?? ""}`.trim();
  switch (command) {
    case "vendor add": {
      const name = valid(Name, option(options, "name"), "--name");
      const id = valid(Id, option(options, "id") ?? `ven_${slug(name)}`, "--id");
      const contactUrl = option(options, "contact-url") ? valid(HttpsUrl, option(options, "contact-url"), "--contact-url") : null;
      const contactEmail = option(options, "contact-email") ? valid(Email, option(options, "contact-email"), "--contact-email") : null;
      if (await exists(db, "vendors", id)) throw new CatalogError(`A vendor ${id} exists already: choose another --id.`);
      const key = newVendorKey();
      await db.change(
        {
          sql: `INSERT INTO vendors (id, name, contact_url, contact_email) VALUES (?1, ?2, ?3, ?4)`,
          params: [id, name, contactUrl, contactEmail],
        },
        {
          sql: `INSERT INTO vendor_keys (key_hash, vendor_id, created_at, id) VALUES (?1, ?2, ?3, ?4)`,
          params: [key.hash, id, now.toISOString(), key.id],
        },
      );
      return `Added the vendor ${id}.\nvendor id: ${id}\nkey id:    ${key.id}\nkey:       ${key.key}\nGive the key to the vendor now: it is not shown again.`;
    }
    case "vendor set": {
      const id = valid(Id, words[2], "The vendor id");
      if (!(await exists(db, "vendors", id))) throw new CatalogError(`There is no vendor ${id}.`);
      const columns: [string, string, z.ZodType<string>][] = [
        ["name", "name", Name],
        ["contact-url", "contact_url", HttpsUrl],
        ["contact-email", "contact_email", Email],
      ];
      const sets = changedColumns(columns, options);
      if (sets.length === 0) throw new CatalogError("Say what to change: --name, --contact-url or --contact-email.");
      await db.change(updateOf("vendors", id, sets));
      return `Changed the vendor ${id}.`;
    }
    case "vendor list": {
      const rows = await db.all<{ id: string; name: string; keys: number; apps: number }>(
        `SELECT v.id, v.name, (SELECT COUNT(*) FROM vendor_keys k WHERE k.vendor_id = v.id) AS keys,
                (SELECT COUNT(*) FROM apps a WHERE a.vendor_id = v.id) AS apps FROM vendors v ORDER BY v.id`,
      );
      return rows.map((r) => `${r.id}\t${r.name}\t${r.keys} key(s)\t${r.apps} app(s)`).join("\n") || "No vendors yet.";
    }
    case "vendor key": {
      const [action, target] = rest;
      if (action === "rotate") {
        const vendorId = valid(Id, target, "The vendor id");
        if (!(await exists(db, "vendors", vendorId))) throw new CatalogError(`There is no vendor ${vendorId}.`);
        const key = newVendorKey();
        await db.change(
          {
            sql: `INSERT INTO vendor_keys (key_hash, vendor_id, created_at, id) VALUES (?1, ?2, ?3, ?4)`,
            params: [key.hash, vendorId, now.toISOString(), key.id],
          },
          ...(options["keep-old"]
            ? []
            : [{ sql: `DELETE FROM vendor_keys WHERE vendor_id = ?1 AND id <> ?2`, params: [vendorId, key.id] }]),
        );
        return `A new key for ${vendorId}${options["keep-old"] ? " (its other keys still work)" : "; its other keys stopped working"}.\nkey id: ${key.id}\nkey:    ${key.key}\nGive the key to the vendor now: it is not shown again.`;
      }
      if (action === "revoke") {
        const keyId = valid(z.string().regex(/^vk_[a-z0-9]{1,32}$/, "must be a key id (vk_…)"), target, "The key id");
        const found = await db.all(`SELECT vendor_id FROM vendor_keys WHERE id = ?1`, keyId);
        if (found.length === 0) throw new CatalogError(`There is no key ${keyId}.`);
        await db.change({ sql: `DELETE FROM vendor_keys WHERE id = ?1`, params: [keyId] });
        return `Revoked the key ${keyId}: it stopped working.`;
      }
      if (action === "list") {
        const vendorId = valid(Id, target, "The vendor id");
        const rows = await db.all<{ id: string; created_at: string }>(
          `SELECT id, created_at FROM vendor_keys WHERE vendor_id = ?1 ORDER BY created_at`,
          vendorId,
        );
        return rows.map((r) => `${r.id}\tissued ${r.created_at}`).join("\n") || `${vendorId} has no keys.`;
      }
      throw new CatalogError("vendor key takes rotate, revoke or list.");
    }
    case "app add": {
      const vendorId = valid(Id, option(options, "vendor"), "--vendor");
      const name = valid(Name, option(options, "name"), "--name");
      const publisher = valid(Name, option(options, "publisher"), "--publisher");
      const installUrl = valid(HttpsUrl, option(options, "install-url"), "--install-url");
      const optional = (flag: string, schema: z.ZodType<string>) =>
        option(options, flag) ? valid(schema, option(options, flag), `--${flag}`) : null;
      const iconUrl = optional("icon-url", HttpsUrl);
      const contactUrl = optional("contact-url", HttpsUrl);
      const contactEmail = optional("contact-email", Email);
      const id = valid(Id, option(options, "id") ?? `app_${slug(name)}`, "--id");
      if (!(await exists(db, "vendors", vendorId))) throw new CatalogError(`There is no vendor ${vendorId}: add it first (vendor add).`);
      if (await exists(db, "apps", id))
        throw new CatalogError(`An app ${id} exists already: choose another --id, or change it with app set.`);
      await db.change({
        sql: `INSERT INTO apps (id, vendor_id, name, publisher, icon_url, install_url, contact_url, contact_email)
              VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)`,
        params: [id, vendorId, name, publisher, iconUrl, installUrl, contactUrl, contactEmail],
      });
      return `Added the app ${id}.\napp id: ${id}`;
    }
    case "app set": {
      const id = valid(Id, words[2], "The app id");
      if (!(await exists(db, "apps", id))) throw new CatalogError(`There is no app ${id}.`);
      const columns: [string, string, z.ZodType<string>][] = [
        ["name", "name", Name],
        ["publisher", "publisher", Name],
        ["install-url", "install_url", HttpsUrl],
        ["icon-url", "icon_url", HttpsUrl],
        ["contact-url", "contact_url", HttpsUrl],
        ["contact-email", "contact_email", Email],
      ];
      const sets = changedColumns(columns, options);
      if (sets.length === 0) throw new CatalogError(`Say what to change: ${columns.map(([flag]) => `--${flag}`).join(", ")}.`);
      await db.change(updateOf("apps", id, sets));
      return `Changed the app ${id}. A running worker may show its former details for up to a minute.`;
    }
    case "webhook list": {
      const rows = await db.all<{ vendor_id: string; url: string; events: string; pending: number; failed: number }>(
        `SELECT w.vendor_id, w.url, w.events,
                (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.vendor_id = w.vendor_id AND d.status = 'pending') AS pending,
                (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.vendor_id = w.vendor_id AND d.status = 'failed') AS failed
           FROM vendor_webhooks w ORDER BY w.vendor_id`,
      );
      return (
        rows
          .map((r) => `${r.vendor_id}\t${r.url}\t${(JSON.parse(r.events) as string[]).join(",")}\t${r.pending} pending\t${r.failed} failed`)
          .join("\n") || "No vendor has a webhook."
      );
    }
    case "webhook failed": {
      const vendorId = valid(Id, rest[0], "The vendor id");
      if (!(await exists(db, "vendors", vendorId))) throw new CatalogError(`There is no vendor ${vendorId}.`);
      const rows = await db.all<{
        id: string;
        type: string;
        subscription_id: string;
        attempts: number;
        last_status: number | null;
        last_attempt_at: string | null;
      }>(
        `SELECT id, type, subscription_id, attempts, last_status, last_attempt_at FROM webhook_deliveries
          WHERE vendor_id = ?1 AND status = 'failed' ORDER BY created_at, id`,
        vendorId,
      );
      return (
        rows
          .map(
            (r) =>
              `${r.id}\t${r.type}\t${r.subscription_id}\t${r.attempts} attempt(s)\tlast ${r.last_status ?? "no answer"} at ${r.last_attempt_at ?? "-"}`,
          )
          .join("\n") || `${vendorId} has no failed deliveries.`
      );
    }
    case "app list": {
      const rows = await db.all<{ id: string; name: string; vendor_id: string; install_url: string }>(
        `SELECT id, name, vendor_id, install_url FROM apps ORDER BY id`,
      );
      return rows.map((r) => `${r.id}\t${r.name}\t${r.vendor_id}\t${r.install_url}`).join("\n") || "No apps yet.";
    }
    default:
      throw new CatalogError(`Unknown command "${words.join(" ")}".\n\n${help}`);
  }
}

/** The columns a `set` command changes: [column, validated value] for each flag given. */
const changedColumns = (columns: [string, string, z.ZodType<string>][], options: Options): [string, string][] =>
  columns
    .filter(([flag]) => option(options, flag) !== undefined)
    .map(([flag, column, schema]) => [column, valid(schema, option(options, flag), `--${flag}`)]);

/** An UPDATE of a row's columns; the column names are the command's own, every value a parameter. */
const updateOf = (table: "vendors" | "apps", id: string, sets: [string, string][]): Statement => ({
  sql: `UPDATE ${table} SET ${sets.map(([column], i) => `${column} = ?${i + 2}`).join(", ")} WHERE id = ?1`,
  params: [id, ...sets.map(([, value]) => value)],
});

/** Where a command's output goes and how it reaches the database; the process's own by default. */
export interface CatalogIo {
  print(text: string): void;
  printError(text: string): void;
  openDatabase(where: D1Location): Promise<Database>;
}

const processIo: CatalogIo = {
  print: (text) => console.log(text),
  printError: (text) => console.error(text),
  openDatabase: d1Database,
};

async function main(argv: string[], io: CatalogIo) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      help: { type: "boolean", short: "h" },
      remote: { type: "boolean" },
      "persist-to": { type: "string" },
      "keep-old": { type: "boolean" },
      id: { type: "string" },
      name: { type: "string" },
      vendor: { type: "string" },
      publisher: { type: "string" },
      "install-url": { type: "string" },
      "icon-url": { type: "string" },
      "contact-url": { type: "string" },
      "contact-email": { type: "string" },
      before: { type: "string" },
      url: { type: "string" },
    },
  });
  if (values.help || positionals.length === 0) {
    io.print(help);
    return;
  }
  if (positionals.join(" ") === "audit purge") {
    io.print(await purgeAudit(values.url ?? "http://127.0.0.1:8787", purgeCutoff(values.before, new Date())));
    return;
  }
  const db = await io.openDatabase({ remote: values.remote === true, persistTo: values["persist-to"] ?? process.env.APPSEATS_PERSIST });
  try {
    io.print(await runCommand(db, positionals, values));
  } finally {
    await db.close();
  }
}

/**
 * `npm run catalog -- …`: runs the command and answers its exit status, 0 or 1. What the operator
 * got wrong (a bad value, an unknown option) is told in a sentence; anything else in full.
 */
export async function catalogCommand(argv: string[], io: CatalogIo = processIo): Promise<0 | 1> {
  try {
    await main(argv, io);
    return 0;
  } catch (error) {
    const told = error instanceof CatalogError || (error instanceof Error && error.name === "TypeError");
    io.printError(told ? (error as Error).message : String(error instanceof Error ? (error.stack ?? error) : error));
    return 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await catalogCommand(process.argv.slice(2));
}
