/**
 * The options page: which backend to use, signing in (with Microsoft first; the local sign-in
 * offers the demo accounts only where the backend says it has one) and signing out of each tenant.
 */

import type { AuthConfig } from "@appseats/shared";
import { useEffect, useState } from "preact/hooks";
import browser from "webextension-polyfill";
import { AppSeatsClient, type DemoAccount } from "../../api/client.js";
import { type Backend, backendAt, builtInBackend, isClientId } from "../../core/backend.js";
import { backendOrigin } from "../../core/backend-url.js";
import { describeError } from "../../core/describe-error.js";
import { roleNames, t } from "../../core/i18n.js";
import { send } from "../../core/messages.js";
import { signOut as endSession, liveSessions, signIn } from "../../core/session.js";
import { dropFirstView, dropSnapshot, readSnapshot } from "../../core/snapshot.js";
import { defaultBackendUrl, type Session, sessions, settings } from "../../core/storage.js";
import { DirectorySync } from "./DirectorySync.js";

export function Options() {
  const [backendUrl, setBackendUrl] = useState(defaultBackendUrl);
  const [clientId, setClientId] = useState("");
  const [authority, setAuthority] = useState(builtInBackend.entra.authority);
  const [backend, setBackend] = useState<Backend>(builtInBackend);
  const saved = backend.url;
  const [config, setConfig] = useState<AuthConfig | "unavailable">();
  const [accounts, setAccounts] = useState<DemoAccount[]>();
  const [signedIn, setSignedIn] = useState<Session[]>([]);
  const [upn, setUpn] = useState("");
  const [message, setMessage] = useState<{ kind: "error" | "success"; text: string }>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void settings.backend().then((kept) => {
      setBackend(kept);
      setBackendUrl(kept.url);
      if (kept.url !== builtInBackend.url && kept.entra) {
        setClientId(kept.entra.clientId);
        setAuthority(kept.entra.authority);
      }
    });
    void liveSessions().then(setSignedIn);
  }, []);

  // How this backend signs in; the demo accounts only where it has the local sign-in.
  useEffect(() => {
    setConfig(undefined);
    setAccounts(undefined);
    const client = new AppSeatsClient(saved);
    client
      .authConfig()
      .then(async (found) => {
        setConfig(found);
        if (found.devSignIn) setAccounts((await client.demoAccounts()).items);
      })
      .catch(() => setConfig("unavailable"));
  }, [saved]);

  /** Asks the browser for leave to reach an origin the manifest does not list; false if refused. */
  async function allowed(url: URL): Promise<boolean> {
    const pattern = `${url.protocol}//${url.hostname}/*`;
    if (await browser.permissions.contains({ origins: [pattern] })) return true;
    const granted = await browser.permissions.request({ origins: [pattern] }).catch(() => false);
    if (!granted) setMessage({ kind: "error", text: t("permissionRefused", [url.host]) });
    return granted;
  }

  async function saveBackend(event: Event) {
    event.preventDefault();
    const origin = backendOrigin(backendUrl);
    if (!origin) return setMessage({ kind: "error", text: t("badBackendUrl") });
    const url = new URL(origin);
    // A backend other than the built-in one signs in with the registration entered with it, if any.
    let entra = null;
    if (origin !== builtInBackend.url && clientId.trim()) {
      if (!isClientId(clientId)) return setMessage({ kind: "error", text: t("badClientId") });
      const authorityOrigin = backendOrigin(authority);
      if (!authorityOrigin) return setMessage({ kind: "error", text: t("badAuthority") });
      entra = {
        authority: `${authorityOrigin}${new URL(authority.trim()).pathname.replace(/\/+$/, "")}`,
        clientId: clientId.trim().toLowerCase(),
      };
    }
    if (!(await allowed(url))) return;
    const chosen = backendAt(origin, entra);
    await settings.update({ backendUrl: chosen.url, entra: chosen.url === builtInBackend.url ? null : chosen.entra });
    // Tokens belong to the backend they were given for: sessions of any other one end here.
    const others = Object.values(await sessions.all()).filter((session) => session.backendUrl !== chosen.url);
    for (const session of others) await endSession(session);
    // Each sign-out drops its own last view (core/session.ts); a first view still lists their tenants.
    if (others.length > 0) dropFirstView();
    setSignedIn(await liveSessions());
    setBackend(chosen);
    setBackendUrl(chosen.url);
    setMessage({ kind: "success", text: others.length > 0 ? t("backendChangedSignedOut", [chosen.url]) : t("backendSaved", [chosen.url]) });
  }

  async function signInAs(userPrincipalName: string) {
    setBusy(true);
    try {
      const session = await signIn(saved, userPrincipalName);
      // The popup's first view has no switcher entry for this tenant yet.
      dropFirstView();
      setSignedIn(await liveSessions());
      setMessage({ kind: "success", text: t("signedInAs", [session.me.user.displayName, session.me.tenant.displayName]) });
      await send("refresh").catch(() => undefined);
    } catch (error) {
      setMessage({ kind: "error", text: describeError(error) });
    } finally {
      setBusy(false);
    }
  }

  async function signInWithMicrosoft(authority: string) {
    setBusy(true);
    setMessage({ kind: "success", text: t("signingIn") });
    try {
      // An authority other than Microsoft's own or this machine needs the browser's permission to reach it.
      if (!(await allowed(new URL(authority)))) return;
      const answer = await send("signInWithMicrosoft", { backendUrl: saved });
      if (answer.ok) {
        dropFirstView();
        setSignedIn(await liveSessions());
      }
      setMessage({ kind: answer.ok ? "success" : "error", text: answer.message });
    } finally {
      setBusy(false);
    }
  }

  async function signOut(session: Session) {
    const tenantId = session.me.tenant.id;
    await endSession(session);
    // The popup's instant last view must not show a tenant the admin signed out of, as the
    // current one or in the switcher of its first view.
    if (readSnapshot()?.me.tenant.id === tenantId) dropSnapshot();
    else dropFirstView();
    setSignedIn(await liveSessions());
    setMessage({ kind: "success", text: t("signedOut") });
    await send("refresh").catch(() => undefined);
  }

  return (
    <main class="options">
      <h1>{t("optionsTitle")}</h1>
      {message && (
        <p class={message.kind} role={message.kind === "error" ? "alert" : "status"}>
          {message.text}
        </p>
      )}

      <section aria-labelledby="backend-heading">
        <h2 id="backend-heading">{t("backendHeading")}</h2>
        <form onSubmit={(e) => void saveBackend(e)}>
          <label for="backend-url">{t("backendLabel")}</label>
          <input
            id="backend-url"
            type="url"
            required
            value={backendUrl}
            onInput={(e) => setBackendUrl((e.target as HTMLInputElement).value)}
          />
          {backendOrigin(backendUrl) === builtInBackend.url ? (
            <p class="detail">{t("builtInBackendNote")}</p>
          ) : (
            <fieldset class="custom-backend">
              <legend>{t("signInWithMicrosoft")}</legend>
              <p class="detail">{t("customBackendIntro")}</p>
              <label for="entra-client-id">{t("entraClientIdLabel")}</label>
              <input
                id="entra-client-id"
                type="text"
                spellcheck={false}
                autocomplete="off"
                value={clientId}
                onInput={(e) => setClientId((e.target as HTMLInputElement).value)}
              />
              <label for="entra-authority">{t("entraAuthorityLabel")}</label>
              <input
                id="entra-authority"
                type="url"
                value={authority}
                onInput={(e) => setAuthority((e.target as HTMLInputElement).value)}
              />
            </fieldset>
          )}
          <button type="submit" class="save-backend">
            {t("save")}
          </button>
        </form>
      </section>

      <section aria-labelledby="signed-in-heading">
        <h2 id="signed-in-heading">{t("signedInHeading")}</h2>
        {signedIn.length === 0 && <p>{t("notSignedIn")}</p>}
        <ul class="sessions">
          {signedIn.map((s) => (
            <li key={s.me.tenant.id}>
              <span>
                <strong>{s.me.tenant.displayName}</strong> — {s.me.user.displayName} ({roleNames(s.me.roles) || t("noRole")})
              </span>
              <button type="button" onClick={() => void signOut(s)} aria-label={t("signOutOf", [s.me.tenant.displayName])}>
                {t("signOut")}
              </button>
            </li>
          ))}
        </ul>
      </section>

      {signedIn
        .filter((s) => s.me.roles.includes("GlobalAdmin"))
        .map((s) => (
          <DirectorySync key={s.me.tenant.id} session={s} />
        ))}

      <section aria-labelledby="sign-in-heading">
        <h2 id="sign-in-heading">{t("signIn")}</h2>
        {config === "unavailable" && <p>{t("backendUnavailable")}</p>}
        {config && config !== "unavailable" && (
          <>
            {!config.entra ? (
              <p>{t("entraUnavailable")}</p>
            ) : backend.entra ? (
              <button
                type="button"
                class="primary microsoft"
                disabled={busy}
                onClick={() => void signInWithMicrosoft(backend.entra!.authority)}
              >
                {t("signInWithMicrosoft")}
              </button>
            ) : (
              <p>{t("entraNotSetUp")}</p>
            )}
            {!config.devSignIn && <p>{t("devSignInUnavailable")}</p>}
          </>
        )}
        {accounts && (
          <>
            <h3>{t("devSignInHeading")}</h3>
            <p>{t("demoAccountsIntro")}</p>
            <ul class="accounts">
              {accounts.map((a) => (
                <li key={a.userPrincipalName}>
                  <button type="button" disabled={busy} onClick={() => void signInAs(a.userPrincipalName)}>
                    {t("signInAs", [a.displayName])}
                  </button>{" "}
                  <span class="detail">
                    {a.userPrincipalName} · {a.tenant} · {roleNames(a.roles)}
                  </span>
                </li>
              ))}
            </ul>
            <form
              onSubmit={(e) => {
                e.preventDefault();
                void signInAs(upn.trim());
              }}
            >
              <label for="upn">{t("upnLabel")}</label>
              <input id="upn" type="email" required value={upn} onInput={(e) => setUpn((e.target as HTMLInputElement).value)} />
              <button type="submit" disabled={busy}>
                {t("signIn")}
              </button>
            </form>
          </>
        )}
      </section>
    </main>
  );
}
