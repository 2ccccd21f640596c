/**
 * Changes of the signed-in admin that the offline queue gave up on after its last try: each says
 * what it was, with Retry (sent again now, from its first try) and Discard (nothing is sent).
 */
import { useEffect, useState } from "preact/hooks";
import { formatCount, t } from "../../../core/i18n.js";
import { send } from "../../../core/messages.js";
import { type QueuedChange, replaysAs } from "../../../core/queue.js";
import { queue, type Session } from "../../../core/storage.js";

export function FailedChanges({ session, onSent }: { session: Session; onSent: () => void }) {
  const [failed, setFailed] = useState<QueuedChange[]>([]);
  const [status, setStatus] = useState<string>();

  useEffect(() => {
    const show = (all: QueuedChange[]) => setFailed(all.filter((change) => change.failed && replaysAs(change, [session]) === session));
    void queue.all().then(show);
    // The background changes the queue as it replays it: the list follows.
    return queue.watch(show);
  }, [session]);

  if (failed.length === 0 && !status) return null;

  async function retry(change: QueuedChange) {
    setStatus(t("queueRetrying"));
    await send("retryChange", { id: change.id });
    setStatus(undefined);
    onSent();
  }

  async function discard(change: QueuedChange) {
    await send("discardChange", { id: change.id });
    setStatus(t("queueDiscarded"));
  }

  return (
    <section class="failed-changes" aria-labelledby="failed-changes-heading">
      <h2 id="failed-changes-heading">{t("queueFailedHeading")}</h2>
      {status && <p role="status">{status}</p>}
      <ul>
        {failed.map((change) => (
          <li key={change.id}>
            <span class="what">
              {t("queueFailedItem", [
                change.appName,
                t(`queueVerb_${change.verb}`),
                change.principals.map((p) => p.displayName).join(", "),
                formatCount(change.attempts),
              ])}
            </span>
            <button type="button" onClick={() => void retry(change)} aria-label={t("retryWhat", [change.appName])}>
              {t("retry")}
            </button>
            <button type="button" onClick={() => void discard(change)} aria-label={t("discardWhat", [change.appName])}>
              {t("discard")}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
