/**
 * Assigning licenses: type a name and users and groups appear as you type; add several to a
 * list; a preview (dryRun) says what the assignment will do; Assign, then the result.
 */
import type { AssignResult, DirectoryMatch, LicenseSummary, PrincipalView } from "@appseats/shared";
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, type AppSeatsClient } from "../../../api/client.js";
import { describeError } from "../../../core/describe-error.js";
import { formatCount, t } from "../../../core/i18n.js";
import type { ChangeOutcome } from "../outcome.js";
import { Dialog, DialogActions } from "./Dialog.js";

type Outcome = ChangeOutcome<AssignResult>;

export function AssignPane(props: {
  license: LicenseSummary;
  client: AppSeatsClient;
  initialQuery?: string;
  onAssign: (principals: PrincipalView[]) => Promise<Outcome>;
  onClose: () => void;
}) {
  const [query, setQuery] = useState(props.initialQuery ?? "");
  const [matches, setMatches] = useState<DirectoryMatch[]>([]);
  const [active, setActive] = useState(-1);
  const [chosen, setChosen] = useState<PrincipalView[]>([]);
  const [preview, setPreview] = useState<{ result?: AssignResult; error?: string }>();
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>();
  const input = useRef<HTMLInputElement>(null);
  const { client, license } = props;
  const licenseId = license.id;

  // Suggestions as the admin types, a moment after the last key.
  useEffect(() => {
    const text = query.trim();
    if (!text) return setMatches([]);
    const timer = setTimeout(() => {
      client
        .search(text, "all", 8)
        .then((found) => {
          setMatches(found.items.filter((m) => !chosen.some((c) => c.id === m.id && c.type === m.type)));
          setActive(found.items.length > 0 ? 0 : -1);
        })
        .catch(() => setMatches([]));
    }, 150);
    return () => clearTimeout(timer);
  }, [client, query, chosen]);

  // The preview follows the list.
  useEffect(() => {
    if (chosen.length === 0) return setPreview(undefined);
    const principals = chosen.map(({ type, id }) => ({ type, id }));
    client
      .assign(licenseId, { principals, dryRun: true })
      .then((result) => setPreview({ result }))
      .catch((error) =>
        setPreview({ error: error instanceof ApiError ? describeError(error, { vendor: license.vendor }) : t("previewUnavailable") }),
      );
  }, [client, licenseId, license.vendor, chosen]);

  function add(match: DirectoryMatch) {
    const { match: _match, ...principal } = match;
    setChosen([...chosen, principal]);
    setQuery("");
    setMatches([]);
    input.current?.focus();
  }

  function onKeyDown(event: KeyboardEvent) {
    if (event.key === "ArrowDown" && matches.length > 0) {
      event.preventDefault();
      setActive((active + 1) % matches.length);
    } else if (event.key === "ArrowUp" && matches.length > 0) {
      event.preventDefault();
      setActive((active - 1 + matches.length) % matches.length);
    } else if (event.key === "Enter" && matches[active]) {
      event.preventDefault();
      add(matches[active]!);
    }
  }

  async function assign() {
    setBusy(true);
    setOutcome(await props.onAssign(chosen));
    setBusy(false);
  }

  const result = outcome?.kind === "done" ? outcome.result : undefined;
  const done = outcome !== undefined && outcome.kind !== "refused";
  return (
    <Dialog title={t("assignPaneTitle")} onClose={props.onClose} describedBy="assign-app">
      <p id="assign-app" class="subtitle">
        {license.app.name} <span class="plan">{license.plan}</span>
      </p>
      {!done && (
        <>
          <label for="assign-search">{t("searchLabel")}</label>
          <div class="combobox">
            <input
              id="assign-search"
              ref={input}
              data-autofocus
              type="text"
              role="combobox"
              autocomplete="off"
              aria-autocomplete="list"
              aria-expanded={matches.length > 0}
              aria-controls="assign-matches"
              aria-activedescendant={active >= 0 && matches[active] ? `match-${active}` : undefined}
              value={query}
              placeholder={t("searchPlaceholder")}
              onInput={(e) => setQuery((e.target as HTMLInputElement).value)}
              onKeyDown={onKeyDown}
            />
            <div id="assign-matches" role="listbox" aria-label={t("matchesLabel")} hidden={matches.length === 0}>
              {matches.map((m, i) => (
                <div
                  key={`${m.type}:${m.id}`}
                  id={`match-${i}`}
                  role="option"
                  // Focus stays in the field (aria-activedescendant); an option is focusable only by script.
                  tabIndex={-1}
                  aria-selected={i === active}
                  class={i === active ? "active" : ""}
                  onMouseDown={(e) => {
                    e.preventDefault();
                    add(m);
                  }}
                >
                  <span class="name">{m.displayName}</span>{" "}
                  <span class="detail">
                    {m.type === "group" ? t("groupMembers", [formatCount(m.memberCount ?? 0)]) : m.userPrincipalName}
                  </span>
                </div>
              ))}
            </div>
          </div>
          <ul class="chosen" aria-label={t("chosenLabel")}>
            {chosen.map((p) => (
              <li key={`${p.type}:${p.id}`}>
                {p.displayName}
                {p.type === "group" && <span class="detail"> {t("groupMembers", [formatCount(p.memberCount ?? 0)])}</span>}
                <button
                  type="button"
                  class="remove"
                  aria-label={t("removeFromList", [p.displayName])}
                  onClick={() => setChosen(chosen.filter((c) => c !== p))}
                >
                  ×
                </button>
              </li>
            ))}
          </ul>
          <p class="preview" aria-live="polite">
            {preview?.result &&
              t("previewText", [formatCount(preview.result.newlyLicensedUsers), formatCount(preview.result.newlyWaitingUsers)])}
            {preview?.error && <span class="error">{preview.error}</span>}
          </p>
          {outcome?.kind === "refused" && (
            <p class="error" role="alert">
              {outcome.message}
            </p>
          )}
        </>
      )}
      <div aria-live="polite">
        {outcome?.kind === "queued" && <p class="info">{t("queuedNotice")}</p>}
        {result && (
          <p class="success">
            {t("assignDone", [
              formatCount(result.assigned.length),
              formatCount(result.newlyLicensedUsers),
              formatCount(result.newlyWaitingUsers),
            ])}
          </p>
        )}
      </div>
      <DialogActions
        done={done}
        onClose={props.onClose}
        action={{
          label: busy ? t("working") : t("assignButton"),
          kind: "primary",
          disabled: busy || chosen.length === 0 || Boolean(preview?.error),
          onClick: () => void assign(),
        }}
      />
    </Dialog>
  );
}
