import { render } from "preact";
import browser from "webextension-polyfill";
import { t } from "../core/i18n.js";
import { App } from "./App.js";
import "../theme.css";

document.documentElement.lang = browser.i18n.getUILanguage();
document.title = t("extName");
// Run by first-view.ts, over the first view if there is one: the popup reuses its elements.
render(<App />, document.getElementById("app")!);
