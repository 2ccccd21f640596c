/**
 * The last view of the popup, kept in the popup's own localStorage so that the next opening
 * can show it before any asynchronous call returns. It holds no secret: the tenant and admin
 * names, the admin's roles and the summary. Tokens stay in storage.session.
 */
import type { LicenseList, Me } from "@appseats/shared";

const key = "appseats:last-view";

export interface Snapshot {
  me: Me;
  summary: LicenseList;
  fetchedAt: number;
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

export function dropSnapshot(): void {
  try {
    localStorage.removeItem(key);
  } catch {
    // nothing to drop
  }
}
