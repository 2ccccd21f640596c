// npm run catalog -- <command>: the operator's catalog of vendors and apps, and the vendors'
// keys (API.md, "Catalog and purchases"). On the local database by default (the one `npm start`
// serves; --persist-to for another), on the deployed one with --remote, through wrangler.
import { createHash, randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { z } from "zod";
import { runWrangler } from "./local-backend.ts";

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

Audit
  audit purge --before <ISO date>
      The retention purge: removes audit events older than the date (nothing else can).

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
const Name = z.string().trim().min(1).max(200);
const Id = z.string().regex(/^[a-z0-9_-]{3,64}$/, "must be 3 to 64 lower-case letters, digits, - or _");

export class CatalogError extends Error {}

const valid = <T>(schema: z.ZodType<T>, value: unknown, what: string): T => {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new CatalogError(`${what} ${parsed.error.issues[0]?.message ?? "is not valid"}.`);
  return parsed.data;
};

/** An SQL string literal; values are validated first, and quoting makes any text safe. */
const text = (value: string | null | undefined) => (value === null || value === undefined ? "NULL" : `'${value.replaceAll("'", "''")}'`);

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

export interface Database {
  query<T = Record<string, unknown>>(sql: string): T[];
}

/** Runs SQL through `wrangler d1 execute`: local (optionally in a folder of its own) or remote. */
export function wranglerDatabase(where: { remote: boolean; persistTo?: string | undefined }): Database {
  return {
    query<T>(sql: string): T[] {
      const args = ["d1", "execute", "DB", "--json", "--command", sql];
      args.push(...(where.remote ? ["--remote"] : ["--local"]));
      if (where.persistTo) args.push("--persist-to", where.persistTo);
      const run = runWrangler(args, { operator: true });
      if (run.status !== 0) {
        const reason = /"text":\s*"([^"]+)"/.exec(run.stdout)?.[1] ?? (run.stderr.trim() || run.stdout.trim());
        throw new CatalogError(`The database refused it: ${reason}`);
      }
      const results = JSON.parse(run.stdout) as { results: T[] }[];
      return results.flatMap((r) => r.results ?? []);
    },
  };
}

type Options = Record<string, string | boolean | undefined>;
const option = (options: Options, name: string) => (typeof options[name] === "string" ? (options[name] as string) : undefined);

function exists(db: Database, table: "vendors" | "apps", id: string) {
  return db.query(`SELECT 1 AS found FROM ${table} WHERE id = ${text(id)}`).length > 0;
}

/** Runs one command; returns what to print. */
export function runCommand(db: Database, words: string[], options: Options): string {
  const [noun, verb, ...rest] = words;
  const command = `${noun ?? ""} ${verb ?? ""}`.trim();
  switch (command) {
    case "vendor add": {
      const name = valid(Name, option(options, "name"), "--name");
      const id = valid(Id, option(options, "id") ?? `ven_${slug(name)}`, "--id");
      const contactUrl = option(options, "contact-url") && valid(HttpsUrl, option(options, "contact-url"), "--contact-url");
      const contactEmail = option(options, "contact-email") && valid(Email, option(options, "contact-email"), "--contact-email");
      if (exists(db, "vendors", id)) throw new CatalogError(`A vendor ${id} exists already: choose another --id.`);
      const key = newVendorKey();
      db.query(
        `INSERT INTO vendors (id, name, contact_url, contact_email) VALUES (${text(id)}, ${text(name)}, ${text(contactUrl)}, ${text(contactEmail)});
         INSERT INTO vendor_keys (key_hash, vendor_id, created_at, id) VALUES (${text(key.hash)}, ${text(id)}, ${text(new Date().toISOString())}, ${text(key.id)});`,
      );
      return `Added the vendor ${id}.\nvendor id: ${id}\nkey id:    ${key.id}\nkey:       ${key.key}\nGive the key to the vendor now: it is not shown again.`;
    }
    case "vendor set": {
      const id = valid(Id, words[2], "The vendor id");
      if (!exists(db, "vendors", id)) throw new CatalogError(`There is no vendor ${id}.`);
      const sets = [
        option(options, "name") !== undefined && `name = ${text(valid(Name, option(options, "name"), "--name"))}`,
        option(options, "contact-url") !== undefined &&
          `contact_url = ${text(valid(HttpsUrl, option(options, "contact-url"), "--contact-url"))}`,
        option(options, "contact-email") !== undefined &&
          `contact_email = ${text(valid(Email, option(options, "contact-email"), "--contact-email"))}`,
      ].filter(Boolean);
      if (sets.length === 0) throw new CatalogError("Say what to change: --name, --contact-url or --contact-email.");
      db.query(`UPDATE vendors SET ${sets.join(", ")} WHERE id = ${text(id)}`);
      return `Changed the vendor ${id}.`;
    }
    case "vendor list": {
      const rows = db.query<{ id: string; name: string; keys: number; apps: number }>(
        `SELECT v.id, v.name, (SELECT COUNT(*) FROM vendor_keys k WHERE k.vendor_id = v.id) AS keys,
                (SELECT COUNT(*) FROM apps a WHERE a.vendor_id = v.id) AS apps FROM vendors v ORDER BY v.id`,
      );
      return rows.map((r) => `${r.id}\t${r.name}\t${r.keys} key(s)\t${r.apps} app(s)`).join("\n") || "No vendors yet.";
    }
    case "vendor key": {
      const [action, target] = rest;
      if (action === "rotate") {
        const vendorId = valid(Id, target, "The vendor id");
        if (!exists(db, "vendors", vendorId)) throw new CatalogError(`There is no vendor ${vendorId}.`);
        const key = newVendorKey();
        const revokeOthers = options["keep-old"]
          ? ""
          : `DELETE FROM vendor_keys WHERE vendor_id = ${text(vendorId)} AND id <> ${text(key.id)};`;
        db.query(
          `INSERT INTO vendor_keys (key_hash, vendor_id, created_at, id) VALUES (${text(key.hash)}, ${text(vendorId)}, ${text(new Date().toISOString())}, ${text(key.id)});
           ${revokeOthers}`,
        );
        return `A new key for ${vendorId}${options["keep-old"] ? " (its other keys still work)" : "; its other keys stopped working"}.\nkey id: ${key.id}\nkey:    ${key.key}\nGive the key to the vendor now: it is not shown again.`;
      }
      if (action === "revoke") {
        const keyId = valid(z.string().regex(/^vk_[a-z0-9]{1,32}$/, "must be a key id (vk_…)"), target, "The key id");
        const found = db.query(`SELECT vendor_id FROM vendor_keys WHERE id = ${text(keyId)}`);
        if (found.length === 0) throw new CatalogError(`There is no key ${keyId}.`);
        db.query(`DELETE FROM vendor_keys WHERE id = ${text(keyId)}`);
        return `Revoked the key ${keyId}: it stopped working.`;
      }
      if (action === "list") {
        const vendorId = valid(Id, target, "The vendor id");
        const rows = db.query<{ id: string; created_at: string }>(
          `SELECT id, created_at FROM vendor_keys WHERE vendor_id = ${text(vendorId)} ORDER BY created_at`,
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
      const iconUrl = option(options, "icon-url") && valid(HttpsUrl, option(options, "icon-url"), "--icon-url");
      const contactUrl = option(options, "contact-url") && valid(HttpsUrl, option(options, "contact-url"), "--contact-url");
      const contactEmail = option(options, "contact-email") && valid(Email, option(options, "contact-email"), "--contact-email");
      const id = valid(Id, option(options, "id") ?? `app_${slug(name)}`, "--id");
      if (!exists(db, "vendors", vendorId)) throw new CatalogError(`There is no vendor ${vendorId}: add it first (vendor add).`);
      if (exists(db, "apps", id)) throw new CatalogError(`An app ${id} exists already: choose another --id, or change it with app set.`);
      db.query(
        `INSERT INTO apps (id, vendor_id, name, publisher, icon_url, install_url, contact_url, contact_email)
         VALUES (${[id, vendorId, name, publisher, iconUrl, installUrl, contactUrl, contactEmail].map(text).join(", ")})`,
      );
      return `Added the app ${id}.\napp id: ${id}`;
    }
    case "app set": {
      const id = valid(Id, words[2], "The app id");
      if (!exists(db, "apps", id)) throw new CatalogError(`There is no app ${id}.`);
      const columns: [string, string, z.ZodType<string>][] = [
        ["name", "name", Name],
        ["publisher", "publisher", Name],
        ["install-url", "install_url", HttpsUrl],
        ["icon-url", "icon_url", HttpsUrl],
        ["contact-url", "contact_url", HttpsUrl],
        ["contact-email", "contact_email", Email],
      ];
      const sets = columns
        .filter(([flag]) => option(options, flag) !== undefined)
        .map(([flag, column, schema]) => `${column} = ${text(valid(schema, option(options, flag), `--${flag}`))}`);
      if (sets.length === 0) throw new CatalogError(`Say what to change: ${columns.map(([flag]) => `--${flag}`).join(", ")}.`);
      db.query(`UPDATE apps SET ${sets.join(", ")} WHERE id = ${text(id)}`);
      return `Changed the app ${id}.`;
    }
    case "app list": {
      const rows = db.query<{ id: string; name: string; vendor_id: string; install_url: string }>(
        `SELECT id, name, vendor_id, install_url FROM apps ORDER BY id`,
      );
      return rows.map((r) => `${r.id}\t${r.name}\t${r.vendor_id}\t${r.install_url}`).join("\n") || "No apps yet.";
    }
    case "audit purge": {
      const before = valid(z.iso.datetime().or(z.iso.date()), option(options, "before"), "--before");
      const cutoff = new Date(before).toISOString();
      const [counted] = db.query<{ n: number }>(`SELECT COUNT(*) AS n FROM audit_events WHERE at < ${text(cutoff)}`);
      db.query(
        `INSERT INTO audit_purge (id, before) VALUES (1, ${text(cutoff)});
         DELETE FROM audit_events WHERE at < ${text(cutoff)};
         DELETE FROM audit_purge;`,
      );
      return `Removed ${counted?.n ?? 0} audit event(s) older than ${cutoff}.`;
    }
    default:
      throw new CatalogError(`Unknown command "${words.join(" ")}".\n\n${help}`);
  }
}

function main(argv: string[]) {
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
    },
  });
  if (values.help || positionals.length === 0) {
    console.log(help);
    return;
  }
  const db = wranglerDatabase({ remote: values.remote === true, persistTo: values["persist-to"] ?? process.env.APPSEATS_PERSIST });
  console.log(runCommand(db, positionals, values));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    console.error(error instanceof CatalogError || (error instanceof Error && error.name === "TypeError") ? error.message : error);
    process.exit(1);
  }
}
