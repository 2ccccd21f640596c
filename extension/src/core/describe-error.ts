/**
 * What went wrong, in the admin's language: known error codes are told from their code and
 * details (docs/api.md), anything else by the backend's own sentence.
 */
import type { LicenseSummary } from "@appseats/shared";
import { type ErrorCode, errorCodes } from "@appseats/shared/error-codes";
import { maxBodyBytes, sizeText } from "@appseats/shared/limits";
import { ApiError, Unreachable } from "../api/client.js";
import { formatCount, roleNames, t } from "./i18n.js";
import { quantityLine } from "./vendor.js";

const isErrorCode = (code: string): code is ErrorCode => (errorCodes as string[]).includes(code);

/** What the admin was doing: the license's vendor, named with their contact when seats run out. */
export interface ErrorContext {
  vendor?: LicenseSummary["vendor"] | undefined;
}

export function describeError(error: unknown, context: ErrorContext = {}): string {
  if (error instanceof Unreachable) return t("unreachable");
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  const refusal = error.error;
  switch (refusal.code) {
    case "NotEnoughLicenses": {
      const short = t("error_NotEnoughLicenses", [formatCount(refusal.details?.needed ?? 0), formatCount(refusal.details?.available ?? 0)]);
      return context.vendor ? `${short} ${quantityLine(context.vendor)}` : short;
    }
    case "InheritedLicense": {
      const groups = new Set((refusal.details?.users ?? []).flatMap((u) => u.viaGroups.map((g) => g.displayName)));
      return t("error_InheritedLicense", [[...groups].join(", ")]);
    }
    case "SubscriptionNotUsable":
      return t("error_SubscriptionNotUsable", [t(`status_${refusal.details?.status ?? "expired"}`)]);
    case "Forbidden":
      return t("error_Forbidden", [roleNames(refusal.details?.requiredRoles ?? [])]);
    case "InvalidRequest":
      // The backend's sentence names the field; it is in English, the code's own text frames it.
      return t("error_InvalidRequest", [refusal.message]);
    case "RateLimited":
      return t("error_RateLimited", [formatCount(refusal.details?.retryAfterSeconds ?? 60)]);
    case "PayloadTooLarge":
      return t("error_PayloadTooLarge", [sizeText(refusal.details?.maxBytes ?? maxBodyBytes)]);
    case "Internal":
      return t("error_Internal", [refusal.details?.requestId ?? ""]);
    default:
      // Every other code has a sentence of its own in both languages (a unit test checks it).
      return isErrorCode(refusal.code) ? t(`error_${refusal.code}`) : refusal.message;
  }
}
