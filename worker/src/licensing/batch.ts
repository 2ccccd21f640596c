/**
 * Running a change as one D1 batch: D1 has no interactive transactions, so a change is a list
 * of statements applied atomically. A rule that must hold is checked inside the batch by a
 * guard statement (see batch_guard in the schema); when one fails, the whole batch rolls back
 * and the caller learns which rule stopped it.
 */
import type { ErrorCode } from "@appseats/shared";
import { AppSeatsError } from "../errors.js";
import { renumberParams } from "./sql.js";

/**
 * The rules a guard names: those an answer names, and CallerChanged, when the caller a change
 * started from no longer holds (see changeCheckingCaller in auth/admin.ts).
 */
export type GuardCode =
  | Extract<ErrorCode, "NotFound" | "SubscriptionNotUsable" | "NotEnoughLicenses" | "InheritedLicense" | "ProtectedAccount">
  | "CallerChanged";

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

/** A change's batch, beginning with the check of its caller where the change was given one (ChangeContext.callerCheck). */
export function changeBatch(db: D1Database, ctx: { callerCheck?: BoundCheck }): Batch {
  const batch = new Batch(db);
  if (ctx.callerCheck) batch.run(guard(db, [ctx.callerCheck]));
  return batch;
}

/** A statement's place in a batch, typed by what reading it gives once the batch has run. */
export interface Slot<T> {
  readonly index: number;
  readonly read: (result: D1Result) => T;
}

/**
 * A change's statements, added in order and run as one atomic D1 batch. Each statement whose
 * answer is needed is added through a reader and gets a typed slot, so nothing is read by position.
 */
export class Batch {
  readonly #statements: D1PreparedStatement[] = [];

  constructor(readonly db: D1Database) {}

  /** Adds statements whose results are not read. */
  run(...statements: D1PreparedStatement[]): void {
    this.#statements.push(...statements);
  }

  /** Adds a statement read as its result's rows. */
  rows<T>(statement: D1PreparedStatement): Slot<T[]> {
    return this.#add(statement, (result) => (result.results ?? []) as T[]);
  }

  /** Adds a statement read as its first row, if any. */
  first<T>(statement: D1PreparedStatement): Slot<T | undefined> {
    return this.#add(statement, (result) => result.results?.[0] as T | undefined);
  }

  /** Adds a statement read as the number of rows it changed. */
  changes(statement: D1PreparedStatement): Slot<number> {
    return this.#add(statement, (result) => result.meta.changes ?? 0);
  }

  #add<T>(statement: D1PreparedStatement, read: (result: D1Result) => T): Slot<T> {
    return { index: this.#statements.push(statement) - 1, read };
  }

  get size(): number {
    return this.#statements.length;
  }

  /** Runs every statement atomically; a failing guard throws GuardFailed naming its rule, and nothing is stored. */
  async commit(): Promise<Committed> {
    try {
      return new Committed(await this.db.batch(this.#statements));
    } catch (error) {
      const match = /guard:(\w+)/.exec(String((error as Error)?.message ?? error));
      if (match) throw new GuardFailed(match[1] as GuardCode | "Conflict");
      throw error;
    }
  }
}

/** The results of a batch that ran, read through the slots its statements were given. */
export class Committed {
  constructor(readonly results: readonly D1Result[]) {}

  get<T>(slot: Slot<T>): T {
    return slot.read(this.results[slot.index]!);
  }
}

/** Runs statements as one batch whose results are not read. */
export async function runBatch(db: D1Database, statements: D1PreparedStatement[]): Promise<void> {
  const batch = new Batch(db);
  batch.run(...statements);
  await batch.commit();
}

/** Reads `SELECT state, COUNT(*) AS n … GROUP BY state` as licenses by state. */
export const countsByState = (rows: { state: string; n: number }[]) =>
  Object.fromEntries(rows.map((r) => [r.state, r.n])) as Partial<Record<"active" | "waiting", number>>;

/** A slot for `SELECT COUNT(*) AS n …`. */
export const countOf = (batch: Batch, statement: D1PreparedStatement): Slot<number> => {
  const slot = batch.first<{ n: number }>(statement);
  return { index: slot.index, read: (result) => slot.read(result)?.n ?? 0 };
};

/** A slot for `SELECT state, COUNT(*) AS n … GROUP BY state`. */
export const statesOf = (batch: Batch, statement: D1PreparedStatement): Slot<Partial<Record<"active" | "waiting", number>>> => {
  const slot = batch.rows<{ state: string; n: number }>(statement);
  return { index: slot.index, read: (result) => countsByState(slot.read(result)) };
};

/**
 * A change whose guard may refuse it while a read made afterwards, to name the rule, finds
 * nothing wrong: another request changed the state in between. Such a change is tried again,
 * at most `attempts` times in all; then the caller is asked to retry shortly (503 with Retry-After).
 */
export class StateChanged extends Error {
  constructor() {
    super("the state changed between a change's batch and the reading that explains its refusal");
  }
}

export async function withRetries<T>(attempt: () => Promise<T>, attempts = 3): Promise<T> {
  for (let tried = 1; ; tried++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof StateChanged)) throw error;
      if (tried >= attempts) {
        throw new AppSeatsError("Unavailable", "Others are changing this license right now. Try again in a moment.", {
          retryAfterSeconds: 1,
        });
      }
    }
  }
}
