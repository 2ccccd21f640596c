/**
 * Resolving selected text to one user: an exact e-mail or user principal name first, then a
 * display name that one user alone has. Anything else (no match, or several) is left for the
 * admin to choose in the assign pane. A selection that names two or more addresses names no
 * one person ("alice@corp.com <mallory@corp.com>"): it is refused before any search.
 */
import type { DirectoryMatch } from "@appseats/shared";

/** The text to search for: trimmed, unquoted, and the address out of "Name <address>". */
export function selectionQuery(selection: string): string {
  const text = selection.replace(/\s+/g, " ").trim();
  const bracketed = /<\s*([^<>\s]+@[^<>\s]+)\s*>/.exec(text);
  if (bracketed) return bracketed[1]!;
  return text
    .replace(/^(mailto:)/i, "")
    .replace(/^["'“”‘’]+|["'“”‘’.,;:]+$/g, "")
    .trim();
}

export const looksLikeAddress = (text: string) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text);

/** Characters that end an address in running text. */
const addressEdge = `\\s<>"'“”‘’,;()\\[\\]`;
const addressPattern = new RegExp(`[^${addressEdge}@]+@[^${addressEdge}@]+\\.[^${addressEdge}@]+`, "g");

/** The distinct e-mail addresses in a selection, lower case, in their order. */
export function addressesIn(selection: string): string[] {
  const found = (selection.match(addressPattern) ?? []).map((address) =>
    address
      .replace(/^mailto:/i, "")
      .replace(/[.:]+$/, "")
      .toLowerCase(),
  );
  return [...new Set(found)];
}

export type Resolution =
  | { kind: "user"; user: DirectoryMatch }
  | { kind: "choose"; query: string; candidates: DirectoryMatch[] }
  | { kind: "several"; addresses: string[] };

/** A selection naming two or more addresses, which no right-click item acts on; null when it names at most one. */
export function severalPeople(selection: string): Resolution | null {
  const addresses = addressesIn(selection);
  return addresses.length > 1 ? { kind: "several", addresses } : null;
}

export function resolveSelection(selection: string, matches: DirectoryMatch[]): Resolution {
  const query = selectionQuery(selection);
  const users = matches.filter((m) => m.type === "user");
  const lower = query.toLowerCase();
  const byAddress = users.filter((u) => u.userPrincipalName?.toLowerCase() === lower || u.mail?.toLowerCase() === lower);
  if (byAddress.length === 1) return { kind: "user", user: byAddress[0]! };
  const byName = users.filter((u) => u.displayName.toLowerCase() === lower);
  if (byName.length === 1 && byAddress.length === 0) return { kind: "user", user: byName[0]! };
  return { kind: "choose", query, candidates: users };
}
