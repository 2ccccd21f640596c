/**
 * The last view of the popup, kept in the popup's own localStorage so that the next opening
 * can show it before any asynchronous call returns. It holds no secret: the tenant and admin
 * names, the admin's roles and the summary, and the summary's markup. Tokens stay in storage.session.
 */
import type { LicenseList, Me } from "@appseats/shared";
import { browserApi } from "./browser-api.js";
import { uiLanguage } from "./i18n.js";
import { signedInFor, viewOwner } from "./popup-url.js";

const key = "appseats:last-view";

export interface Snapshot {
  me: Me;
  summary: LicenseList;
  fetchedAt: number;
  /** The summary as the popup drew it from these figures (entrypoints/popup/first-view.ts), and for what (`drawnFor`). */
  firstView?: { html: string; drawnFor: string };
}

/**
 * The last view, if this popup was opened while the admin who drew it is signed in to its tenant
 * (core/popup-url.ts): never another admin's figures, nor those of a session that ended.
 */
export function lastViewToShow(): Snapshot | undefined {
  const snapshot = readSnapshot();
  return snapshot && signedInFor(location.search).includes(viewOwner(snapshot)) ? snapshot : undefined;
}

export function readSnapshot(): Snapshot | undefined {
  try {
    const text = localStorage.getItem(key);
    return text ? (JSON.parse(text) as Snapshot) : undefined;
  } catch {
    return undefined;
  }
}

export function writeSnapshot(snapshot: Snapshot): void {
  try {
    localStorage.setItem(key, JSON.stringify(snapshot));
  } catch {
    // A full or unavailable localStorage only costs the instant first view.
  }
}

/**
 * Keeps `root`'s markup as the first view of the next opening, with the last view, if `root`
 * shows the figures fetched at `fetchedAt`, those of the last view. A select's current choice is
 * a property, not markup: it is written into its options.
 */
export function keepFirstView(root: Element, fetchedAt: number | undefined): void {
  const snapshot = readSnapshot();
  if (!snapshot || snapshot.fetchedAt !== fetchedAt) return;
  const copy = root.cloneNode(true) as Element;
  const chosen = [...root.querySelectorAll("option")].map((option) => option.selected);
  for (const [i, option] of copy.querySelectorAll("option").entries()) option.toggleAttribute("selected", chosen[i] ?? false);
  writeSnapshot({ ...snapshot, firstView: { html: copy.innerHTML, drawnFor: drawnFor() } });
}

/** A first view is shown again only as it was drawn: in the same language, by the same version of the extension. */
export function drawnFor(): string {
  return `${uiLanguage()} ${browserApi().runtime.getManifest().version}`;
}

/**
 * Drops the first view but keeps the last view's figures: when the tenants signed in change, the
 * organisation switcher drawn in it no longer lists the right ones.
 */
export function dropFirstView(): void {
  const snapshot = readSnapshot();
  if (!snapshot?.firstView) return;
  const { firstView: _dropped, ...lastView } = snapshot;
  writeSnapshot(lastView);
}

/** At an admin's sign-out of a tenant: their last view goes with them. */
export function dropSnapshotOf(me: { tenant: { id: string }; user: { id: string } }): void {
  const snapshot = readSnapshot();
  if (snapshot && viewOwner(snapshot) === viewOwner({ me })) dropSnapshot();
}

export function dropSnapshot(): void {
  try {
    localStorage.removeItem(key);
  } catch {
    // nothing to drop
  }
}
