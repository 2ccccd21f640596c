/**
 * npm run bench:baseline — the D1 design measured on this machine, for `npm run bench` to report
 * beside the tenant stores (BENCHMARKS.md, "The D1 design beside the tenant stores").
 *
 * A worktree of the last commit before the tenant stores, in .bench/d1-design, is given this
 * benchmark's seed (the old one stored the sync token without an expiry, which the D1 design has
 * refused since the trust rules) and its scale scenario, then runs its own `npm run bench` and the
 * scale scenario. Their figures go to .bench/d1-design.json, where the next `npm run bench` reads
 * them. Run it in the same session as `npm run bench`.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The last commit of the D1 design: every tenant's rows in the one D1 database. */
export const d1DesignCommit = "2b3d5a8";
const root = new URL("../../", import.meta.url).pathname;
const baselineDir = join(root, ".bench/d1-design");
/** What npm run bench reads: the D1 design's figures of the last npm run bench:baseline. */
export const d1DesignFigures = join(root, ".bench/d1-design.json");

function run(command: string, args: string[], cwd: string, capture = false) {
  const done = spawnSync(command, args, { cwd, stdio: capture ? ["ignore", "pipe", "inherit"] : "inherit", encoding: "utf8" });
  if (done.status !== 0) throw new Error(`${command} ${args.join(" ")} failed in ${cwd} (${done.status})`);
  return done.stdout;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (!existsSync(baselineDir)) run("git", ["worktree", "add", "--detach", baselineDir, d1DesignCommit], root);
  for (const file of ["seed.ts", "scale.ts"]) copyFileSync(join(root, "test/bench", file), join(baselineDir, "test/bench", file));
  if (!existsSync(join(baselineDir, "node_modules"))) run("npm", ["ci", "--prefer-offline", "--no-audit", "--no-fund"], baselineDir);
  // --scale-only: keep the figures of its last npm run bench (of this session) and run the scale scenario again.
  if (!process.argv.includes("--scale-only")) {
    console.log(`The D1 design (${d1DesignCommit}): npm run bench`);
    run("npm", ["run", "bench"], baselineDir);
  }
  console.log(`The D1 design (${d1DesignCommit}): the scale scenario`);
  const scale = JSON.parse(run("node", ["test/bench/scale.ts"], baselineDir, true));
  const bench = JSON.parse(readFileSync(join(baselineDir, "test/bench/results.json"), "utf8"));
  const figures = { commit: d1DesignCommit, date: bench.machine.date, results: { ...bench.results, scale } };
  writeFileSync(d1DesignFigures, `${JSON.stringify(figures, null, 2)}\n`);
  console.log(`Done: ${d1DesignFigures}. Now npm run bench.`);
}
