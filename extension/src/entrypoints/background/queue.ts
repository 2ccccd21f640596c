/**
 * Replaying changes that were made while the backend was unreachable, and telling the admin how
 * each went; one that cannot be sent is tried again when its wait is over (an alarm), and after
 * its last try the admin is told, and retries or discards it in the popup.
 */
import browser from "webextension-polyfill";
import { ApiError, Unreachable } from "../../api/client.js";
import { describeError } from "../../core/describe-error.js";
import { t } from "../../core/i18n.js";
import {
  mergedAfterReplay,
  nextAttemptOf,
  type QueuedChange,
  type ReplayOutcome,
  replay,
  replaysAs,
  retried,
  type SendOutcome,
} from "../../core/queue.js";
import { liveSessions, withSession } from "../../core/session.js";
import { queue } from "../../core/storage.js";
import { notify } from "./notify.js";

let replaying: Promise<{ outcomes: ReplayOutcome[]; remaining: number }> | null = null;

/**
 * One replay at a time; a call while one runs shares its result. `early`: the backend has just
 * answered a page, so changes waiting out a failed try are sent now rather than at their time.
 */
export function replayQueue(early = false) {
  replaying ??= run(early).finally(() => {
    replaying = null;
  });
  return replaying;
}

/** The alarm that tries the queue again when a change's wait is over. */
export const queueAlarm = "appseats-queue";

async function run(early: boolean) {
  const pending = await queue.all();
  if (pending.length === 0) return { outcomes: [], remaining: 0 };
  const live = await liveSessions();
  const { remaining, outcomes, failed } = await replay(pending, (change) => send(change, live), Date.now(), early);
  const kept = await queue.set(mergedAfterReplay(pending, remaining, await queue.all()));
  const next = nextAttemptOf(kept);
  if (next !== undefined) await browser.alarms.create(queueAlarm, { when: next });
  for (const outcome of outcomes) {
    await notify(
      t("extName"),
      outcome.result === "done" ? outcome.summary : t("notifyQueuedRefused", [outcome.change.appName, outcome.message]),
    );
  }
  for (const change of failed) await notify(t("extName"), t("notifyQueuedFailed", [change.appName, change.attempts]));
  return { outcomes, remaining: kept.length };
}

/** The admin's Retry of a failed change: sent again now, from its first try, once any replay under way is over. */
export async function retryChange({ id }: { id: string }) {
  await replaying?.catch(() => undefined);
  await queue.set(retried(await queue.all(), id));
  return replayQueue(true);
}

/** The admin's Discard of a change: nothing of it is sent. */
export async function discardChange({ id }: { id: string }) {
  await replaying?.catch(() => undefined);
  await queue.set((await queue.all()).filter((change) => change.id !== id));
  return { ok: true as const };
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
        summary: t("notifyQueuedAssigned", [change.appName, result.assigned.length + result.alreadyAssigned.length]),
      };
    }
    const result = await withSession(session, (client) => client.unassign(change.licenseId, { principals }, change.id));
    return {
      change,
      result: "done",
      summary: t("notifyQueuedUnassigned", [change.appName, result.unassigned.length + result.notAssigned.length]),
    };
  } catch (error) {
    // Unreachable, or the backend failing or busy (5xx, 429): worth another try later.
    if (error instanceof Unreachable || (error instanceof ApiError && (error.status >= 500 || error.status === 429))) {
      return { change, result: "unreachable" };
    }
    if (error instanceof ApiError) return { change, result: "refused", message: describeError(error) };
    throw error;
  }
}
