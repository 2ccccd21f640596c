/**
 * Apps' icons, kept by the extension as data: URLs (the security review): the popup never loads
 * an image from a vendor's server, which could see when each admin looks. The background asks
 * the worker for an icon (GET /api/v1/apps/{id}/icon, catalog/icons.ts there) when an app's
 * icon address is new to it, and again after a week; the extension pages allow no other image
 * (manifest.ts, img-src 'self' data:).
 */

export interface KeptIcon {
  /** The icon address in the catalog this was fetched for: a new address is fetched anew. */
  url: string;
  /** The image, or null when the worker had none to give (tried again after a day). */
  dataUrl: string | null;
  fetchedAt: number;
}

export type KeptIcons = Record<string, KeptIcon>;

const keptMs = 7 * 24 * 60 * 60 * 1000;
const missingRetryMs = 24 * 60 * 60 * 1000;

/** The apps whose icon to ask the worker for now. */
export function iconsToFetch(apps: { id: string; iconUrl?: string | undefined }[], kept: KeptIcons, now: number): string[] {
  return apps
    .filter((app) => {
      if (!app.iconUrl) return false;
      const icon = kept[app.id];
      if (!icon || icon.url !== app.iconUrl) return true;
      return now - icon.fetchedAt > (icon.dataUrl ? keptMs : missingRetryMs);
    })
    .map((app) => app.id);
}

/** The data: URLs to draw, by app id. */
export const iconSources = (kept: KeptIcons): Record<string, string> =>
  Object.fromEntries(Object.entries(kept).flatMap(([id, icon]) => (icon.dataUrl ? [[id, icon.dataUrl]] : [])));

/** Bytes as base64, in chunks (String.fromCharCode takes a bounded number of arguments). */
export function base64Of(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}
