/**
 * What the extension keeps: sessions (tokens) in storage.session, so they never reach the disk;
 * settings, cached summaries and icons, the offline queue and the renewals told in storage.local.
 */

import type { Me } from "@appseats/shared";
import { storage } from "@wxt-dev/storage";
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

/**
 * Each kept value is a typed storage item of WXT's storage, at version 1 unless it says another: a
 * change to its shape raises its version, with a migration from the version before, run once when
 * the extension next starts. Sessions are in storage.session, so they never reach the disk; the
 * rest in storage.local.
 */
const sessionsItem = storage.defineItem<Record<string, Session>>("session:sessions", { fallback: {} });

const settingsItem = storage.defineItem<Settings>("local:settings", {
  fallback: { backendUrl: defaultBackendUrl },
  version: 2,
  migrations: {
    // Version 1 kept any backend address; one that may no longer be used (plain http but on this computer) is dropped.
    2: (kept: Settings): Settings => ({ ...kept, backendUrl: backendOrigin(kept.backendUrl) ?? defaultBackendUrl }),
  },
});

const iconsItem = storage.defineItem<KeptIcons>("local:icons", { fallback: {} });
const queueItem = storage.defineItem<QueuedChange[]>("local:queue", { fallback: [] });
const renewalNoticesItem = storage.defineItem<string[]>("local:renewalNotices", { fallback: [] });
/** A tenant's cached summary: one value per tenant, under summary:<tenant id>. */
const summaryKey = (tenantId: string) => `local:summary:${tenantId}` as const;

export const sessions = {
  all: () => sessionsItem.getValue(),
  async put(session: Session) {
    await sessionsItem.setValue({ ...(await sessionsItem.getValue()), [session.me.tenant.id]: session });
  },
  async remove(tenantId: string) {
    const { [tenantId]: _removed, ...others } = await sessionsItem.getValue();
    await sessionsItem.setValue(others);
  },
  /** Calls `onChange` whenever the sessions change, in any of the extension's pages or its background; returns how to stop. */
  watch: (onChange: () => void) => sessionsItem.watch(onChange),
};

export const settings = {
  get: () => settingsItem.getValue(),
  async update(change: Partial<Settings>) {
    await settingsItem.setValue({ ...(await settingsItem.getValue()), ...change });
  },
  /** The backend in use, with how to sign in to it with Microsoft. */
  async backend(): Promise<Backend> {
    const kept = await settings.get();
    return backendAt(kept.backendUrl, kept.entra);
  },
};

export const summaries = {
  /** The tenant's cached summary, or null if none is kept. */
  get: (tenantId: string) => storage.getItem<CachedSummary>(summaryKey(tenantId)),
  put: (tenantId: string, cached: CachedSummary) => storage.setItem(summaryKey(tenantId), cached),
  remove: (tenantId: string) => storage.removeItem(summaryKey(tenantId)),
  /** Forgets every tenant's cached summary but those of `tenantIds`: cached data ends with its session. */
  async keepOnly(tenantIds: string[]) {
    const kept = Object.keys(await storage.snapshot("local")).filter((key) => key.startsWith("summary:"));
    const stale = kept.filter((key) => !tenantIds.includes(key.slice("summary:".length)));
    if (stale.length > 0) await storage.removeItems(stale.map((key) => `local:${key}` as const));
  },
};

export const icons = {
  all: () => iconsItem.getValue(),
  set: (kept: KeptIcons) => iconsItem.setValue(kept),
};

export const queue = {
  all: () => queueItem.getValue(),
  async set(changes: QueuedChange[]): Promise<QueuedChange[]> {
    await queueItem.setValue(changes);
    return changes;
  },
  async add(change: QueuedChange) {
    await queue.set([...(await queue.all()), change]);
  },
  /** Calls `onChange` with the queue whenever it changes; returns how to stop. */
  watch: (onChange: (changes: QueuedChange[]) => void) => queueItem.watch(onChange),
};

/** The renewals told in a notification (core/attention.ts renewalNoticeId), so each is told once. */
export const renewalNotices = {
  all: () => renewalNoticesItem.getValue(),
  set: (ids: string[]) => renewalNoticesItem.setValue(ids),
};
