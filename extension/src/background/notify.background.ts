/** Telling the admin the outcome of work done in the background. */
import browser from "webextension-polyfill";

export async function notify(title: string, message: string): Promise<void> {
  await browser.notifications.create({ type: "basic", iconUrl: browser.runtime.getURL("icons/icon-128.png"), title, message });
}
