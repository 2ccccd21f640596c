/** The last license summary of each tenant, shown at once when the popup opens, then refreshed. */
import type { LicenseList } from "@appseats/shared";

export interface CachedSummary {
  summary: LicenseList;
  fetchedAt: number;
}

/** Older than this, the popup says the figures may be out of date. */
export const staleAfterMs = 5 * 60 * 1000;

export type Freshness = "fresh" | "stale" | "none";

export function freshnessOf(cached: CachedSummary | undefined, now: number): Freshness {
  if (!cached) return "none";
  return now - cached.fetchedAt > staleAfterMs ? "stale" : "fresh";
}
