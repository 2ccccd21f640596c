/**
 * What the extension keeps, through WXT's typed storage items (extension/src/core/storage.ts), on
 * the in-memory browser of @webext-core/fake-browser: the stored keys stay those of earlier
 * versions, and an older version's settings are migrated once.
 */
import { fakeBrowser } from "@webext-core/fake-browser";
import { beforeEach, describe, expect, it, vi } from "vitest";

// The extension's modules find the browser's API when they load.
(globalThis as { browser?: unknown }).browser = fakeBrowser;

/** The storage module as a fresh extension context loads it (its migrations run then). */
const loadStorage = async () => {
  vi.resetModules();
  return import("../../../extension/src/core/storage.js");
};

const session = (tenantId: string) =>
  ({
    backendUrl: "https://appseats.example",
    token: `tok_${tenantId}`,
    expiresAt: "2030-01-01T00:00:00.000Z",
    me: { tenant: { id: tenantId, displayName: tenantId }, user: { id: `usr_${tenantId}`, displayName: "Megan Bowen" } },
  }) as never;

describe("the extension's storage", () => {
  beforeEach(() => fakeBrowser.reset());

  it("migrates an earlier version's settings once: a backend that may no longer be used is dropped, an https one kept", async () => {
    await fakeBrowser.storage.local.set({ settings: { backendUrl: "http://appseats.example:8787", lastTenantId: "contoso" } });
    const { settings, defaultBackendUrl } = await loadStorage();
    expect(await settings.get()).toEqual({ backendUrl: defaultBackendUrl, lastTenantId: "contoso" });
    expect(await fakeBrowser.storage.local.get(["settings", "settings$"])).toEqual({
      settings: { backendUrl: defaultBackendUrl, lastTenantId: "contoso" },
      settings$: { v: 2 },
    });

    fakeBrowser.reset();
    await fakeBrowser.storage.local.set({ settings: { backendUrl: "https://seats.contoso.example" } });
    expect(await (await loadStorage()).settings.get()).toEqual({ backendUrl: "https://seats.contoso.example" });
  });

  it("keeps sessions in storage.session only, each tenant's under its id", async () => {
    const { sessions } = await loadStorage();
    await sessions.put(session("contoso"));
    await sessions.put(session("fabrikam"));
    await sessions.remove("contoso");
    expect(Object.keys(await sessions.all())).toEqual(["fabrikam"]);
    expect(Object.keys((await fakeBrowser.storage.session.get("sessions")).sessions as object)).toEqual(["fabrikam"]);
    expect(await fakeBrowser.storage.local.get("sessions")).toEqual({});
  });

  it("forgets the cached summaries of tenants nobody is signed in to, and nothing else", async () => {
    const { summaries, queue } = await loadStorage();
    const cached = { summary: { items: [] }, fetchedAt: 1 } as never;
    await summaries.put("contoso", cached);
    await summaries.put("fabrikam", cached);
    await queue.add({ id: "chg_1" } as never);
    await summaries.keepOnly(["fabrikam"]);
    expect(await summaries.get("contoso")).toBeNull();
    expect(await summaries.get("fabrikam")).toEqual(cached);
    expect(Object.keys(await fakeBrowser.storage.local.get(null)).sort()).toEqual(["queue", "summary:fabrikam"]);
  });
});
