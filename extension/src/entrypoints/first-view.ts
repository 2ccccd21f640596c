/**
 * The popup's first classic script: the last view, put back before anything else loads
 * (entrypoints/popup/first-view.ts). Its main function is written inline, as in background/index.ts.
 */
import type { UnlistedScriptDefinition } from "wxt";
import { defineUnlistedScript } from "wxt/utils/define-unlisted-script";
import { showFirstView } from "./popup/first-view.js";

export default defineUnlistedScript(() => showFirstView()) satisfies UnlistedScriptDefinition;
