/**
 * Assigning a license to selected text: resolve it to one user and assign, telling the admin
 * in a notification; with no match or several, open the assign pane prefilled with the text.
 */
import browser from "webextension-polyfill";
import { ApiError, Unreachable } from "../api/client.js";
import { describeError } from "../core/describe-error.js";
import { t } from "../core/i18n.js";
import type { Messages } from "../core/messages.js";
import { looksLikeAddress, resolveSelection, selectionQuery } from "../core/resolve.js";
import { liveSessions, withSession } from "../core/session.js";
import { settings, summaries } from "../core/storage.js";
import { notify } from "./notify.background.js";
import { refreshAll } from "./refresh.background.js";

type Request = Messages["assignSelection"]["request"];
type Response = Messages["assignSelection"]["response"];

export async function assignSelection({ tenantId, licenseId, selection }: Request): Promise<Response> {
  const session = (await liveSessions()).find((s) => s.me.tenant.id === tenantId);
  if (!session) return done("failed", t("notifySignedOut"));
  const query = selectionQuery(selection);
  try {
    const matches = await withSession(session, (client) => client.search(query, "user", looksLikeAddress(query) ? 5 : 20));
    const resolution = resolveSelection(selection, matches.items);
    if (resolution.kind === "choose") {
      await settings.update({ lastTenantId: tenantId });
      const url = browser.runtime.getURL(`popup.html?license=${encodeURIComponent(licenseId)}&q=${encodeURIComponent(query)}`);
      await browser.windows.create({ url, type: "popup", width: 420, height: 640 });
      return { result: "choose", message: t("notifyChoose", query) };
    }
    const result = await withSession(session, (client) =>
      client.assign(licenseId, { principals: [{ type: "user", id: resolution.user.id }] }, crypto.randomUUID()),
    );
    await refreshAll();
    const message =
      result.assigned.length > 0
        ? t("notifyAssigned", resolution.user.displayName)
        : t("notifyAlreadyAssigned", resolution.user.displayName);
    return done("assigned", message);
  } catch (error) {
    if (error instanceof Unreachable) return done("failed", t("notifyUnreachable"));
    if (error instanceof ApiError) {
      // Seats ran out since the menu was built: the quantity line says who adds them.
      const license = (await summaries.get(tenantId))?.summary.items.find((l) => l.id === licenseId);
      return done("failed", describeError(error, { vendor: license?.vendor }));
    }
    throw error;
  }
}

async function done(result: Response["result"], message: string): Promise<Response> {
  await notify(t("extName"), message);
  return { result, message };
}
