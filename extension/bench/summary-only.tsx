/**
 * A page the benchmark (test/bench) builds into its copy of the extension: the popup's own
 * Summary, rendered by Preact from the popup's last view and nothing else (no data layer, no
 * browser API polyfill, no panes). What any Preact popup must at least load and run before its
 * summary is on screen. Not part of the shipped extension.
 */
import { render } from "preact";
import { readSnapshot } from "../src/core/snapshot.js";
import { Summary } from "../src/entrypoints/popup/components/Summary.js";

const snapshot = readSnapshot();
render(
  <main>
    <Summary licenses={snapshot?.summary.items ?? []} onOpen={() => undefined} />
  </main>,
  document.getElementById("app")!,
);
