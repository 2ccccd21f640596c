/**
 * A license's history: its audit events, newest first, a page at a time — when, what, who (an
 * admin, the vendor, the directory's provisioning, or AppSeats refilling seats), and the request.
 * Read only when the admin opens it.
 */
import type { AuditAction, AuditEvent, AuditPage } from "@appseats/shared";
import { useState } from "preact/hooks";
import { describeError } from "../../../core/describe-error.js";
import { formatDateTime, t } from "../../../core/i18n.js";
import { clientFor } from "../../../core/session.js";
import type { Session } from "../../../core/storage.js";

/** `license.install.complete` as its message's key, action_license_install_complete: each action's key must exist. */
type Underscored<S extends string> = S extends `${infer Head}.${infer Rest}` ? `${Head}_${Underscored<Rest>}` : S;
const actionKey = (action: AuditAction) => `action_${action.replaceAll(".", "_")}` as `action_${Underscored<AuditAction>}`;

const actorOf = (event: AuditEvent) =>
  event.actor.type === "user" ? event.actor.displayName : t(`actor_${event.actor.type}`, [event.actor.displayName]);

export function History(props: { session: Session; licenseId: string }) {
  const [events, setEvents] = useState<AuditEvent[]>();
  const [next, setNext] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  async function load(cursor?: string) {
    setBusy(true);
    try {
      const page: AuditPage = await clientFor(props.session).history(props.licenseId, cursor);
      setEvents([...(cursor ? (events ?? []) : []), ...page.items]);
      setNext(page.nextCursor);
      setError(undefined);
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <details
      class="history"
      onToggle={(e) => {
        if ((e.currentTarget as HTMLDetailsElement).open && !events) void load();
      }}
    >
      <summary>
        <h3>{t("historyHeading")}</h3>
      </summary>
      {busy && !events && (
        <p class="loading" role="status">
          {t("loading")}
        </p>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {events && events.length === 0 && <p class="empty">{t("historyEmpty")}</p>}
      <ol class="events" aria-label={t("historyHeading")}>
        {events?.map((event) => (
          <li key={event.id}>
            <p class="what">
              <strong>{t(actionKey(event.action))}</strong> · {actorOf(event)}
            </p>
            <p class="detail">{event.summary}</p>
            <p class="when">
              <time dateTime={event.at}>{formatDateTime(event.at)}</time> ·{" "}
              <span class="request" title={t("historyRequest")}>
                {event.requestId.slice(0, 8)}
              </span>
            </p>
          </li>
        ))}
      </ol>
      {next && (
        <button type="button" disabled={busy} onClick={() => void load(next)}>
          {t("historyMore")}
        </button>
      )}
    </details>
  );
}
