/**
 * The extension's manifest, one source for both browsers; WXT adds the entry points (popup,
 * options page, background) and the version. Each permission is here for one reason:
 * - storage: sessions (storage.session), settings, cached summaries and the offline queue;
 * - contextMenus: "Assign license to …" on selected text;
 * - alarms: the periodic refresh of cache, menu and badge, and the replay of queued changes;
 * - notifications: the outcome of a right-click assignment or of a replayed change;
 * - activeTab: the active tab's address when the popup opens, to pick the tenant whose domain it is;
 * - identity: sign-in with Microsoft in the browser's own sign-in window (launchWebAuthFlow);
 * - host 127.0.0.1 and localhost: the local backend and the local Entra ID stand-in;
 * - host login.microsoftonline.com: Entra ID's token endpoint, to redeem the sign-in's code and renew
 *   the access token; any other backend or authority is asked for when set (optional).
 */
export type Target = "chrome" | "firefox";

export function manifestFor(target: string) {
  const icons = { 16: "icons/icon-16.png", 32: "icons/icon-32.png", 48: "icons/icon-48.png", 128: "icons/icon-128.png" };
  return {
    name: "__MSG_extName__",
    description: "__MSG_extDescription__",
    default_locale: "en",
    icons,
    action: { default_title: "__MSG_actionTitle__", default_icon: icons },
    permissions: ["storage", "contextMenus", "alarms", "notifications", "activeTab", "identity"],
    host_permissions: ["http://127.0.0.1/*", "http://localhost/*", "https://login.microsoftonline.com/*"],
    // Another backend must be https (core/backend-url.ts); plain http only on this computer, above.
    optional_host_permissions: ["https://*/*"],
    // Images only of the extension's own or kept as data: URLs: no vendor sees an admin look (core/icons.ts).
    content_security_policy: { extension_pages: "script-src 'self'; object-src 'self'; img-src 'self' data:" },
    ...(target === "firefox"
      ? {
          browser_specific_settings: {
            gecko: { id: "appseats@appseats.dev", strict_min_version: "142.0", data_collection_permissions: { required: ["none"] } },
          },
        }
      : { minimum_chrome_version: "120" }),
  };
}
