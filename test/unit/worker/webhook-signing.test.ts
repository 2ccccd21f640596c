/**
 * Webhook secrets and signatures (worker/src/webhooks/signing.ts), checked against Standard
 * Webhooks' reference library; where a webhook may point, with local sign-in off as in production.
 */
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { checkWebhookUrl, newSecret, openSecret, sealSecret, signedHeaders } from "../../../worker/src/webhooks/signing.ts";

const env = { WEBHOOK_SECRETS_KEY: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64") };

describe("webhook signing", () => {
  it("signs so that standardwebhooks verifies with either secret, and rejects a changed body", async () => {
    const [first, second] = [newSecret(), newSecret()];
    const body = JSON.stringify({ type: "license.granted", timestamp: new Date().toISOString(), data: {} });
    const headers = await signedHeaders([second, first], { id: "evt_1", timestamp: Math.floor(Date.now() / 1000), body });
    expect(new Webhook(first).verify(body, headers)).toMatchObject({ type: "license.granted" });
    expect(new Webhook(second).verify(body, headers)).toMatchObject({ type: "license.granted" });
    expect(() => new Webhook(newSecret()).verify(body, headers)).toThrow();
    expect(() => new Webhook(first).verify(`${body} `, headers)).toThrow();
  });

  it("seals a secret for its vendor: it opens for that vendor only, and not without the key", async () => {
    const secret = newSecret();
    const sealed = await sealSecret(env, "ven_a", secret);
    expect(sealed).not.toContain(secret.slice(6));
    expect(await openSecret(env, "ven_a", sealed)).toBe(secret);
    await expect(openSecret(env, "ven_b", sealed)).rejects.toThrow();
    await expect(sealSecret({ WEBHOOK_SECRETS_KEY: "" }, "ven_a", secret)).rejects.toThrow(/WEBHOOK_SECRETS_KEY/);
  });

  it("takes https: only, or http: on a loopback address while local sign-in is on", () => {
    expect(() => checkWebhookUrl("https://hooks.example/a", false)).not.toThrow();
    expect(() => checkWebhookUrl("http://127.0.0.1:9000/a", true)).not.toThrow();
    expect(() => checkWebhookUrl("http://127.0.0.1:9000/a", false)).toThrow(/https/);
    expect(() => checkWebhookUrl("http://hooks.example/a", true)).toThrow(/https/);
  });
});
