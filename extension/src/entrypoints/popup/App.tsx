/** The toolbar popup: the current tenant's licenses, one app's details, and the changes an admin makes. */
import type { AssignRequest, LicenseSummary, PrincipalView } from "@appseats/shared";
import { useEffect, useLayoutEffect, useMemo, useState } from "preact/hooks";
import browser from "webextension-polyfill";
import { type AppSeatsClient, Unreachable } from "../../api/client.js";
import { describeError } from "../../core/describe-error.js";
import { t } from "../../core/i18n.js";
import { send } from "../../core/messages.js";
import { clientFor, sessionsToRenew } from "../../core/session.js";
import { keepFirstView } from "../../core/snapshot.js";
import type { Session } from "../../core/storage.js";
import { AssignPane } from "./components/AssignPane.js";
import { Details } from "./components/Details.js";
import { FailedChanges } from "./components/FailedChanges.js";
import { Header } from "./components/Header.js";
import { ImportPane } from "./components/ImportPane.js";
import { InstallDialog } from "./components/Install.js";
import { Person } from "./components/Person.js";
import { Summary } from "./components/Summary.js";
import { UnassignDialog } from "./components/Unassign.js";
import type { ChangeOutcome } from "./outcome.js";
import { type Freshness, statusClass, statusText } from "./status-text.js";
import { usePopupData } from "./usePopupData.js";

// Opened from the right-click menu when a selection matched no one or several: the assign pane,
// prefilled; from a renewal's notification: the license's details; from "Licenses of": the person.
const launch = new URLSearchParams(location.search);

/** A pane over the view: for the open license, or (from a person's licenses) for the license it names. */
type Pane =
  | { kind: "assign"; query?: string }
  | { kind: "import" }
  | { kind: "install" }
  | { kind: "unassign"; principals: PrincipalView[]; license?: LicenseSummary }
  | null;

export function App() {
  const data = usePopupData();
  const [openId, setOpenId] = useState<string | null>(launch.get("license") ?? launch.get("details"));
  const [pane, setPane] = useState<Pane>(launch.get("license") ? { kind: "assign", query: launch.get("q") ?? "" } : null);
  const [personId, setPersonId] = useState<string | null>(launch.get("person"));
  const [version, setVersion] = useState(0);
  const [notice, setNotice] = useState<{ kind: "error" | "info"; text: string }>();

  const { session, me, summary } = data;
  const license = summary?.items.find((l) => l.id === openId);
  const client = useMemo(() => session && clientFor(session), [session]);

  // The summary with fresh figures, as drawn, is the next opening's first view (first-view.ts).
  // Kept in the same task as the render that draws them: the last view written with new figures
  // never goes without its first view, even if the popup closes at once.
  const summaryFresh = data.freshness === "fresh" && summary !== undefined && !license && !personId && !pane && !notice;
  // biome-ignore lint/correctness/useExhaustiveDependencies: new figures or tenants redraw the view that is kept.
  useLayoutEffect(() => {
    if (summaryFresh) keepFirstView(document.getElementById("app")!, data.fetchedAt);
  }, [summaryFresh, summary, data.fetchedAt, data.sessions]);

  /** Sends a change with an Idempotency-Key; unreachable, it is queued with that key to be sent later. */
  async function change<T>(
    verb: "assign" | "unassign",
    target: LicenseSummary,
    principals: PrincipalView[],
    perform: (client: AppSeatsClient, body: AssignRequest, key: string) => Promise<T>,
  ): Promise<ChangeOutcome<T>> {
    const key = crypto.randomUUID();
    const body = { principals: principals.map(({ type, id }) => ({ type, id })) };
    try {
      const result = await perform(clientFor(session!), body, key);
      await data.reload();
      setVersion(version + 1);
      return { kind: "done", result };
    } catch (error) {
      if (error instanceof Unreachable) {
        await send("queueChange", {
          change: {
            id: key,
            tenantId: session!.me.tenant.id,
            userId: session!.me.user.id,
            licenseId: target.id,
            appName: target.app.name,
            verb,
            principals: principals.map(({ type, id, displayName }) => ({ type, id, displayName })),
            queuedAt: new Date().toISOString(),
            attempts: 0,
          },
        });
        return { kind: "queued" };
      }
      return { kind: "refused", message: describeError(error, { vendor: target.vendor }) };
    }
  }

  async function install(target: LicenseSummary) {
    try {
      const { redirectUrl } = await clientFor(session!).install(target.id);
      // Checked again here (the catalog and the worker check it too): only an https address opens.
      if (!URL.canParse(redirectUrl) || new URL(redirectUrl).protocol !== "https:") {
        return setNotice({ kind: "error", text: t("error_InsecureUrl") });
      }
      await browser.tabs.create({ url: redirectUrl });
    } catch (error) {
      setNotice({ kind: "error", text: describeError(error) });
    }
  }

  if (data.freshness === "signedOut" && !session) return <SignedOut />;
  if (!me)
    return (
      <p class="loading" role="status">
        {t("loading")}
      </p>
    );

  return (
    <div class="popup">
      <Header sessions={data.sessions ?? []} me={me} onSwitch={(id) => void data.switchTenant(id).then(() => setOpenId(null))} />
      <Status freshness={data.freshness} fetchedAt={data.fetchedAt} />
      {notice && (
        <p class={notice.kind} role="alert">
          {notice.text}
        </p>
      )}
      {session && (
        <FailedChanges
          session={session}
          onSent={() => {
            void data.reload();
            setVersion(version + 1);
          }}
        />
      )}
      <main>
        {personId && session && summary ? (
          <Person
            session={session}
            userId={personId}
            version={version}
            licenses={summary.items}
            onBack={() => setPersonId(null)}
            onUnassign={(target, principals) => setPane({ kind: "unassign", principals, license: target })}
            onAssign={(target, principals) =>
              void change("assign", target, principals, (client, body, key) => client.assign(target.id, body, key)).then((outcome) =>
                setNotice(
                  outcome.kind === "refused"
                    ? { kind: "error", text: outcome.message }
                    : { kind: "info", text: outcome.kind === "queued" ? t("queuedNotice") : t("personAssigned", [target.app.name]) },
                ),
              )
            }
          />
        ) : license && session ? (
          <Details
            session={session}
            license={license}
            version={version}
            onBack={() => setOpenId(null)}
            onAssign={() => setPane({ kind: "assign" })}
            onUnassign={(principals) => setPane({ kind: "unassign", principals })}
            onInstall={() => setPane({ kind: "install" })}
            onOpenPerson={(userId) => setPersonId(userId)}
            onImport={() => setPane({ kind: "import" })}
          />
        ) : summary ? (
          <Summary licenses={summary.items} onOpen={(l) => setOpenId(l.id)} />
        ) : (
          <p class="loading" role="status">
            {t("loading")}
          </p>
        )}
      </main>
      {license && client && pane?.kind === "assign" && (
        <AssignPane
          license={license}
          client={client}
          initialQuery={pane.query}
          onAssign={(principals) => change("assign", license, principals, (client, body, key) => client.assign(license.id, body, key))}
          onClose={() => setPane(null)}
        />
      )}
      {license && client && pane?.kind === "import" && (
        <ImportPane
          appName={license.app.name}
          client={client}
          licenseId={license.id}
          onDone={() => {
            void data.reload();
            setVersion(version + 1);
          }}
          onClose={() => setPane(null)}
        />
      )}
      {license && pane?.kind === "install" && (
        <InstallDialog license={license} onContinue={() => install(license)} onClose={() => setPane(null)} />
      )}
      {pane?.kind === "unassign" && (pane.license ?? license) && (
        <UnassignDialog
          appName={(pane.license ?? license)!.app.name}
          principals={pane.principals}
          onConfirm={() => {
            const target = (pane.license ?? license)!;
            return change("unassign", target, pane.principals, (client, body, key) => client.unassign(target.id, body, key));
          }}
          onClose={() => setPane(null)}
        />
      )}
    </div>
  );
}

function Status(props: { freshness: Freshness; fetchedAt?: number | undefined }) {
  return (
    <p class={statusClass(props.freshness)} role="status">
      {statusText(props.freshness, props.fetchedAt)}
    </p>
  );
}

function SignedOut() {
  const [expired, setExpired] = useState<Session[]>([]);
  const [state, setState] = useState<{ busy?: boolean; error?: string }>({});
  useEffect(() => void sessionsToRenew().then(setExpired), []);

  /** One click: the Microsoft window opens for the same account (the popup may close meanwhile). */
  async function signInAgain(session: Session) {
    setState({ busy: true });
    const answer = await send("signInWithMicrosoft", { backendUrl: session.backendUrl, loginHint: session.me.user.userPrincipalName });
    if (answer.ok) location.reload();
    else setState({ error: answer.message });
  }

  return (
    <div class="popup signed-out">
      <h1>{t("extName")}</h1>
      {expired.map((session) => (
        <p key={session.me.tenant.id} class="info">
          {t("sessionExpired", [session.me.tenant.displayName])}{" "}
          <button type="button" class="primary" disabled={state.busy} onClick={() => void signInAgain(session)}>
            {t("signInAgain")}
          </button>
        </p>
      ))}
      {state.error && (
        <p class="error" role="alert">
          {state.error}
        </p>
      )}
      <p>{t("signInPrompt")}</p>
      <button type="button" class="primary" onClick={() => void browser.runtime.openOptionsPage()}>
        {t("signIn")}
      </button>
    </div>
  );
}
