/** Signing in and out, and a client for a signed-in tenant; an expired session is renewed or dropped. */
import { ApiError, AppSeatsClient } from "../api/client.js";
import { send } from "./messages.js";
import { withoutChangesOf } from "./queue.js";
import { dropSnapshotOf } from "./snapshot.js";
import { type EntraSession, queue, type Session, sessions, settings, summaries } from "./storage.js";

/** An Entra ID access token is renewed this long before it expires. */
export const renewBeforeMs = 5 * 60 * 1000;

/**
 * How an Entra ID session is renewed. The background does it (with oauth4webapi, core/entra.ts,
 * one renewal at a time per tenant, since a refresh token is good for one use); the popup and
 * the options page ask it, so that they do not ship the OAuth client.
 */
let renew = async (session: Session): Promise<Session> => {
  const { session: renewed } = await send("renewSession", { tenantId: session.me.tenant.id });
  if (!renewed) throw new Error("The sign-in could not be renewed.");
  return renewed;
};

/** The background renews sessions itself (entrypoints/background/entra.ts). */
export function renewSessionsWith(renewer: (session: Session & { entra: EntraSession }) => Promise<Session>) {
  renew = (session) => renewer(session as Session & { entra: EntraSession });
}

/** The local sign-in (demo accounts), where the backend offers it. */
export async function signIn(backendUrl: string, userPrincipalName: string): Promise<Session> {
  const { token, expiresAt } = await new AppSeatsClient(backendUrl).signIn(userPrincipalName);
  const me = await new AppSeatsClient(backendUrl, token).me();
  return keep({ backendUrl, token, expiresAt, me });
}

/** Keeps a new session and makes its tenant the current one. */
export async function keep(session: Session): Promise<Session> {
  await sessions.put(session);
  await settings.update({ lastTenantId: session.me.tenant.id });
  return session;
}

/**
 * Signs out of a tenant: the backend ends the session (a local one at once), and the extension
 * forgets its tokens, the tenant's cached figures, the popup's last view of them and the admin's
 * changes still waiting to be sent (the security review: nobody else may replay them).
 */
export async function signOut(session: Session): Promise<void> {
  await clientFor(session)
    .signOut()
    .catch(() => undefined);
  await sessions.remove(session.me.tenant.id);
  await summaries.remove(session.me.tenant.id);
  dropSnapshotOf(session.me);
  await queue.set(withoutChangesOf(await queue.all(), session.me.tenant.id, session.me.user.id));
}

export const clientFor = (session: Session) => new AppSeatsClient(session.backendUrl, session.token);

const isEntra = (session: Session): session is Session & { entra: EntraSession } => session.entra !== undefined;

/** An Entra ID session whose access token expires soon is renewed first; one that cannot be is marked. */
async function current(session: Session, now = Date.now()): Promise<Session> {
  if (!isEntra(session) || session.renewalFailed || new Date(session.expiresAt).getTime() - now > renewBeforeMs) return session;
  try {
    const renewed = await renew(session);
    await sessions.put(renewed);
    return renewed;
  } catch {
    const failed = { ...session, renewalFailed: true };
    await sessions.put(failed);
    return failed;
  }
}

/** Runs a call for a session; a 401 means the session is over, so it is removed (or marked, for Entra ID) before rethrowing. */
export async function withSession<T>(session: Session, call: (client: AppSeatsClient) => Promise<T>): Promise<T> {
  const live = await current(session);
  try {
    return await call(clientFor(live));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      if (isEntra(live)) await sessions.put({ ...live, renewalFailed: true });
      else await sessions.remove(live.me.tenant.id);
    }
    throw error;
  }
}

/** The sessions that work now: Entra ID ones renewed where due; expired local ones dropped. */
export async function liveSessions(now = Date.now()): Promise<Session[]> {
  const all = await Promise.all(Object.values(await sessions.all()).map((s) => current(s, now)));
  const live = all.filter((s) => !s.renewalFailed && new Date(s.expiresAt).getTime() > now);
  for (const expired of all.filter((s) => !isEntra(s) && !live.includes(s))) await sessions.remove(expired.me.tenant.id);
  return live;
}

/** Entra ID sessions that need the admin to sign in again (one click, in the popup). */
export async function sessionsToRenew(): Promise<Session[]> {
  return Object.values(await sessions.all()).filter((s) => isEntra(s) && s.renewalFailed);
}
