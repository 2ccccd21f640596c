/**
 * The service worker. Every listener is registered here, by startBackground, which the entry
 * point (index.ts) runs synchronously at the worker's top level, so the browser
 * can wake the worker for any of them; messages are dispatched through one typed map.
 */
import browser from "webextension-polyfill";
import { namesFromCsv } from "../../core/csv-import.js";
import { type DataOf, type Messages, type MessageType, onMessage } from "../../core/messages.js";
import { renewSessionsWith } from "../../core/session.js";
import { queue, sessions } from "../../core/storage.js";
import { assignSelection } from "./assign-selection.js";
import { renewOnce, renewSessionFor, signInWithMicrosoftFor } from "./entra.js";
import { parseMenuItemId, parsePersonItemId } from "./menus.js";
import { openPersonOf } from "./person-selection.js";
import { discardChange, queueAlarm, replayQueue, retryChange } from "./queue.js";
import { refreshAlarm, refreshAll, refreshEveryMinutes, showCurrentTenant } from "./refresh.js";
import { openRenewal } from "./renewals.js";

const handlers: { [K in MessageType]: (data: DataOf<K>) => Promise<ReturnType<Messages[K]>> } = {
  refresh: async () => {
    await refreshAll();
    return { ok: true };
  },
  cacheChanged: async () => {
    await showCurrentTenant();
    return { ok: true };
  },
  queueChange: async ({ change }) => {
    await queue.add(change);
    return { queued: (await queue.all()).length };
  },
  replayQueue: ({ early }) => replayQueue(early === true),
  retryChange: (request) => retryChange(request),
  discardChange: (request) => discardChange(request),
  assignSelection: (request) => assignSelection(request),
  openPerson: (request) => openPersonOf(request),
  parseCsv: async ({ text }) => namesFromCsv(text),
  signInWithMicrosoft: (request) => signInWithMicrosoftFor(request),
  renewSession: (request) => renewSessionFor(request),
};

/** Answers each message with its handler; only the extension's own pages may ask anything of the background. */
function answerMessages() {
  for (const type of Object.keys(handlers) as MessageType[]) {
    onMessage(type, ({ data, sender }) => {
      if (sender.id !== browser.runtime.id) throw new Error("Only AppSeats' own pages may ask this.");
      return (handlers[type] as (data: unknown) => Promise<unknown>)(data) as never;
    });
  }
}

async function onTick() {
  await replayQueue();
  await refreshAll();
}

export function startBackground() {
  // The background renews Entra ID sessions itself; pages ask it to (core/session.ts).
  renewSessionsWith(renewOnce);

  browser.runtime.onInstalled.addListener(() => {
    void browser.alarms.create(refreshAlarm, { periodInMinutes: refreshEveryMinutes });
    void refreshAll();
  });

  browser.runtime.onStartup.addListener(() => void onTick());

  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === refreshAlarm) void onTick();
    if (alarm.name === queueAlarm) void replayQueue();
  });

  browser.contextMenus.onClicked.addListener((info) => {
    const target = parseMenuItemId(info.menuItemId);
    if (target && info.selectionText) void assignSelection({ ...target, selection: info.selectionText });
    const person = parsePersonItemId(info.menuItemId);
    if (person && info.selectionText) void openPersonOf({ ...person, selection: info.selectionText });
  });

  browser.notifications.onClicked.addListener((id) => void openRenewal(id));

  // Who is signed in decides whose last view the popup may draw (core/popup-url.ts): the popup is
  // told as soon as the sessions change (a sign-in or out, the browser forgetting them), not after
  // the next refresh has asked the backend for every tenant's figures.
  sessions.watch(() => void showCurrentTenant());

  answerMessages();
}
