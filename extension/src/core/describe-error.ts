/**
 * What went wrong, in the admin's language: known error codes are told from their code and
 * details (docs/api.md), anything else by the backend's own sentence.
 */
import { ApiError, Unreachable } from "../api/client.js";
import { formatCount, t } from "./i18n.js";

/** The details of the API's error codes (docs/api.md) that the admin is told. */
interface ErrorDetails {
  needed?: number;
  available?: number;
  users?: { viaGroups: { displayName: string }[] }[];
  status?: string;
  requiredRoles?: string[];
  requestId?: string;
}

export function describeError(error: unknown): string {
  if (error instanceof Unreachable) return t("unreachable");
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  const details = error.details as ErrorDetails;
  switch (error.code) {
    case "NotEnoughLicenses":
      return t("error_NotEnoughLicenses", formatCount(details.needed ?? 0), formatCount(details.available ?? 0));
    case "InheritedLicense": {
      const groups = new Set<string>(
        (details.users ?? []).flatMap((u: { viaGroups: { displayName: string }[] }) => u.viaGroups.map((g) => g.displayName)),
      );
      return t("error_InheritedLicense", [...groups].join(", "));
    }
    case "SubscriptionNotUsable":
      return t("error_SubscriptionNotUsable", t(`status_${details.status}`));
    case "Forbidden":
      return t("error_Forbidden", (details.requiredRoles ?? []).join(", "));
    case "Unauthenticated":
      return t("notifySignedOut");
    case "TenantNotOnboarded":
    case "AccountConflict":
    case "AlreadyExists":
    case "ProtectedAccount":
    case "InsecureUrl":
      return t(`error_${error.code}`);
    case "RateLimited":
    case "IdempotencyKeyInFlight":
    case "Unavailable":
      return t("error_TryAgain");
    case "NotFound":
      return t("error_NotFound");
    case "Internal":
      return t("error_Internal", String(details.requestId ?? ""));
    default:
      return error.message;
  }
}
