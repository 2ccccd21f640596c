import { render } from "preact";
import browser from "webextension-polyfill";
import { t } from "../../core/i18n.js";
import { Options } from "./Options.js";
import "../../theme.css";

document.documentElement.lang = browser.i18n.getUILanguage();
document.title = t("optionsTitle");
render(<Options />, document.getElementById("app")!);
