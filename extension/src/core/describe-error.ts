/**
 * What went wrong, in the admin's language: known error codes are told from their code and
 * details (docs/api.md), anything else by the backend's own sentence.
 */
import type { LicenseSummary } from "@appseats/shared";
import { type ErrorCode, errorCodes } from "@appseats/shared/error-codes";
import { ApiError, Unreachable } from "../api/client.js";
import { formatCount, roleNames, t } from "./i18n.js";
import { quantityLine } from "./vendor.js";

/** The details of the API's error codes (docs/api.md) that the admin is told. */
interface ErrorDetails {
  needed?: number;
  available?: number;
  users?: { viaGroups: { displayName: string }[] }[];
  status?: string;
  requiredRoles?: string[];
  requestId?: string;
  retryAfterSeconds?: number;
}

const isErrorCode = (code: string): code is ErrorCode => (errorCodes as string[]).includes(code);

/** What the admin was doing: the license's vendor, named with their contact when seats run out. */
export interface ErrorContext {
  vendor?: LicenseSummary["vendor"] | undefined;
}

export function describeError(error: unknown, context: ErrorContext = {}): string {
  if (error instanceof Unreachable) return t("unreachable");
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  const details = error.details as ErrorDetails;
  switch (error.code) {
    case "NotEnoughLicenses": {
      const short = t("error_NotEnoughLicenses", formatCount(details.needed ?? 0), formatCount(details.available ?? 0));
      return context.vendor ? `${short} ${quantityLine(context.vendor)}` : short;
    }
    case "InheritedLicense": {
      const groups = new Set<string>(
        (details.users ?? []).flatMap((u: { viaGroups: { displayName: string }[] }) => u.viaGroups.map((g) => g.displayName)),
      );
      return t("error_InheritedLicense", [...groups].join(", "));
    }
    case "SubscriptionNotUsable":
      return t("error_SubscriptionNotUsable", t(`status_${details.status}`));
    case "Forbidden":
      return t("error_Forbidden", roleNames(details.requiredRoles ?? []));
    case "InvalidRequest":
      // The backend's sentence names the field; it is in English, the code's own text frames it.
      return t("error_InvalidRequest", error.message);
    case "RateLimited":
      return t("error_RateLimited", formatCount(details.retryAfterSeconds ?? 60));
    case "Internal":
      return t("error_Internal", String(details.requestId ?? ""));
    default:
      // Every other code has a sentence of its own in both languages (a unit test checks it).
      return isErrorCode(error.code) ? t(`error_${error.code}`) : error.message;
  }
}
