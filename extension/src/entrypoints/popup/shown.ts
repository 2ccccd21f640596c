/** The mark, set once per opening, of the moment the summary is first on screen: what "the popup is fast" means. */
export const summaryShownMark = "appseats:summary-shown";

export function markSummaryShown(): void {
  if (performance.getEntriesByName(summaryShownMark).length === 0) performance.mark(summaryShownMark);
}
