// CI's check of the production bundle: `wrangler deploy --dry-run` builds exactly what
// `npm run deploy` would upload (wrangler.jsonc's main, src/index.ts), without uploading it.
// It fails when the bundle holds anything of the local sign-in, or is over 1 MiB gzipped.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { runWrangler } from "./local-backend.ts";

const limitBytes = 1024 * 1024;
/** What only the local sign-in has: its paths, its handler's query, its schemas' names. */
const devMarkers = ["/sign-in", "/accounts", "DevSignIn", "DevAccounts", "issueSession", "The demo accounts"];

const outdir = mkdtempSync(join(tmpdir(), "appseats-bundle-"));
try {
  const run = runWrangler(["deploy", "--dry-run", "--outdir", outdir], { operator: true });
  if (run.status !== 0) throw new Error(`wrangler deploy --dry-run failed:\n${run.stdout}\n${run.stderr}`);
  const files = readdirSync(outdir).filter((name) => name.endsWith(".js"));
  if (files.length === 0) throw new Error("wrangler deploy --dry-run wrote no bundle.");
  const code = files.map((name) => readFileSync(join(outdir, name), "utf8")).join("\n");
  const gzipped = gzipSync(code, { level: 9 }).length;
  const found = devMarkers.filter((marker) => code.includes(marker));
  console.log(
    `Production bundle: ${files.join(", ")}, ${(code.length / 1024).toFixed(1)} KiB, ${(gzipped / 1024).toFixed(1)} KiB gzipped (limit ${limitBytes / 1024} KiB).`,
  );
  if (found.length > 0) throw new Error(`The production bundle holds the local sign-in: ${found.join(", ")}.`);
  if (gzipped > limitBytes) throw new Error(`The production bundle is ${gzipped} bytes gzipped, over ${limitBytes}.`);
  console.log("No local sign-in in it.");
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
