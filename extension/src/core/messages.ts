/**
 * The messages the popup and options page send to the background, with their answers: one
 * typed map, dispatched in the background by a single listener.
 */
import browser from "webextension-polyfill";
import type { CsvNames } from "./csv-import.js";
import type { QueuedChange, ReplayOutcome } from "./queue.js";
import type { Session } from "./storage.js";

export interface Messages {
  /** Refresh every tenant's cached summary, the menus and the badge now (after sign-in or sign-out). */
  refresh: { request: Record<string, never>; response: { ok: true } };
  /**
   * The popup has just put its tenant's fresh summary in the cache, or switched tenant: show it
   * in the menus and the badge, without asking the backend again.
   */
  cacheChanged: { request: Record<string, never>; response: { ok: true } };
  /** Keep a change made while the backend was unreachable, to send later. */
  queueChange: { request: { change: QueuedChange }; response: { queued: number } };
  /** Send the queued changes that are due; `early`: the backend has just answered, send those waiting too. */
  replayQueue: { request: { early?: boolean }; response: { outcomes: ReplayOutcome[]; remaining: number } };
  /** Send a failed change again now, from its first try. */
  retryChange: { request: { id: string }; response: { outcomes: ReplayOutcome[]; remaining: number } };
  /** Drop a queued change: nothing of it is sent. */
  discardChange: { request: { id: string }; response: { ok: true } };
  /** Sign in with Microsoft Entra ID at the backend's authority, in the browser's sign-in window. */
  signInWithMicrosoft: {
    request: { backendUrl: string; loginHint?: string };
    response: { ok: boolean; message: string };
  };
  /** Renew a tenant's Entra ID access token with its refresh token (none when that fails). */
  renewSession: { request: { tenantId: string }; response: { session: Session | null } };
  /** What the "Assign license to …" menu does with a selection. */
  assignSelection: {
    request: { tenantId: string; licenseId: string; selection: string };
    response: { result: "assigned" | "choose" | "refused" | "failed"; message: string };
  };
  /** The names of a CSV import (core/csv-import.ts): parsed in the background, which ships the CSV parser, not the popup. */
  parseCsv: { request: { text: string }; response: CsvNames };
  /** What the "Licenses of …" menu does with a selection: opens the person's licenses, or says why not. */
  openPerson: { request: { tenantId: string; selection: string }; response: { opened: boolean } };
}

export type MessageType = keyof Messages;
export type Envelope = { [K in MessageType]: { type: K; payload: Messages[K]["request"] } }[MessageType];

export function send<K extends MessageType>(type: K, payload: Messages[K]["request"]): Promise<Messages[K]["response"]> {
  return browser.runtime.sendMessage({ type, payload }) as Promise<Messages[K]["response"]>;
}
