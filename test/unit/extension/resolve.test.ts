import type { DirectoryMatch } from "@appseats/shared";
import { describe, expect, it } from "vitest";
import { addressesIn, resolveSelection, selectionQuery, severalPeople } from "../../../extension/src/core/resolve.js";

const user = (id: string, displayName: string, upn: string): DirectoryMatch => ({
  type: "user",
  id,
  displayName,
  userPrincipalName: upn,
  mail: upn,
  match: "contains",
});
const adele = user("u1", "Adele Vance", "adele@contoso.com");
const alex = user("u2", "Alex Wilber", "alex@contoso.com");
const otherAdele = user("u3", "Adele Vance", "adele.vance@contoso.com");

describe("resolving a selection to a user", () => {
  it("reads the text a person selects: spaces, quotes, mailto: and 'Name <address>'", () => {
    expect(selectionQuery("  adele@contoso.com\n")).toBe("adele@contoso.com");
    expect(selectionQuery("“Adele Vance”")).toBe("Adele Vance");
    expect(selectionQuery("Adele Vance <adele@contoso.com>")).toBe("adele@contoso.com");
    expect(selectionQuery("mailto:adele@contoso.com")).toBe("adele@contoso.com");
    expect(selectionQuery("adele@contoso.com,")).toBe("adele@contoso.com");
  });

  it("an exact e-mail or user principal name wins, whatever the case", () => {
    expect(resolveSelection("ADELE@contoso.com", [alex, adele])).toEqual({ kind: "user", user: adele });
  });

  it("then a display name that one user alone has", () => {
    expect(resolveSelection("adele vance", [adele, alex])).toEqual({ kind: "user", user: adele });
  });

  it("two users with that name, or none, leave the choice to the admin", () => {
    expect(resolveSelection("Adele Vance", [adele, otherAdele])).toEqual({
      kind: "choose",
      query: "Adele Vance",
      candidates: [adele, otherAdele],
    });
    expect(resolveSelection("Adele", [adele])).toEqual({ kind: "choose", query: "Adele", candidates: [adele] });
    expect(resolveSelection("nobody@contoso.com", [])).toEqual({ kind: "choose", query: "nobody@contoso.com", candidates: [] });
  });

  it("groups are never the target of a selection", () => {
    const sales: DirectoryMatch = { type: "group", id: "g1", displayName: "Sales", memberCount: 10, match: "exact" };
    expect(resolveSelection("Sales", [sales])).toEqual({ kind: "choose", query: "Sales", candidates: [] });
  });

  it("a selection naming two or more addresses names no one person: refused before any search", () => {
    expect(severalPeople("alice@corp.com      <mallory@corp.com>")).toEqual({
      kind: "several",
      addresses: ["alice@corp.com", "mallory@corp.com"],
    });
    expect(severalPeople("alice@corp.com, bob@corp.com; carol@corp.com")).toEqual({
      kind: "several",
      addresses: ["alice@corp.com", "bob@corp.com", "carol@corp.com"],
    });
    // One person, however the address is written, or none at all: the search decides.
    for (const one of ["Alice <alice@corp.com>", "mailto:Alice@Corp.com.", "alice@corp.com ALICE@corp.com", "Megan Bowen", "陳美玲"]) {
      expect(severalPeople(one), one).toBeNull();
    }
    expect(addressesIn("Adele Vance <adele@contoso.com> (adele@contoso.com)")).toEqual(["adele@contoso.com"]);
  });
});
