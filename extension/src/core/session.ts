/** Signing in and out, and a client for a signed-in tenant; an expired session is dropped. */
import { ApiError, AppSeatsClient } from "../api/client.js";
import { type Session, sessions, settings } from "./storage.js";

export async function signIn(backendUrl: string, userPrincipalName: string): Promise<Session> {
  const { token, expiresAt } = await new AppSeatsClient(backendUrl).signIn(userPrincipalName);
  const me = await new AppSeatsClient(backendUrl, token).me();
  const session: Session = { backendUrl, token, expiresAt, me };
  await sessions.put(session);
  await settings.update({ lastTenantId: me.tenant.id });
  return session;
}

export const clientFor = (session: Session) => new AppSeatsClient(session.backendUrl, session.token);

/** Runs a call for a session; a 401 means the session is over, so it is removed before rethrowing. */
export async function withSession<T>(session: Session, call: (client: AppSeatsClient) => Promise<T>): Promise<T> {
  try {
    return await call(clientFor(session));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) await sessions.remove(session.me.tenant.id);
    throw error;
  }
}

export async function liveSessions(now = Date.now()): Promise<Session[]> {
  const all = Object.values(await sessions.all());
  const live = all.filter((s) => new Date(s.expiresAt).getTime() > now);
  for (const expired of all.filter((s) => !live.includes(s))) await sessions.remove(expired.me.tenant.id);
  return live;
}
