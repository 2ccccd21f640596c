/**
 * Text in the browser's language (English and Traditional Chinese, src/locales), through
 * @wxt-dev/i18n: its keys and each key's substitutions are typed from the English messages, so a
 * missing or misspelt key, or a wrong number of substitutions, is a type error. The i18n API is
 * synchronous in every browser, so it is used as the browser gives it, without the promise polyfill.
 */
import type { RoleName } from "@appseats/shared/enums";
import { createI18n } from "@wxt-dev/i18n";
// Written by `wxt prepare` (npm run typecheck, and every build) from src/locales/en.json.
import type { GeneratedI18nStructure } from "../../.wxt/i18n/structure";
import { browserApi } from "./browser-api.js";

/** A message's text; `t(key, [$1, $2, …])` for one with substitutions. */
export const t: ReturnType<typeof createI18n<GeneratedI18nStructure>>["t"] = createI18n<GeneratedI18nStructure>().t;

/** A key of the messages. */
export type MessageKey = keyof GeneratedI18nStructure;

/**
 * The language numbers and dates are written in: the browser's, when the text is in that
 * language (en-GB keeps its dates), else the text's own (a service worker may be told en-US
 * while the text is in Traditional Chinese).
 */
export function uiLanguage(): string {
  const browserLanguage = browserApi().i18n.getUILanguage();
  const textLanguage = t("textLocale") || browserLanguage;
  const primary = (tag: string) => tag.toLowerCase().split(/[-_]/)[0];
  return primary(browserLanguage) === primary(textLanguage) ? browserLanguage : textLanguage;
}

/** Admin roles (R10) by their names in the reader's language, as the admin center names them. */
export const roleNames = (roles: readonly RoleName[]): string => roles.map((role) => t(`role_${role}`)).join(", ");

// Made once: building an Intl formatter costs far more than using one, and the popup formats
// a few numbers for every app it lists.
let counts: Intl.NumberFormat | undefined;
let ago: Intl.RelativeTimeFormat | undefined;

export function formatCount(n: number): string {
  counts ??= new Intl.NumberFormat(uiLanguage());
  return counts.format(n);
}

export function formatAgo(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  ago ??= new Intl.RelativeTimeFormat(uiLanguage(), { numeric: "auto" });
  return minutes < 60 ? ago.format(-minutes, "minute") : ago.format(-Math.round(minutes / 60), "hour");
}

let dateTimes: Intl.DateTimeFormat | undefined;

/** A moment (ISO 8601) as a date and time in the reader's language. */
export function formatDateTime(iso: string): string {
  dateTimes ??= new Intl.DateTimeFormat(uiLanguage(), { dateStyle: "medium", timeStyle: "short" });
  return dateTimes.format(new Date(iso));
}

let dates: Intl.DateTimeFormat | undefined;

/** A day (ISO 8601) as a date in the reader's language, as UTC keeps it (renewals fall on a day, not a moment). */
export function formatDate(iso: string): string {
  dates ??= new Intl.DateTimeFormat(uiLanguage(), { dateStyle: "medium", timeZone: "UTC" });
  return dates.format(new Date(iso));
}
