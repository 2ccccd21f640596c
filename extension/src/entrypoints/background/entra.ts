/**
 * Sign-in with Microsoft, run by the background: the browser's sign-in window takes the focus,
 * which closes the popup, so neither the popup nor the options page waits on it itself.
 */
import { AppSeatsClient } from "../../api/client.js";
import { describeError } from "../../core/describe-error.js";
import { renewSession, signInWithMicrosoft } from "../../core/entra.js";
import { t } from "../../core/i18n.js";
import type { DataOf, Messages } from "../../core/messages.js";
import { keep } from "../../core/session.js";
import { type EntraSession, type Session, sessions, settings } from "../../core/storage.js";
import { refreshAll } from "./refresh.js";

type Request = DataOf<"signInWithMicrosoft">;
type Answer = ReturnType<Messages["signInWithMicrosoft"]>;

/**
 * Signs in to the backend in use with its own registration: the built-in one's, fixed when the
 * extension was built, or the one the admin entered with a backend of their own. Never the
 * registration a backend names (core/backend.ts): its tokens would be handed to that backend.
 */
export async function signInWithMicrosoftFor({ backendUrl, loginHint }: Request): Promise<Answer> {
  try {
    const backend = await settings.backend();
    if (backend.url !== backendUrl || !backend.entra) return { ok: false, message: t("entraNotSetUp") };
    const { entra: offered } = await new AppSeatsClient(backendUrl).authConfig();
    if (!offered) return { ok: false, message: t("entraUnavailable") };
    const session = await keep(await signInWithMicrosoft(backendUrl, backend.entra, loginHint));
    await refreshAll();
    return { ok: true, message: t("signedInAs", [session.me.user.displayName, session.me.tenant.displayName]) };
  } catch (error) {
    return { ok: false, message: describeError(error) };
  }
}

/** Renewals under way, by tenant: a refresh token is good for one use, so a second asker waits for the first. */
const renewing = new Map<string, Promise<Session>>();

/** Renews a session's access token, once at a time per tenant. */
export function renewOnce(session: Session & { entra: EntraSession }): Promise<Session> {
  const tenantId = session.me.tenant.id;
  let renewal = renewing.get(tenantId);
  if (!renewal) {
    renewal = renewSession(session).finally(() => renewing.delete(tenantId));
    renewing.set(tenantId, renewal);
  }
  return renewal;
}

/** A page asks for a tenant's session to be renewed. */
export async function renewSessionFor({ tenantId }: DataOf<"renewSession">): Promise<ReturnType<Messages["renewSession"]>> {
  const session = (await sessions.all())[tenantId];
  if (!session?.entra) return { session: null };
  try {
    const renewed = await renewOnce(session as Session & { entra: EntraSession });
    await sessions.put(renewed);
    return { session: renewed };
  } catch {
    return { session: null };
  }
}
