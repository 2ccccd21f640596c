/**
 * The popup's first view, shown before Preact and the rest of the popup have loaded: the summary
 * as the popup last drew it with fresh figures (kept with the last view, core/snapshot.ts), put
 * back at once, its status line saying how old the figures are. Once that is painted, it starts the
 * popup (main.tsx, built as the script this script's data-app names), which renders over it,
 * reusing its elements. The page does not load the popup before: loaded earlier, it was fetched and
 * compiled before the first view could run (BENCHMARKS.md).
 * A classic script of its own, run while the page is parsed.
 */
import { drawnFor, lastViewToShow } from "../../core/snapshot.js";
import { markSummaryShown } from "./shown.js";
import { statusClass, statusText } from "./status-text.js";

export function showFirstView() {
  const root = document.getElementById("app");
  const popupApp = (document.currentScript as HTMLScriptElement).dataset.app!;
  const snapshot = lastViewToShow();
  const view = snapshot?.firstView;
  if (root && snapshot && view && view.drawnFor === drawnFor()) {
    // Markup the popup drew itself, parsed into an inert document: nothing in it runs (nor could
    // it: the extension's pages allow no inline script).
    const drawn = new DOMParser().parseFromString(view.html, "text/html").body;
    root.replaceChildren(...drawn.childNodes);
    const status = root.querySelector(".status");
    if (status) {
      status.className = statusClass("stale");
      status.textContent = statusText("stale", snapshot.fetchedAt);
    }
    root.dataset.firstView = "shown";
    markSummaryShown();
  }

  /** Starts the popup: its script, added now, runs once fetched. */
  function start() {
    const script = document.createElement("script");
    script.src = popupApp;
    document.head.append(script);
  }
  // After the first view is painted: until then the module would hold the page's one thread.
  if (root?.dataset.firstView) requestAnimationFrame(() => setTimeout(start));
  else start();
}
