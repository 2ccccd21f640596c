/**
 * "Licenses of “…”" on selected text: resolve it to one user of the current tenant and open the
 * popup on that person's licenses; with no match or several, say so in a notification.
 */
import { ApiError, Unreachable } from "../../api/client.js";
import { describeError } from "../../core/describe-error.js";
import { t } from "../../core/i18n.js";
import { notify } from "./notify.js";
import { liveSessionOf, openPopupWindow, resolveSelected, selectOnePerson } from "./selection.js";

export async function openPersonOf({ tenantId, selection }: { tenantId: string; selection: string }): Promise<{ opened: boolean }> {
  const said = async (message: string) => {
    await notify(t("extName"), message);
    return { opened: false };
  };
  const session = await liveSessionOf(tenantId);
  if (!session) return said(t("notifySignedOut"));
  try {
    const { query, resolution } = await resolveSelected(session, selection);
    if (resolution.kind === "several") return said(selectOnePerson(resolution));
    if (resolution.kind !== "user") return said(t("notifyNoPerson", [query]));
    await openPopupWindow(tenantId, { person: resolution.user.id });
    return { opened: true };
  } catch (error) {
    if (error instanceof Unreachable) return said(t("notifyUnreachable"));
    if (error instanceof ApiError) return said(describeError(error));
    throw error;
  }
}
