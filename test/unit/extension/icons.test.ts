import { describe, expect, it } from "vitest";
import { base64Of, iconSources, iconsToFetch, type KeptIcons } from "../../../extension/src/core/icons.js";

const day = 24 * 60 * 60 * 1000;

describe("the icons the extension keeps (the security review)", () => {
  const now = 100 * day;
  const kept: KeptIcons = {
    fresh: { url: "https://a.example/a.png", dataUrl: "data:image/png;base64,AA==", fetchedAt: now - day },
    old: { url: "https://b.example/b.png", dataUrl: "data:image/png;base64,AA==", fetchedAt: now - 8 * day },
    moved: { url: "https://c.example/old.png", dataUrl: "data:image/png;base64,AA==", fetchedAt: now - day },
    missing: { url: "https://d.example/d.png", dataUrl: null, fetchedAt: now - 2 * day },
    missingLately: { url: "https://e.example/e.png", dataUrl: null, fetchedAt: now - 60_000 },
  };

  it("asks the worker for a new icon, one whose address changed, one kept over a week, a missing one after a day", () => {
    const apps = [
      { id: "fresh", iconUrl: "https://a.example/a.png" },
      { id: "old", iconUrl: "https://b.example/b.png" },
      { id: "moved", iconUrl: "https://c.example/new.png" },
      { id: "missing", iconUrl: "https://d.example/d.png" },
      { id: "missingLately", iconUrl: "https://e.example/e.png" },
      { id: "new", iconUrl: "https://f.example/f.png" },
      { id: "none" },
    ];
    expect(iconsToFetch(apps, kept, now)).toEqual(["old", "moved", "missing", "new"]);
  });

  it("draws only the images it has, as data: URLs", () => {
    expect(Object.keys(iconSources(kept)).sort()).toEqual(["fresh", "moved", "old"]);
    expect(Object.values(iconSources(kept)).every((src) => src.startsWith("data:image/"))).toBe(true);
  });

  it("encodes bytes as base64, large ones too", () => {
    expect(base64Of(new Uint8Array([0x89, 0x50, 0x4e, 0x47]))).toBe("iVBORw==");
    const large = new Uint8Array(100_000).map((_, i) => i % 256);
    expect(Buffer.from(base64Of(large), "base64").equals(Buffer.from(large))).toBe(true);
  });
});
