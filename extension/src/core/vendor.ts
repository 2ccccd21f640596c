/**
 * Who to ask for more seats (R9): the vendor manages the quantity. The quantity line names the
 * vendor and how to reach them, wherever seats are short.
 */
import type { LicenseSummary } from "@appseats/shared";
import { t } from "./i18n.js";

type Vendor = LicenseSummary["vendor"];

/** The vendor's contact as a link: their page, else a mail to them. */
export const contactHref = (vendor: Vendor): string | undefined =>
  vendor.contactUrl ?? (vendor.contactEmail ? `mailto:${vendor.contactEmail}` : undefined);

/** The vendor's contact as text: an address a reader can type or copy. */
export const contactText = (vendor: Vendor): string | undefined => vendor.contactEmail ?? vendor.contactUrl;

/** The admin center's quantity line, with the vendor's contact when it is known. */
export function quantityLine(vendor: Vendor): string {
  const contact = contactText(vendor);
  return contact ? t("managedByContact", [vendor.name, contact]) : t("managedBy", [vendor.name]);
}

/** The vendor by name, with their contact in brackets when it is known. */
export function vendorWithContact(vendor: Vendor): string {
  const contact = contactText(vendor);
  return contact ? t("vendorAndContact", [vendor.name, contact]) : vendor.name;
}
