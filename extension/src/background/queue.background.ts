/** Replaying changes that were made while the backend was unreachable, and telling the admin how each went. */
import { ApiError, Unreachable } from "../api/client.js";
import { describeError } from "../core/describe-error.js";
import { t } from "../core/i18n.js";
import { type QueuedChange, type ReplayOutcome, replay, replaysAs, type SendOutcome } from "../core/queue.js";
import { liveSessions, withSession } from "../core/session.js";
import { queue } from "../core/storage.js";
import { notify } from "./notify.background.js";

let replaying: Promise<{ outcomes: ReplayOutcome[]; remaining: number }> | null = null;

/** One replay at a time; a call while one runs shares its result. */
export function replayQueue() {
  replaying ??= run().finally(() => {
    replaying = null;
  });
  return replaying;
}

async function run() {
  const pending = await queue.all();
  if (pending.length === 0) return { outcomes: [], remaining: 0 };
  const live = await liveSessions();
  const { remaining, outcomes } = await replay(pending, (change) => send(change, live));
  // Changes queued while this replay ran are kept after the ones still pending.
  const queuedMeanwhile = (await queue.all()).filter((c) => !pending.some((p) => p.id === c.id));
  await queue.set([...remaining, ...queuedMeanwhile]);
  for (const outcome of outcomes) {
    await notify(
      t("extName"),
      outcome.result === "done" ? outcome.summary : t("notifyQueuedRefused", outcome.change.appName, outcome.message),
    );
  }
  return { outcomes, remaining: remaining.length + queuedMeanwhile.length };
}

async function send(change: QueuedChange, live: Awaited<ReturnType<typeof liveSessions>>): Promise<SendOutcome> {
  const session = replaysAs(change, live);
  if (!session) return { change, result: "refused", message: t("notifySignedOut") };
  const principals = change.principals.map(({ type, id }) => ({ type, id }));
  try {
    if (change.verb === "assign") {
      const result = await withSession(session, (client) => client.assign(change.licenseId, { principals }, change.id));
      return {
        change,
        result: "done",
        summary: t("notifyQueuedAssigned", change.appName, result.assigned.length + result.alreadyAssigned.length),
      };
    }
    const result = await withSession(session, (client) => client.unassign(change.licenseId, { principals }, change.id));
    return {
      change,
      result: "done",
      summary: t("notifyQueuedUnassigned", change.appName, result.unassigned.length + result.notAssigned.length),
    };
  } catch (error) {
    if (error instanceof Unreachable) return { change, result: "unreachable" };
    if (error instanceof ApiError) return { change, result: "refused", message: describeError(error) };
    throw error;
  }
}
