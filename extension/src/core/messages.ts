/**
 * What the popup and the options page ask of the background, with its answers: one typed protocol
 * (@webext-core/messaging). Each message's data and answer are typed at both ends; what a handler
 * throws reaches the sender as an error.
 */
import { defineExtensionMessaging } from "@webext-core/messaging";
import type { CsvNames } from "./csv-import.js";
import type { QueuedChange, ReplayOutcome } from "./queue.js";
import type { Session } from "./storage.js";

export interface Messages {
  /** Refresh every tenant's cached summary, the menus and the badge now (after sign-in or sign-out). */
  refresh(): { ok: true };
  /**
   * The popup has just put its tenant's fresh summary in the cache, or switched tenant: show it
   * in the menus and the badge, without asking the backend again.
   */
  cacheChanged(): { ok: true };
  /** Keep a change made while the backend was unreachable, to send later. */
  queueChange(data: { change: QueuedChange }): { queued: number };
  /** Send the queued changes that are due; `early`: the backend has just answered, send those waiting too. */
  replayQueue(data: { early?: boolean }): { outcomes: ReplayOutcome[]; remaining: number };
  /** Send a failed change again now, from its first try. */
  retryChange(data: { id: string }): { outcomes: ReplayOutcome[]; remaining: number };
  /** Drop a queued change: nothing of it is sent. */
  discardChange(data: { id: string }): { ok: true };
  /** Sign in with Microsoft Entra ID at the backend's authority, in the browser's sign-in window. */
  signInWithMicrosoft(data: { backendUrl: string; loginHint?: string }): { ok: boolean; message: string };
  /** Renew a tenant's Entra ID access token with its refresh token (none when that fails). */
  renewSession(data: { tenantId: string }): { session: Session | null };
  /** What the "Assign license to …" menu does with a selection. */
  assignSelection(data: { tenantId: string; licenseId: string; selection: string }): {
    result: "assigned" | "choose" | "refused" | "failed";
    message: string;
  };
  /** The names of a CSV import (core/csv-import.ts): parsed in the background, which ships the CSV parser, not the popup. */
  parseCsv(data: { text: string }): CsvNames;
  /** What the "Licenses of …" menu does with a selection: opens the person's licenses, or says why not. */
  openPerson(data: { tenantId: string; selection: string }): { opened: boolean };
}

export type MessageType = keyof Messages;
/** A message's data, as its handler receives it. */
export type DataOf<K extends MessageType> = Parameters<Messages[K]>[0];

export const { sendMessage: send, onMessage } = defineExtensionMessaging<Messages>();
