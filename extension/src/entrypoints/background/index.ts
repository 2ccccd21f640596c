/**
 * The service worker (Chrome) or background script (Firefox): see start.ts.
 * Its main function is written inline: WXT reads this file at build time with main removed, so
 * that none of the code it starts runs outside a browser.
 */
import type { BackgroundDefinition } from "wxt";
import { defineBackground } from "wxt/utils/define-background";
import { startBackground } from "./start.js";

export default defineBackground({ type: "module", main: () => startBackground() }) satisfies BackgroundDefinition;
