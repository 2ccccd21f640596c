/**
 * Running a change as one D1 batch: D1 has no interactive transactions, so a change is a list
 * of statements applied atomically. A rule that must hold is checked inside the batch by a
 * guard statement (see batch_guard in the schema); when one fails, the whole batch rolls back
 * and the caller learns which rule stopped it.
 */
import type { ErrorCode } from "@appseats/shared";
import { renumberParams } from "./sql.js";

/**
 * The rules a guard names: those an answer names, and CallerChanged, when the caller a change
 * started from no longer holds (see changeCheckingCaller in auth/admin.ts).
 */
export type GuardCode = Extract<ErrorCode, "NotFound" | "SubscriptionNotUsable" | "NotEnoughLicenses" | "InheritedLicense"> | "CallerChanged";

export class GuardFailed extends Error {
  constructor(readonly code: GuardCode | "Conflict") {
    super(`batch guard failed: ${code}`);
  }
}

/** A rule a guard checks: `ok` is a boolean SQL expression, true when the rule holds. */
export interface Check {
  code: GuardCode;
  ok: string;
}

/** A check that brings its own parameters, numbered from ?1 in `ok`: it can join any guard. */
export interface BoundCheck extends Check {
  params: unknown[];
}

/**
 * A guard statement: the batch goes on only if every check holds. They are checked in order and
 * the first that fails names the rule. The checks share the statement's numbered parameters,
 * `params`, but for a BoundCheck, whose own are bound after them.
 */
export function guard(db: D1Database, checks: (Check | BoundCheck)[], ...params: unknown[]) {
  const bound = [...params];
  const failing = checks.map((check) => {
    let ok = check.ok;
    if ("params" in check) {
      ok = renumberParams(ok, bound.length);
      bound.push(...check.params);
    }
    return `WHEN NOT COALESCE((${ok}), 0) THEN '${check.code}'`;
  });
  // Always one row: its code names the first check that fails, or is NULL when all hold, and no
  // trigger of batch_guard fires on a NULL code. The local D1 compiles every statement on every
  // call, and a VALUES row compiles faster than INSERT … SELECT.
  return db.prepare(`INSERT INTO batch_guard (code, ok) VALUES (CASE ${failing.join(" ")} END, 0)`).bind(...bound);
}

export async function runBatch(db: D1Database, statements: D1PreparedStatement[]): Promise<D1Result[]> {
  try {
    return await db.batch(statements);
  } catch (error) {
    const match = /guard:(\w+)/.exec(String((error as Error)?.message ?? error));
    if (match) throw new GuardFailed(match[1] as GuardCode | "Conflict");
    throw error;
  }
}

export const rowsOf = <T>(result: D1Result | undefined): T[] => (result?.results ?? []) as T[];

/** The rows of a `SELECT state, COUNT(*) AS n … GROUP BY state`, as licenses by state. */
export const countsByState = (result: D1Result | undefined) =>
  Object.fromEntries(rowsOf<{ state: string; n: number }>(result).map((r) => [r.state, r.n])) as Partial<Record<"active" | "waiting", number>>;
