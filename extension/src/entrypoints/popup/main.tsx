import { render } from "preact";
import browser from "webextension-polyfill";
import { t } from "../../core/i18n.js";
import { App } from "./App.js";

/** Renders the popup, over its first view if there is one: it reuses its elements. Run by first-view.ts. */
export function startPopup() {
  document.documentElement.lang = browser.i18n.getUILanguage();
  document.title = t("extName");
  render(<App />, document.getElementById("app")!);
}
