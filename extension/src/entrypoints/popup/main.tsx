import { render } from "preact";
import { t, uiLanguage } from "../../core/i18n.js";
import { App } from "./App.js";

/** Renders the popup, over its first view if there is one: it reuses its elements. Run by first-view.ts. */
export function startPopup() {
  // The language the text is in: the browser's own when the extension speaks it, else the text's.
  document.documentElement.lang = uiLanguage();
  document.title = t("extName");
  render(<App />, document.getElementById("app")!);
}
