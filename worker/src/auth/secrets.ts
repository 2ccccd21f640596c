/** Opaque credentials: random tokens handed out once, kept only as SHA-256 hashes. */
import type { Context } from "hono";
import { base64url } from "jose";
import type { AppEnv } from "../http/env.js";
import type { Bearer } from "./callers.js";

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** 256 random bits, base64url, with a prefix that tells what the credential is. */
export function randomSecret(prefix: string): string {
  return `${prefix}_${base64url.encode(crypto.getRandomValues(new Uint8Array(32)))}`;
}

/** Whether a token has the shape randomSecret gives with `prefix`: anything else is refused before any lookup. */
export function secretShape(prefix: string): (token: string) => boolean {
  const shape = new RegExp(`^${prefix}_[A-Za-z0-9_-]{43}$`);
  return (token) => shape.test(token);
}

/**
 * A credential's shape: an AppSeats secret with `prefix`, or, only where the local sign-in is on,
 * a demo credential of DEMO.md (`dev-…`). Compiled once, checked on every request.
 */
export function credentialShape(prefix: string, demoPrefix: string): (token: string, env: Env) => boolean {
  const secret = secretShape(prefix);
  const demo = new RegExp(`^${demoPrefix}-[a-z0-9-]{1,64}$`);
  return (token, env) => secret(token) || (env.DEV_SIGN_IN === "true" && demo.test(token));
}

function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+([\x21-\x7e]{1,8192})\s*$/i.exec(header ?? "");
  return match ? match[1]! : null;
}

/**
 * The request's bearer credential, or null without one: read and hashed once per request, for
 * the rate limit, then the caller's authentication, which both need it.
 */
export async function bearerOf(c: Context<AppEnv>): Promise<Bearer | null> {
  const known = c.get("bearer");
  if (known !== undefined) return known;
  const token = bearerToken(c.req.header("authorization"));
  const bearer = token ? { token, hash: await sha256Hex(token) } : null;
  c.set("bearer", bearer);
  return bearer;
}
