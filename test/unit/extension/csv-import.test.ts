import { maxImportRows } from "@appseats/shared/limits";
import { describe, expect, it } from "vitest";
import { namesFromCsv } from "../../../extension/src/core/csv-import.js";
import { chunksOf } from "../../../extension/src/core/import-rows.js";

describe("the names of a CSV import", () => {
  it("takes the first column, with or without a header row, quoted or not, any line ends", () => {
    expect(namesFromCsv('userPrincipalName,displayName\r\nadele@contoso.com,Adele\r\n"diego@contoso.com","Siciliani, Diego"\n')).toEqual({
      names: ["adele@contoso.com", "diego@contoso.com"],
      headerSkipped: true,
      tooMany: false,
    });
    expect(namesFromCsv("adele@contoso.com\nben@contoso.com").names).toEqual(["adele@contoso.com", "ben@contoso.com"]);
    expect(namesFromCsv("\uFEFFE-mail\n  lidia@contoso.com  \n\n").names).toEqual(["lidia@contoso.com"]);
    expect(namesFromCsv("adele@contoso.com;Adele\nben@contoso.com;Ben").names).toEqual(["adele@contoso.com", "ben@contoso.com"]);
  });

  it("keeps a first row that is a name, not a header", () => {
    expect(namesFromCsv("Adele Vance\nben@contoso.com").names).toEqual(["Adele Vance", "ben@contoso.com"]);
  });

  it("takes at most 5,000 rows, and says when there were more", () => {
    const text = Array.from({ length: maxImportRows + 3 }, (_, i) => `u${i}@contoso.com`).join("\n");
    const csv = namesFromCsv(text);
    expect(csv.names).toHaveLength(maxImportRows);
    expect(csv.tooMany).toBe(true);
  });

  it("sends 500 at a time", () => {
    expect(chunksOf(Array.from({ length: 1201 }, (_, i) => i)).map((c) => c.length)).toEqual([500, 500, 201]);
  });
});
