/** The extension's messages of one language, as src/locales keeps them (the build makes _locales of them). */
import { readFileSync } from "node:fs";

const root = new URL("../../../", import.meta.url).pathname;

export const messagesOf = (locale: "en" | "zh_TW") =>
  JSON.parse(readFileSync(`${root}extension/src/locales/${locale}.json`, "utf8")) as Record<string, { message: string }>;
