/** The popup's status line: how fresh the figures shown are, in words and as a class for its colour. */
import { formatAgo, t } from "../../core/i18n.js";

export type Freshness = "loading" | "fresh" | "stale" | "unreachable" | "signedOut";

export function statusText(freshness: Freshness, fetchedAt: number | undefined, now = Date.now()): string {
  const ago = fetchedAt ? formatAgo(now - fetchedAt) : "";
  if (freshness === "unreachable") return t("statusUnreachable", [ago]);
  if (freshness === "stale") return t("statusStale", [ago]);
  if (freshness === "loading") return t("loading");
  return t("statusFresh");
}

export const statusClass = (freshness: Freshness) => `status status-${freshness}`;
