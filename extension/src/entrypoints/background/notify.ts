/** Telling the admin the outcome of work done in the background. */
import browser from "webextension-polyfill";

/** A notification; one with an `id` replaces the one shown under the same id. */
export async function notify(title: string, message: string, id?: string): Promise<void> {
  const options = { type: "basic" as const, iconUrl: browser.runtime.getURL("icons/icon-128.png"), title, message };
  await (id ? browser.notifications.create(id, options) : browser.notifications.create(options));
}
