/**
 * The popup itself, started by its first view (popup/first-view.ts) once that is painted. Its
 * main function is written inline, as in background/index.ts.
 */
import type { UnlistedScriptDefinition } from "wxt";
import { defineUnlistedScript } from "wxt/utils/define-unlisted-script";
import { startPopup } from "./popup/main.js";

export default defineUnlistedScript(() => startPopup()) satisfies UnlistedScriptDefinition;
