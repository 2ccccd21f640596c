/**
 * Sign-in with Microsoft, run by the background: the browser's sign-in window takes the focus,
 * which closes the popup, so neither the popup nor the options page waits on it itself.
 */
import { AppSeatsClient } from "../api/client.js";
import { describeError } from "../core/describe-error.js";
import { signInWithMicrosoft } from "../core/entra.js";
import { t } from "../core/i18n.js";
import type { Messages } from "../core/messages.js";
import { keep } from "../core/session.js";
import { refreshAll } from "./refresh.background.js";

type Request = Messages["signInWithMicrosoft"]["request"];
type Answer = Messages["signInWithMicrosoft"]["response"];

export async function signInWithMicrosoftFor({ backendUrl, loginHint }: Request): Promise<Answer> {
  try {
    const { entra } = await new AppSeatsClient(backendUrl).authConfig();
    if (!entra) return { ok: false, message: t("entraUnavailable") };
    const session = await keep(await signInWithMicrosoft(backendUrl, entra, loginHint));
    await refreshAll();
    return { ok: true, message: t("signedInAs", session.me.user.displayName, session.me.tenant.displayName) };
  } catch (error) {
    return { ok: false, message: describeError(error) };
  }
}
