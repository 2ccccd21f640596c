/**
 * Changes made while the backend is unreachable wait here, each with the Idempotency-Key it
 * will be sent with, so replaying it any number of times changes the backend once.
 */

export interface QueuedChange {
  /** Also the Idempotency-Key. */
  id: string;
  tenantId: string;
  /** The admin who made it: only their own session replays it, and their sign-out drops it. */
  userId: string;
  licenseId: string;
  appName: string;
  verb: "assign" | "unassign";
  principals: { type: "user" | "group"; id: string; displayName: string }[];
  queuedAt: string;
  attempts: number;
}

/** What became of a change that got an answer. */
export type ReplayOutcome =
  | { change: QueuedChange; result: "done"; summary: string }
  | { change: QueuedChange; result: "refused"; message: string };

export type SendOutcome = ReplayOutcome | { change: QueuedChange; result: "unreachable" };

/** The session that may replay a change: the same admin's, in the same tenant; another admin's never. */
export const replaysAs = <S extends { me: { tenant: { id: string }; user: { id: string } } }>(change: QueuedChange, sessions: S[]) =>
  sessions.find((s) => s.me.tenant.id === change.tenantId && s.me.user.id === change.userId);

/** The queue without one admin's changes in one tenant: what their sign-out leaves. */
export const withoutChangesOf = (queue: QueuedChange[], tenantId: string, userId: string) =>
  queue.filter((change) => change.tenantId !== tenantId || change.userId !== userId);

/** Sends each queued change in order; a change still unreachable stays, and so do the ones after it. */
export async function replay(
  queue: QueuedChange[],
  send: (change: QueuedChange) => Promise<SendOutcome>,
): Promise<{ remaining: QueuedChange[]; outcomes: ReplayOutcome[] }> {
  const outcomes: ReplayOutcome[] = [];
  for (let i = 0; i < queue.length; i++) {
    const change = queue[i]!;
    const outcome = await send(change);
    if (outcome.result === "unreachable") {
      return { remaining: [{ ...change, attempts: change.attempts + 1 }, ...queue.slice(i + 1)], outcomes };
    }
    outcomes.push(outcome);
  }
  return { remaining: [], outcomes };
}
