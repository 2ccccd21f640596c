/**
 * Local sessions: opaque tokens issued by the local sign-in, stored hashed with an expiry in
 * their tenant's store. A token names its tenant (`ass_<tenant>.<secret>`, the tenant in
 * base64url) so that it is routed to its store without a lookup; only its hash is kept, so a
 * token whose tenant part was changed is unknown to that store as to any other.
 */
import { base64url } from "jose";
import { randomSecret } from "./secrets.js";

const sessionToken = /^ass_([A-Za-z0-9_-]{1,172})\.([A-Za-z0-9_-]{43})$/;

export const isSessionToken = (token: string) => sessionToken.test(token);

/** The tenant a session token names, or null when it names none that could exist. */
export function tenantOfSessionToken(token: string): string | null {
  const encoded = sessionToken.exec(token)?.[1];
  if (!encoded) return null;
  try {
    const tenantId = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(base64url.decode(encoded));
    return /^[\w-]{1,128}$/.test(tenantId) ? tenantId : null;
  } catch {
    return null;
  }
}

/** A new session token of the tenant: 256 random bits after its tenant. */
export const newSessionToken = (tenantId: string) => `ass_${base64url.encode(tenantId)}.${randomSecret("x").slice(2)}`;
