/**
 * Renewals coming within 30 days: each told once in a notification, with how much of the
 * subscription is used and who to ask to change the quantity. Clicking it opens the license.
 */
import type { LicenseSummary } from "@appseats/shared";
import browser from "webextension-polyfill";
import { daysToRenewal, renewalNoticeId, renewalNoticePrefix, renewsSoon, usedPercent } from "../../core/attention.js";
import { formatCount, formatDate, t } from "../../core/i18n.js";
import { renewalNotices } from "../../core/storage.js";
import { vendorWithContact } from "../../core/vendor.js";
import { notify } from "./notify.js";
import { openPopupWindow } from "./selection.js";

export function renewalNotice(license: LicenseSummary, now: number): { title: string; message: string } {
  const { assigned, purchased } = license.seats;
  return {
    title: t("renewalTitle", [license.app.name, formatDate(license.renewsAt!)]),
    message: t("renewalMessage", [
      formatCount(daysToRenewal(license, now) ?? 0),
      formatCount(assigned),
      formatCount(purchased),
      formatCount(usedPercent(license)),
      vendorWithContact(license.vendor),
    ]),
  };
}

/**
 * Tells the renewals of these tenants' fresh figures not told yet. What is told of them and no
 * longer near is forgotten (a new renewal date is a new notice); other tenants' stay as they are.
 */
export async function noticeRenewals(tenants: { tenantId: string; licenses: LicenseSummary[] }[], now = Date.now()): Promise<void> {
  const told = new Set(await renewalNotices.all());
  const ofOthers = [...told].filter((id) => !tenants.some(({ tenantId }) => id.startsWith(`${renewalNoticePrefix}${tenantId}:`)));
  const near = tenants.flatMap(({ tenantId, licenses }) =>
    licenses.filter((l) => renewsSoon(l, now)).map((license) => ({ id: renewalNoticeId(tenantId, license), license })),
  );
  for (const { id, license } of near) {
    if (told.has(id)) continue;
    const { title, message } = renewalNotice(license, now);
    await notify(title, message, id);
  }
  await renewalNotices.set([...ofOthers, ...near.map((n) => n.id)]);
}

/** A renewal's notification, clicked: its license opens in a window of its own, in its tenant. */
export async function openRenewal(notificationId: string): Promise<void> {
  if (!notificationId.startsWith(renewalNoticePrefix)) return;
  const [tenantId, licenseId] = notificationId.slice(renewalNoticePrefix.length).split(":");
  if (!tenantId || !licenseId) return;
  await openPopupWindow(tenantId, { details: licenseId });
  await browser.notifications.clear(notificationId);
}
