/** Measuring: percentiles, medians, the worker's resident memory, and the node:sqlite limit. */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { backup, DatabaseSync } from "node:sqlite";

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export const median = (values: number[]) => percentile(values, 50);
export const round = (value: number, digits = 1) => Number(value.toFixed(digits));

/** Times `count` calls, `concurrency` at a time; answers each latency in ms and the requests per second. */
export async function load(count: number, concurrency: number, call: (i: number) => Promise<unknown>) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const t = performance.now();
        await call(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { latencies, perSecond: count / seconds };
}

/** The workerd processes of a process group: the runtime running the worker (and its database), and wrangler's proxy in front. */
function workerdProcesses(processGroup: number): { pid: string; role: "runtime" | "proxy" }[] {
  const found: { pid: string; role: "runtime" | "proxy" }[] = [];
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) !== processGroup || !stat.includes("(workerd)")) continue;
      // Only the runtime of the worker itself opens an inspector.
      found.push({ pid, role: readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("--inspector-addr") ? "runtime" : "proxy" });
    } catch {
      // the process ended between listing and reading
    }
  }
  return found;
}

/** CPU time (user + system, ms) in a /proc stat file: a process's, or one thread's. */
function cpuMsIn(statPath: string): number {
  try {
    const fields = readFileSync(statPath, "utf8").split(") ")[1]!.split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicksPerSecond;
  } catch {
    return 0; // ended
  }
}

/**
 * What the worker's processes have used so far, in one pass over /proc: CPU time (ms) of the
 * runtime, of its main thread alone (the one that runs the worker, the rate limiter and the local
 * D1 object; the others compile and collect garbage) and of wrangler's proxy; and the runtime's
 * write system calls, to its sockets and to the local databases' files, where a commit writes
 * each changed page to the log with a call of its own.
 */
export function workerdUsage(processGroup: number): {
  runtime: number;
  runtimeMainThread: number;
  proxy: number;
  runtimeWriteCalls: number;
} {
  const used = { runtime: 0, runtimeMainThread: 0, proxy: 0, runtimeWriteCalls: 0 };
  for (const { pid, role } of workerdProcesses(processGroup)) {
    used[role] += cpuMsIn(`/proc/${pid}/stat`);
    if (role !== "runtime") continue;
    used.runtimeMainThread += cpuMsIn(`/proc/${pid}/task/${pid}/stat`);
    try {
      used.runtimeWriteCalls += Number(/^syscw: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, "utf8"))?.[1] ?? 0);
    } catch {
      // ended
    }
  }
  return used;
}

/** The machine's CPU time so far (ms, all cores): busy, idle, and stolen by the hypervisor for other guests. */
export function machineCpuMs(): { busy: number; idle: number; steal: number } {
  const [, ...fields] = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fields.map((f) => (Number(f) * 1000) / clockTicksPerSecond);
  return { busy: user! + nice! + system! + irq! + softirq!, idle: idle! + iowait!, steal: steal! };
}

/** Linux reports process CPU time in clock ticks, 100 a second on every common kernel configuration. */
const clockTicksPerSecond = 100;

/** Samples the resident memory of the workerd processes in a process group until stopped; answers the peak in MiB. */
export function sampleMemory(processGroup: number, everyMs = 25) {
  let peakKb = 0;
  const sample = () => {
    for (const { pid } of workerdProcesses(processGroup)) {
      try {
        const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
        if (rss) peakKb = Math.max(peakKb, Number(rss[1]));
      } catch {
        // the process ended between listing and reading
      }
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return round(peakKb / 1024);
    },
  };
}

/** Runs `measure` on a fresh SQLite database in WAL mode in a scratch folder, which is removed after. */
function onScratchDatabase<T>(measure: (db: DatabaseSync) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "appseats-limit-"));
  try {
    const db = new DatabaseSync(join(dir, "limit.sqlite"));
    db.exec("PRAGMA journal_mode = WAL");
    try {
      return measure(db);
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The physical limit of a change's rows: for the 50,000-member group, the same 50,000 license
 * rows inserted in one transaction with node:sqlite into the same schema (the tenant store's
 * migrations: every index and trigger, foreign keys checked), set-based. With `memberships`, for
 * members joining a group, their memberships too, in the same transaction: the rows such a
 * change must write.
 */
export function sqliteLimitMs(migrationSql: string[], rows: number, { memberships = false } = {}): number {
  return onScratchDatabase((db) => {
    for (const migration of migrationSql) db.exec(migration);
    db.exec(`INSERT INTO subscriptions (id, app_id, plan, purchased, status, created_at, updated_at)
      VALUES ('s', 'a', 'P', ${rows}, 'active', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${rows})
      INSERT INTO users (id, user_principal_name, display_name, created_at)
      SELECT printf('usr_%06d', i), printf('u%06d@t.example', i), printf('U %06d', i), '2026-01-01T00:00:00.000Z' FROM n;`);
    if (memberships) db.exec(`INSERT INTO groups (id, display_name, created_at) VALUES ('g', 'G', '2026-01-01T00:00:00.000Z')`);
    const started = performance.now();
    db.exec(`BEGIN;
      ${
        memberships
          ? `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${rows})
             INSERT INTO group_members (group_id, user_id, added_at)
             SELECT 'g', printf('usr_%06d', i), '2026-01-01T00:00:00.000Z' FROM n;`
          : ""
      }
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${rows})
      INSERT INTO licenses (subscription_id, user_id, state, since)
      SELECT 's', printf('usr_%06d', i), 'active', '2026-01-01T00:00:00.000Z' FROM n;
      COMMIT;`);
    return performance.now() - started;
  });
}

/**
 * The physical limit of members joining a licensed group (or, without `memberships`, of a group's
 * members given licenses), on a copy of the tenant's store taken just before the change
 * (SQLite's backup: the same pages, the same tables and indexes at the same size): the same
 * memberships and licenses, for the same user ids, inserted with node:sqlite in one transaction. On a large database the ids land all over every index they
 * join, and a commit writes each page they touch: a cost that the same rows on an empty schema
 * (sqliteLimitMs) do not show.
 */
export async function sqliteLimitOnCopyMs(
  source: string,
  change: { subscriptionId: string; userIds: string[]; memberships?: boolean },
): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "appseats-limit-"));
  try {
    const live = new DatabaseSync(source, { readOnly: true });
    try {
      await backup(live, join(dir, "copy.sqlite"));
    } finally {
      live.close();
    }
    const db = new DatabaseSync(join(dir, "copy.sqlite"));
    try {
      db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;");
      db.prepare(`INSERT INTO groups (id, display_name, created_at) VALUES ('grp_limit', 'Limit', '2026-01-01T00:00:00.000Z')`).run();
      const users = JSON.stringify(change.userIds);
      const started = performance.now();
      db.exec("BEGIN");
      if (change.memberships !== false) {
        db.prepare(
          `INSERT INTO group_members (group_id, user_id, added_at) SELECT 'grp_limit', value, '2026-01-01T00:00:00.000Z' FROM json_each(?)`,
        ).run(users);
      }
      db.prepare(
        `INSERT INTO licenses (subscription_id, user_id, state, since)
         SELECT ?, value, 'waiting', '2026-01-01T00:00:00.000Z' FROM json_each(?)`,
      ).run(change.subscriptionId, users);
      db.exec("COMMIT");
      return performance.now() - started;
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The physical limit of a durable write on this machine's disk: one single-row transaction with
 * node:sqlite in WAL mode with synchronous = FULL, which flushes the log to the disk at every
 * commit, as the local D1 does. The median of `commits` of them, in ms.
 */
export function durableCommitMs(commits: number): number {
  return onScratchDatabase((db) => {
    db.exec("PRAGMA synchronous = FULL; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
    const insert = db.prepare("INSERT INTO t (v) VALUES (?)");
    const times: number[] = [];
    for (let i = 0; i < commits; i++) {
      const started = performance.now();
      insert.run("x");
      times.push(performance.now() - started);
    }
    return median(times);
  });
}
