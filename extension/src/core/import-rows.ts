/** A CSV import's rows, sent as many a request as a request may carry (API.md's principals per request). */
import { maxPrincipalsPerRequest } from "@appseats/shared/limits";

export function chunksOf<T>(items: T[], size = maxPrincipalsPerRequest): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
