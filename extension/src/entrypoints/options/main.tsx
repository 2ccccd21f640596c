import { render } from "preact";
import { t, uiLanguage } from "../../core/i18n.js";
import { Options } from "./Options.js";
import "../../theme.css";

// The language the text is in: the browser's own when the extension speaks it, else the text's.
document.documentElement.lang = uiLanguage();
document.title = t("optionsTitle");
render(<Options />, document.getElementById("app")!);
