/**
 * Directory sync, for a tenant's GlobalAdmin: the SCIM address to paste into Entra ID or Okta,
 * a provisioning token created for the days asked and shown once (with a copy button), the
 * tokens with their last use and expiry — a token that expires within 30 days, or has expired,
 * told as a warning — and revoking one after a confirmation.
 */
import type { ProvisioningToken } from "@appseats/shared";
import { provisioningTokenDays, provisioningTokenWarningDays } from "@appseats/shared/limits";
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { describeError } from "../../core/describe-error.js";
import { formatDate, formatDateTime, t } from "../../core/i18n.js";
import { clientFor } from "../../core/session.js";
import type { Session } from "../../core/storage.js";

export function DirectorySync({ session }: { session: Session }) {
  const [tokens, setTokens] = useState<ProvisioningToken[]>();
  const [scimBaseUrl, setScimBaseUrl] = useState<string>();
  const [created, setCreated] = useState<string>();
  const [confirming, setConfirming] = useState<string>();
  const [message, setMessage] = useState<{ kind: "error" | "success"; text: string }>();
  const [days, setDays] = useState(String(provisioningTokenDays.default));
  const tenant = session.me.tenant;

  async function load() {
    try {
      const list = await clientFor(session).provisioningTokens();
      setTokens(list.items);
      setScimBaseUrl(list.scimBaseUrl);
    } catch (error) {
      setMessage({ kind: "error", text: describeError(error) });
    }
  }
  // biome-ignore lint/correctness/useExhaustiveDependencies: load reads the session it is given; a new session loads again.
  useEffect(() => void load(), [session]);

  async function create() {
    try {
      const token = await clientFor(session).createProvisioningToken(Number(days));
      setCreated(token.token);
      setMessage({ kind: "success", text: t("tokenCreated") });
      await load();
    } catch (error) {
      setMessage({ kind: "error", text: describeError(error) });
    }
  }

  async function revoke(id: string) {
    try {
      await clientFor(session).revokeProvisioningToken(id);
      setConfirming(undefined);
      setMessage({ kind: "success", text: t("tokenRevoked") });
      await load();
    } catch (error) {
      setMessage({ kind: "error", text: describeError(error) });
    }
  }

  const copy = (text: string) =>
    void navigator.clipboard.writeText(text).then(
      () => setMessage({ kind: "success", text: t("copied") }),
      () => setMessage({ kind: "error", text: t("copyFailed") }),
    );

  const id = `sync-${tenant.id}`;
  const now = Date.now();
  const expiring = (tokens ?? []).filter((token) => Date.parse(token.expiresAt) - now <= provisioningTokenWarningDays * 86_400_000);
  return (
    <section aria-labelledby={id} class="directory-sync">
      <h2 id={id}>{t("directorySyncHeading", [tenant.displayName])}</h2>
      <p>{t("directorySyncIntro")}</p>
      {message && (
        <p class={message.kind} role={message.kind === "error" ? "alert" : "status"}>
          {message.text}
        </p>
      )}
      {expiring.map((token) => (
        <p key={token.id} class="token-warning" role="alert">
          {Date.parse(token.expiresAt) <= now
            ? t("tokenExpired", [token.id, formatDate(token.expiresAt)])
            : t("tokenExpiresSoon", [token.id, formatDate(token.expiresAt)])}
        </p>
      ))}
      {scimBaseUrl && <Copyable id={`${id}-url`} label={t("scimBaseUrlLabel")} value={scimBaseUrl} onCopy={copy} />}
      {created && (
        <Copyable id={`${id}-token`} label={t("newTokenLabel")} value={created} onCopy={copy}>
          <p class="reason">{t("tokenShownOnce")}</p>
        </Copyable>
      )}
      <form
        class="create-token"
        onSubmit={(event) => {
          event.preventDefault();
          void create();
        }}
      >
        <label for={`${id}-days`}>{t("tokenLifetimeLabel")}</label>
        <input
          id={`${id}-days`}
          type="number"
          required
          min={provisioningTokenDays.min}
          max={provisioningTokenDays.max}
          step={1}
          value={days}
          onInput={(e) => setDays((e.target as HTMLInputElement).value)}
        />
        <button type="submit" class="primary">
          {t("createToken")}
        </button>
      </form>
      <h3>{t("tokensHeading")}</h3>
      {tokens && tokens.length === 0 && <p>{t("noTokens")}</p>}
      <ul class="tokens">
        {tokens?.map((token) => (
          <li key={token.id}>
            <span>
              <code>{token.id}</code> · {t("tokenCreatedAt", [formatDateTime(token.createdAt)])} ·{" "}
              {t("tokenExpiresAt", [formatDate(token.expiresAt)])} ·{" "}
              {token.lastUsedAt ? t("tokenLastUsed", [formatDateTime(token.lastUsedAt)]) : t("tokenNeverUsed")}
            </span>
            {confirming === token.id ? (
              <fieldset class="confirm">
                <legend>{t("revokeConfirm")}</legend>
                <button type="button" class="danger" onClick={() => void revoke(token.id)}>
                  {t("revoke")}
                </button>{" "}
                <button type="button" onClick={() => setConfirming(undefined)}>
                  {t("cancel")}
                </button>
              </fieldset>
            ) : (
              <button type="button" onClick={() => setConfirming(token.id)} aria-label={t("revokeWhat", [token.id])}>
                {t("revoke")}
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** A labelled, read-only value with a button that copies it. */
function Copyable(props: { id: string; label: string; value: string; onCopy: (text: string) => void; children?: ComponentChildren }) {
  return (
    <div class="copyable">
      <label class="copy-label" for={props.id}>
        {props.label}
      </label>
      <input id={props.id} type="text" readOnly value={props.value} />
      <button type="button" onClick={() => props.onCopy(props.value)} aria-label={t("copyWhat", [props.label])}>
        {t("copy")}
      </button>
      {props.children}
    </div>
  );
}
