/**
 * The names a CSV import assigns: the first column of each row, parsed by papaparse (quotes,
 * separators, line ends as spreadsheets write them). A header row is optional: a first row whose
 * first cell is not an address but names a column (userPrincipalName, e-mail, …) is left out.
 * The background parses (the parser is not the popup's to ship).
 */

import { maxImportRows } from "@appseats/shared/limits";
import Papa from "papaparse";

const headerNames = /^(user ?principal ?name|upn|e-?mail( address)?|mail|name|user|帳戶|電子郵件|使用者)$/i;

export interface CsvNames {
  names: string[];
  headerSkipped: boolean;
  /** Rows beyond the 5,000 an import takes. */
  tooMany: boolean;
}

export function namesFromCsv(text: string): CsvNames {
  const { data } = Papa.parse<string[]>(text.replace(/^\uFEFF/, ""), { skipEmptyLines: "greedy" });
  const firsts = data.map((row) => (row[0] ?? "").trim());
  const headerSkipped = firsts.length > 0 && !firsts[0]!.includes("@") && headerNames.test(firsts[0]!);
  const names = headerSkipped ? firsts.slice(1) : firsts;
  return { names: names.slice(0, maxImportRows), headerSkipped, tooMany: names.length > maxImportRows };
}
