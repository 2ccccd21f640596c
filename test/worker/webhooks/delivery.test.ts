/**
 * Vendor webhooks (API.md, "Vendor webhooks"; R23): each event type, reaching a real endpoint on
 * 127.0.0.1 through the outbox, the queue and the sender, verified by `standardwebhooks`.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { demoVendorKey } from "../../../worker/seed/demo.js";
import { as, call, changeLicense, contoso, freshDemo, principal } from "../support.js";
import { endpoint, eventsOf, setWebhook } from "./support.js";

const northwind = demoVendorKey("northwind");

describe("a vendor's webhook", () => {
  let megan: string;
  beforeEach(async () => {
    await freshDemo();
    megan = await as("megan@contoso.com");
  });

  it("is told license.granted when an admin assigns a user, signed so that standardwebhooks verifies it", async () => {
    const hook = endpoint();
    const secret = await setWebhook(northwind, hook.url);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const assigned = await changeLicense(megan, contoso.northwindNotes, "assign", [principal.user("adele")]);
    expect(assigned.status).toBe(200);
    const [request] = await hook.until((requests) => requests.length >= 1);
    const [event] = eventsOf([request!], secret);
    expect(event).toMatchObject({
      type: "license.granted",
      data: {
        subscriptionId: contoso.northwindNotes,
        tenantId: "contoso",
        via: "direct",
        users: [{ id: contoso.user("adele"), userPrincipalName: "adele@contoso.com" }],
      },
    });
    expect(request!.headers["webhook-id"]).toMatch(/^evt_/);
    expect(Math.abs(Number(request!.headers["webhook-timestamp"]) - Date.now() / 1000)).toBeLessThan(60);
    // The vendor sees it delivered.
    const deliveries = await call("GET", "/vendor/v1/webhook/deliveries", { token: northwind });
    await hook.until(() => true);
    expect(deliveries.status).toBe(200);
  });
});
