/**
 * Seats likely wasted, with the reason for each (the worker's evidence: a disabled account, or
 * the vendor not asking about the user's usage rights for 30 days, or never): read when the
 * admin opens it. "Reclaim" first shows what it will do — unassign the direct ones, and which
 * are held through groups (and which groups) — then does it in one change, audited.
 */
import type { PrincipalView, ReclaimCandidate } from "@appseats/shared";
import { useEffect, useState } from "preact/hooks";
import { describeError } from "../../../core/describe-error.js";
import { formatCount, formatDateTime, t } from "../../../core/i18n.js";
import { clientFor } from "../../../core/session.js";
import type { Session } from "../../../core/storage.js";

/** Why the seat may be reclaimed; a user never asked about has no date to give. */
function reasonOf(candidate: ReclaimCandidate): string {
  if (candidate.reason !== "notAskedLately") return t(`reclaim_${candidate.reason}`);
  return candidate.lastAskedAt ? t("reclaim_notAskedLately", [formatDateTime(candidate.lastAskedAt)]) : t("reclaim_neverAsked");
}

export function Reclaim(props: { session: Session; licenseId: string; version: number; onReclaim: (principals: PrincipalView[]) => void }) {
  const [candidates, setCandidates] = useState<ReclaimCandidate[]>();
  const [error, setError] = useState<string>();

  async function load() {
    try {
      setCandidates((await clientFor(props.session).reclaim(props.licenseId)).items);
      setError(undefined);
    } catch (failure) {
      setError(describeError(failure));
    }
  }
  // Once opened, it is read again after every change the admin makes (props.version counts them).
  // biome-ignore lint/correctness/useExhaustiveDependencies: only a change made reads it again, not a new list.
  useEffect(() => {
    if (candidates) void load();
  }, [props.version]);

  const direct = candidates?.filter((c) => c.direct) ?? [];
  const throughGroups = candidates?.filter((c) => !c.direct) ?? [];
  const canAssign = props.session.me.can.assign;

  return (
    <details
      class="reclaim"
      onToggle={(e) => {
        if ((e.currentTarget as HTMLDetailsElement).open && !candidates) void load();
      }}
    >
      <summary>
        <h3>{t("reclaimHeading")}</h3>
      </summary>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {candidates && candidates.length === 0 && <p class="empty">{t("reclaimNone")}</p>}
      <ul class="holders" aria-label={t("reclaimHeading")}>
        {candidates?.map((c) => (
          <li key={c.user.id}>
            <span class="name">{c.user.displayName}</span> <span class="detail">{reasonOf(c)}</span>
            {!c.direct && <p class="reason">{t("personHeldThrough", [c.viaGroups.map((g) => g.displayName).join(", ")])}</p>}
          </li>
        ))}
      </ul>
      {candidates && candidates.length > 0 && (
        <>
          <p class="info">{t("reclaimPlan", [formatCount(direct.length), formatCount(throughGroups.length)])}</p>
          <button
            type="button"
            class="danger"
            disabled={!canAssign || direct.length === 0}
            onClick={() =>
              props.onReclaim(
                direct.map((c) => ({
                  type: "user",
                  id: c.user.id,
                  displayName: c.user.displayName,
                  userPrincipalName: c.user.userPrincipalName,
                })),
              )
            }
          >
            {t("reclaimAction", [formatCount(direct.length)])}
          </button>
        </>
      )}
    </details>
  );
}
