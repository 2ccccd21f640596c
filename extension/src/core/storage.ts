/**
 * What the extension keeps. Sessions (tokens) live in storage.session where the browser has
 * it, so they never reach the disk; settings, cached summaries and the offline queue live in
 * storage.local.
 */

import type { Me } from "@appseats/shared";
import browser from "webextension-polyfill";
import { type Backend, backendAt, builtInBackend, type EntraRegistration } from "./backend.js";
import { backendOrigin } from "./backend-url.js";
import type { CachedSummary } from "./cache.js";
import type { KeptIcons } from "./icons.js";
import type { QueuedChange } from "./queue.js";

export const defaultBackendUrl = builtInBackend.url;

export interface Session {
  backendUrl: string;
  /** The bearer token: a local session token, or an Entra ID access token. */
  token: string;
  expiresAt: string;
  me: Me;
  /** Signed in with Microsoft Entra ID: where to renew the access token. */
  entra?: EntraSession;
  /** The access token expired and could not be renewed: the admin is asked to sign in again. */
  renewalFailed?: boolean;
}

export interface EntraSession {
  authority: string;
  clientId: string;
  refreshToken?: string;
}

export interface Settings {
  backendUrl: string;
  /** For a backend other than the built-in one: the Entra ID registration the admin entered with its address. */
  entra?: EntraRegistration | null;
  lastTenantId?: string;
}

const secretArea = () => (browser.storage.session ?? browser.storage.local) as browser.Storage.StorageArea;

async function read<T>(area: browser.Storage.StorageArea, key: string, fallback: T): Promise<T> {
  const values = await area.get(key);
  return (values[key] as T | undefined) ?? fallback;
}

export const sessions = {
  all: () => read<Record<string, Session>>(secretArea(), "sessions", {}),
  async put(session: Session) {
    const all = await sessions.all();
    all[session.me.tenant.id] = session;
    await secretArea().set({ sessions: all });
  },
  async remove(tenantId: string) {
    const all = await sessions.all();
    delete all[tenantId];
    await secretArea().set({ sessions: all });
  },
};

export const settings = {
  async get(): Promise<Settings> {
    const kept = await read<Settings>(browser.storage.local, "settings", { backendUrl: defaultBackendUrl });
    // A backend kept by an older version that may no longer be used (plain http elsewhere) is not.
    return { ...kept, backendUrl: backendOrigin(kept.backendUrl) ?? defaultBackendUrl };
  },
  async update(change: Partial<Settings>) {
    await browser.storage.local.set({ settings: { ...(await settings.get()), ...change } });
  },
  /** The backend in use, with how to sign in to it with Microsoft. */
  async backend(): Promise<Backend> {
    const kept = await settings.get();
    return backendAt(kept.backendUrl, kept.entra);
  },
};

export const summaries = {
  get: (tenantId: string) => read<CachedSummary | undefined>(browser.storage.local, `summary:${tenantId}`, undefined),
  put: (tenantId: string, cached: CachedSummary) => browser.storage.local.set({ [`summary:${tenantId}`]: cached }),
  remove: (tenantId: string) => browser.storage.local.remove(`summary:${tenantId}`),
  /** Forgets every tenant's cached summary but those of `tenantIds`: cached data ends with its session. */
  async keepOnly(tenantIds: string[]) {
    const keys = Object.keys(await browser.storage.local.get(null)).filter((key) => key.startsWith("summary:"));
    const stale = keys.filter((key) => !tenantIds.includes(key.slice("summary:".length)));
    if (stale.length > 0) await browser.storage.local.remove(stale);
  },
};

export const icons = {
  all: () => read<KeptIcons>(browser.storage.local, "icons", {}),
  set: (kept: KeptIcons) => browser.storage.local.set({ icons: kept }),
};

export const queue = {
  all: () => read<QueuedChange[]>(browser.storage.local, "queue", []),
  async set(changes: QueuedChange[]): Promise<QueuedChange[]> {
    await browser.storage.local.set({ queue: changes });
    return changes;
  },
  async add(change: QueuedChange) {
    await queue.set([...(await queue.all()), change]);
  },
};

/** The renewals told in a notification (core/attention.ts renewalNoticeId), so each is told once. */
export const renewalNotices = {
  all: () => read<string[]>(browser.storage.local, "renewalNotices", []),
  set: (ids: string[]) => browser.storage.local.set({ renewalNotices: ids }),
};
