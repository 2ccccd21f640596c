/**
 * The security review, finding 11: apps' icons are served by the worker, fetched from the
 * vendor's https address at most once a day, so that the vendor never sees when admins look.
 * The vendor's server is stood in for by answering the worker's fetch in the test's isolate.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { as, call, db, freshDemo } from "../support.js";

const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);
const vendorServer = new Map<string, () => Response>();
const fetched: string[] = [];

beforeEach(async () => {
  await freshDemo();
  vendorServer.clear();
  fetched.length = 0;
  const original = globalThis.fetch;
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const answer = vendorServer.get(url);
    if (!answer) return original(input, init);
    fetched.push(url);
    return answer();
  });
});
afterEach(() => vi.restoreAllMocks());

const setIcon = (appId: string, url: string | null) => db().prepare(`UPDATE apps SET icon_url = ?2 WHERE id = ?1`).bind(appId, url).run();

describe("app icons through the worker", () => {
  it("serves the icon of an app the tenant subscribes to, fetched from the vendor once", async () => {
    const url = "https://cdn.northwind.example/notes-once.png";
    await setIcon("app_northwind", url);
    vendorServer.set(url, () => new Response(png, { headers: { "content-type": "image/png" } }));
    const megan = await as("megan@contoso.com");
    for (let i = 0; i < 3; i++) {
      const answer = await call("GET", "/api/v1/apps/app_northwind/icon", { token: megan });
      expect(answer.status).toBe(200);
      expect(answer.headers.get("content-type")).toBe("image/png");
      expect(new Uint8Array(await new Response(answer.body as string).arrayBuffer()).byteLength).toBeGreaterThan(0);
    }
    expect(fetched).toEqual([url]);
  });

  it("refuses what is not a small image, an http address, no icon, and another tenant's apps: 404", async () => {
    const megan = await as("megan@contoso.com");
    const icon = () => call("GET", "/api/v1/apps/app_northwind/icon", { token: megan });

    await setIcon("app_northwind", "https://cdn.northwind.example/page.html");
    vendorServer.set(
      "https://cdn.northwind.example/page.html",
      () => new Response("<script>", { headers: { "content-type": "text/html" } }),
    );
    expect((await icon()).status).toBe(404);

    await setIcon("app_northwind", "https://cdn.northwind.example/huge.png");
    vendorServer.set(
      "https://cdn.northwind.example/huge.png",
      () => new Response(new Uint8Array(300 * 1024), { headers: { "content-type": "image/png" } }),
    );
    expect((await icon()).status).toBe(404);

    await setIcon("app_northwind", "http://cdn.northwind.example/plain.png");
    vendorServer.set("http://cdn.northwind.example/plain.png", () => new Response(png, { headers: { "content-type": "image/png" } }));
    expect((await icon()).status).toBe(404);
    expect(fetched).not.toContain("http://cdn.northwind.example/plain.png");

    await setIcon("app_northwind", null);
    expect((await icon()).status).toBe(404);

    // Fabrikam subscribes to Northwind Notes but not to Tailspin Maps.
    await setIcon("app_tailspin", "https://cdn.tailspin.example/maps.png");
    vendorServer.set("https://cdn.tailspin.example/maps.png", () => new Response(png, { headers: { "content-type": "image/png" } }));
    const pradeep = await as("pradeep@fabrikam.com");
    expect((await call("GET", "/api/v1/apps/app_tailspin/icon", { token: pradeep })).status).toBe(404);
    expect((await call("GET", "/api/v1/apps/app_tailspin/icon", { token: megan })).status).toBe(200);
  });
});
