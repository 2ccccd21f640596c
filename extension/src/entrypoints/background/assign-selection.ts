/**
 * Assigning a license to selected text: resolve it to one user and assign, telling the admin
 * in a notification; with no match or several, open the assign pane prefilled with the text.
 */
import { ApiError, Unreachable } from "../../api/client.js";
import { describeError } from "../../core/describe-error.js";
import { t } from "../../core/i18n.js";
import type { DataOf, Messages } from "../../core/messages.js";
import { withSession } from "../../core/session.js";
import { summaries } from "../../core/storage.js";
import { notify } from "./notify.js";
import { refreshAll } from "./refresh.js";
import { liveSessionOf, openPopupWindow, resolveSelected, selectOnePerson } from "./selection.js";

type Request = DataOf<"assignSelection">;
type Response = ReturnType<Messages["assignSelection"]>;

export async function assignSelection({ tenantId, licenseId, selection }: Request): Promise<Response> {
  const session = await liveSessionOf(tenantId);
  if (!session) return done("failed", t("notifySignedOut"));
  try {
    const { query, resolution } = await resolveSelected(session, selection);
    if (resolution.kind === "several") return done("refused", selectOnePerson(resolution));
    if (resolution.kind === "choose") {
      await openPopupWindow(tenantId, { license: licenseId, q: query });
      return { result: "choose", message: t("notifyChoose", [query]) };
    }
    const result = await withSession(session, (client) =>
      client.assign(licenseId, { principals: [{ type: "user", id: resolution.user.id }] }, crypto.randomUUID()),
    );
    await refreshAll();
    const message =
      result.assigned.length > 0
        ? t("notifyAssigned", [resolution.user.displayName])
        : t("notifyAlreadyAssigned", [resolution.user.displayName]);
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
