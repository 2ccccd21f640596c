/**
 * Changes made while the backend is unreachable wait here, each with the Idempotency-Key it
 * will be sent with, so replaying it any number of times changes the backend once. A change
 * that cannot be sent is tried again with growing waits, at most maxAttempts times; then it is
 * kept as failed, for its admin to retry or discard in the popup.
 */
import type { PrincipalTypeName } from "@appseats/shared/enums";

/** Tries of one change before it is kept as failed. */
export const maxAttempts = 5;

/** The wait after the n-th failed try: 30 s, then twice as long each time (1, 2, 4 min). */
export const backoffMs = (attempts: number) => 30_000 * 2 ** Math.max(0, attempts - 1);

export interface QueuedChange {
  /** Also the Idempotency-Key. */
  id: string;
  tenantId: string;
  /** The admin who made it: only their own session replays it, and their sign-out drops it. */
  userId: string;
  licenseId: string;
  appName: string;
  verb: "assign" | "unassign";
  principals: { type: PrincipalTypeName; id: string; displayName: string }[];
  queuedAt: string;
  /** Tries that could not send it (the backend unreachable, or failing). */
  attempts: number;
  /** Not tried again before this moment (ISO 8601), after a failed try. */
  nextAttemptAt?: string;
  /** Given up after maxAttempts tries: waits for its admin's Retry or Discard. */
  failed?: boolean;
}

/** What became of a change that got an answer. */
export type ReplayOutcome =
  | { change: QueuedChange; result: "done"; summary: string }
  | { change: QueuedChange; result: "refused"; message: string };

/** A try that did not get the backend's answer: it was unreachable, or failed (5xx, 429). Worth another try. */
export type SendOutcome = ReplayOutcome | { change: QueuedChange; result: "unreachable" };

/** The session that may replay a change: the same admin's, in the same tenant; another admin's never. */
export const replaysAs = <S extends { me: { tenant: { id: string }; user: { id: string } } }>(change: QueuedChange, sessions: S[]) =>
  sessions.find((s) => s.me.tenant.id === change.tenantId && s.me.user.id === change.userId);

/** The queue without one admin's changes in one tenant: what their sign-out leaves. */
export const withoutChangesOf = (queue: QueuedChange[], tenantId: string, userId: string) =>
  queue.filter((change) => change.tenantId !== tenantId || change.userId !== userId);

/**
 * Sends each queued change in order, those of it due at `now` (or every one, `early`: the backend
 * has just answered). A change that cannot be sent waits (nextAttemptAt) and holds back the ones
 * after it; after maxAttempts tries it is kept as failed, reported in `failed`, and those after it
 * go on. Failed changes stay as they are.
 */
export async function replay(
  queue: QueuedChange[],
  send: (change: QueuedChange) => Promise<SendOutcome>,
  now = Date.now(),
  early = false,
): Promise<{ remaining: QueuedChange[]; outcomes: ReplayOutcome[]; failed: QueuedChange[] }> {
  const outcomes: ReplayOutcome[] = [];
  const failed: QueuedChange[] = [];
  const kept: QueuedChange[] = [];
  for (let i = 0; i < queue.length; i++) {
    const change = queue[i]!;
    if (change.failed) {
      kept.push(change);
      continue;
    }
    if (!early && change.nextAttemptAt && Date.parse(change.nextAttemptAt) > now)
      return { remaining: [...kept, ...queue.slice(i)], outcomes, failed };
    const outcome = await send(change);
    if (outcome.result !== "unreachable") {
      outcomes.push(outcome);
      continue;
    }
    const attempts = change.attempts + 1;
    if (attempts >= maxAttempts) {
      const given = { ...change, attempts, failed: true as const };
      delete given.nextAttemptAt;
      failed.push(given);
      kept.push(given);
      continue;
    }
    const waiting = { ...change, attempts, nextAttemptAt: new Date(now + backoffMs(attempts)).toISOString() };
    return { remaining: [...kept, waiting, ...queue.slice(i + 1)], outcomes, failed };
  }
  return { remaining: kept, outcomes, failed };
}

/**
 * The queue after a replay, as it stands now: a change the replay read is replaced by what the
 * replay made of it (gone once sent or refused), unless it changed meanwhile (retried, or
 * discarded); changes queued meanwhile stay. So a replay never writes back a stale change.
 */
export function mergedAfterReplay(read: QueuedChange[], replayed: QueuedChange[], now: QueuedChange[]): QueuedChange[] {
  const asRead = new Map(read.map((change) => [change.id, JSON.stringify(change)]));
  const after = new Map(replayed.map((change) => [change.id, change]));
  return now.flatMap((change) => {
    if (asRead.get(change.id) !== JSON.stringify(change)) return [change];
    const next = after.get(change.id);
    return next ? [next] : [];
  });
}

/** The queue with one failed change set to be sent again at once, from its first try. */
export const retried = (queue: QueuedChange[], id: string) =>
  queue.map((change) => {
    if (change.id !== id) return change;
    const { failed: _failed, nextAttemptAt: _next, ...rest } = change;
    return { ...rest, attempts: 0 };
  });

/** When the queue has a change due next, if any waits: the moment to try again. */
export const nextAttemptOf = (queue: QueuedChange[]): number | undefined => {
  const times = queue.filter((change) => !change.failed && change.nextAttemptAt).map((change) => Date.parse(change.nextAttemptAt!));
  return times.length > 0 ? Math.min(...times) : undefined;
};
