/**
 * The browser's extension API as the browser gives it, without the promise polyfill: for the
 * synchronous calls (i18n, the manifest) that the popup's first view makes before the polyfill
 * has loaded. Firefox names it `browser`, Chromium `chrome`.
 */
import type Browser from "webextension-polyfill";

export const browserApi = (): typeof Browser => {
  const scope = globalThis as unknown as { browser?: typeof Browser; chrome?: typeof Browser };
  return (scope.browser ?? scope.chrome)!;
};
