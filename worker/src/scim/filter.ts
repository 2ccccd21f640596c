/**
 * SCIM filters (RFC 7644 §3.4.2.2), parsed by scim2-parse-filter and translated to SQL with
 * bound parameters, never to SQL text: `eq` on the attributes a directory matches by, combined
 * with `and`. Anything else is 400 invalidFilter.
 */
import { type Filter, parse } from "scim2-parse-filter";
import { AppSeatsError } from "../errors.js";

/** A filterable attribute (lower case) and the SQL expression it compares. */
export type FilterColumns = Record<string, string>;

const invalidFilter = (detail: string) => new AppSeatsError("InvalidRequest", detail, { scimType: "invalidFilter" });

/** `emails[type eq "work"]` or `emails[primary eq true]`: a qualifier of `emails.value`, as Entra ID sends it. */
const isWorkEmail = (f: Filter) =>
  f.op === "eq" &&
  "attrPath" in f &&
  ((f.attrPath.toLowerCase() === "type" && f.compValue === "work") || (f.attrPath.toLowerCase() === "primary" && f.compValue === true));

/** The filter as an SQL condition whose parameters are numbered from ?{first}. */
export function filterSql(filter: string | undefined, columns: FilterColumns, first: number): { sql: string; params: string[] } {
  if (!filter?.trim()) return { sql: "1", params: [] };
  let tree: Filter;
  try {
    tree = parse(filter);
  } catch {
    throw invalidFilter(`The filter ${JSON.stringify(filter)} cannot be read.`);
  }
  const params: string[] = [];
  const condition = (f: Filter): string => {
    if (f.op === "and" && "filters" in f) return f.filters.map(condition).join(" AND ");
    if (f.op === "[]" && "valFilter" in f && f.attrPath.toLowerCase() === "emails" && isWorkEmail(f.valFilter)) return "1";
    if (f.op === "eq" && "attrPath" in f && typeof f.compValue === "string") {
      const column = columns[f.attrPath.toLowerCase()];
      if (!column)
        throw invalidFilter(`Filtering on ${f.attrPath} is not supported: use userName, externalId, id, displayName or emails.value.`);
      params.push(f.compValue);
      return `${column} = ?${first + params.length - 1}`;
    }
    throw invalidFilter(`Only "eq" comparisons joined by "and" are supported, not ${JSON.stringify(filter)}.`);
  };
  return { sql: condition(tree), params };
}
