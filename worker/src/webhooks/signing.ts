/**
 * Webhook secrets and signatures, by the Standard Webhooks scheme: a secret is `whsec_` and the
 * base64 of 32 random bytes; a request is signed `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`.
 * A secret must be read back to sign, so it is kept sealed: AES-GCM under the worker secret
 * WEBHOOK_SECRETS_KEY (the base64 of 32 bytes), bound to its vendor so that a sealed secret copied
 * to another vendor's row does not open.
 */
import { AppSeatsError } from "../errors.js";

const bytesToBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const base64ToBytes = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/** A new signing secret, to be shown once. */
export const newSecret = () => `whsec_${bytesToBase64(crypto.getRandomValues(new Uint8Array(32)))}`;

async function sealingKey(env: { WEBHOOK_SECRETS_KEY?: string }): Promise<CryptoKey> {
  const raw = env.WEBHOOK_SECRETS_KEY ? base64ToBytes(env.WEBHOOK_SECRETS_KEY.trim()) : null;
  if (raw?.length !== 32) {
    // The operator's to fix, not the vendor's: logged, and answered as an internal error.
    throw new Error("WEBHOOK_SECRETS_KEY is not set to the base64 of 32 bytes (wrangler secret put WEBHOOK_SECRETS_KEY).");
  }
  return crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
}

/** The secret sealed for its vendor: `v1.<base64 of the 12-byte nonce and the ciphertext>`. */
export async function sealSecret(env: { WEBHOOK_SECRETS_KEY?: string }, vendorId: string, secret: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: new TextEncoder().encode(vendorId) },
    await sealingKey(env),
    new TextEncoder().encode(secret),
  );
  const out = new Uint8Array(12 + sealed.byteLength);
  out.set(iv);
  out.set(new Uint8Array(sealed), 12);
  return `v1.${bytesToBase64(out)}`;
}

export async function openSecret(env: { WEBHOOK_SECRETS_KEY?: string }, vendorId: string, sealed: string): Promise<string> {
  const bytes = base64ToBytes(sealed.replace(/^v1\./, ""));
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: bytes.slice(0, 12), additionalData: new TextEncoder().encode(vendorId) },
    await sealingKey(env),
    bytes.slice(12),
  );
  return new TextDecoder().decode(plain);
}

/** `v1,<signature>` of one request by one secret. */
async function signatureBy(secret: string, content: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", base64ToBytes(secret.replace(/^whsec_/, "")), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  return `v1,${bytesToBase64(new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(content))))}`;
}

/** The three headers of a request: its id, its time in seconds, and its signatures, one per secret, space-separated. */
export async function signedHeaders(secrets: string[], request: { id: string; timestamp: number; body: string }) {
  const content = `${request.id}.${request.timestamp}.${request.body}`;
  const signatures = await Promise.all(secrets.map((secret) => signatureBy(secret, content)));
  return {
    "webhook-id": request.id,
    "webhook-timestamp": String(request.timestamp),
    "webhook-signature": signatures.join(" "),
  };
}

/**
 * Where a webhook may point: `https:`; or, while local sign-in is on (local runs), `http:` on a
 * loopback address. 400 otherwise, naming the rule.
 */
export function checkWebhookUrl(url: string, localRun: boolean): void {
  const parsed = new URL(url);
  if (parsed.protocol === "https:") return;
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(parsed.hostname);
  if (parsed.protocol === "http:" && loopback && localRun) return;
  throw new AppSeatsError("InvalidRequest", "The webhook's URL must start with https:.", {
    issues: [{ path: "url", message: localRun ? "must be https:, or http: on 127.0.0.1" : "must be https:" }],
  });
}
