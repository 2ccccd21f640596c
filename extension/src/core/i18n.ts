/** Text in the browser's language, from _locales (English and Traditional Chinese). */
import browser from "webextension-polyfill";

export function t(key: string, ...substitutions: (string | number)[]): string {
  const text = browser.i18n.getMessage(key, substitutions.map(String));
  return text || key;
}

export function formatCount(n: number): string {
  return new Intl.NumberFormat(browser.i18n.getUILanguage()).format(n);
}

export function formatAgo(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  const format = new Intl.RelativeTimeFormat(browser.i18n.getUILanguage(), { numeric: "auto" });
  return minutes < 60 ? format.format(-minutes, "minute") : format.format(-Math.round(minutes / 60), "hour");
}
