/** Orders of strings as SQLite's collations order them, for lists merged from more than one place. */

/** SQLite's BINARY: by code unit. */
export const binary = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** SQLite's NOCASE: ASCII letters without case, everything else by code unit. */
export const byName = (a: string, b: string) =>
  binary(
    a.replace(/[A-Z]/g, (ch) => ch.toLowerCase()),
    b.replace(/[A-Z]/g, (ch) => ch.toLowerCase()),
  );
