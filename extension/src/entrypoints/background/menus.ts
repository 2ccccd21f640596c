/**
 * The right-click menu on selected text: "Licenses of “%s”", and "Assign license to “%s”" with
 * one item per app that has seats available and that the admin may assign; an app that is full
 * shows, greyed, who to ask for more (the quantity line). Rebuilt whenever the summary changes.
 */
import type { LicenseSummary } from "@appseats/shared";
import browser from "webextension-polyfill";
import { isUsable } from "../../core/attention.js";
import { t } from "../../core/i18n.js";
import type { Session } from "../../core/storage.js";
import { quantityLine } from "../../core/vendor.js";

const parentId = "appseats-assign";
const itemPrefix = "appseats-assign:";
const personPrefix = "appseats-person:";
const fullPrefix = "appseats-full:";

/** The "Licenses of “…”" item's tenant, if `id` is that item's. */
export function parsePersonItemId(id: string | number): { tenantId: string } | null {
  const text = String(id);
  return text.startsWith(personPrefix) ? { tenantId: text.slice(personPrefix.length) } : null;
}

export function menuItemId(tenantId: string, licenseId: string) {
  return `${itemPrefix}${tenantId}:${licenseId}`;
}

export function parseMenuItemId(id: string | number): { tenantId: string; licenseId: string } | null {
  const text = String(id);
  if (!text.startsWith(itemPrefix)) return null;
  const [tenantId, ...rest] = text.slice(itemPrefix.length).split(":");
  return tenantId && rest.length > 0 ? { tenantId, licenseId: rest.join(":") } : null;
}

/** The usable apps an admin who may assign is offered (seats left), and those told full. */
function menuApps(session: Session, licenses: LicenseSummary[]) {
  const usable = session.me.can.assign ? licenses.filter(isUsable) : [];
  return { offered: usable.filter((l) => l.seats.available > 0), full: usable.filter((l) => l.seats.available === 0) };
}

let rebuilding: Promise<void> = Promise.resolve();

export function rebuildMenus(session: Session | undefined, licenses: LicenseSummary[]): Promise<void> {
  // Menus are rebuilt one at a time: removeAll and create must not interleave.
  rebuilding = rebuilding.then(async () => {
    await browser.contextMenus.removeAll();
    if (!session) return;
    // Any admin may look up a person's licenses; assigning needs the role and a seat.
    browser.contextMenus.create({ id: `${personPrefix}${session.me.tenant.id}`, title: t("menuLicensesOf"), contexts: ["selection"] });
    const { offered, full } = menuApps(session, licenses);
    if (offered.length + full.length === 0) return;
    browser.contextMenus.create({ id: parentId, title: t("menuAssignTo"), contexts: ["selection"] });
    for (const license of offered) {
      browser.contextMenus.create({
        id: menuItemId(session.me.tenant.id, license.id),
        parentId,
        title: t("menuAppItem", [license.app.name, license.seats.available]),
        contexts: ["selection"],
      });
    }
    for (const license of full) {
      browser.contextMenus.create({
        id: `${fullPrefix}${session.me.tenant.id}:${license.id}`,
        parentId,
        title: t("menuAppFull", [license.app.name, quantityLine(license.vendor)]),
        enabled: false,
        contexts: ["selection"],
      });
    }
  });
  return rebuilding;
}
