/** A CSV import's rows: at most 5,000, sent 500 a request (a request takes at most 500 principals). */

export const maxImportRows = 5_000;

export function chunksOf<T>(items: T[], size = 500): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
