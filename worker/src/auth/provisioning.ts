/**
 * Provisioning tokens: the credential a directory (Entra ID's provisioning service, Okta, any
 * SCIM 2.0 client) uses at /scim/v2. A GlobalAdmin creates, lists and revokes them. Each is 256
 * random bits, shown once, stored as its SHA-256 hash (R20), and reaches its own tenant's users
 * and groups only (R19): it is no admin credential.
 */
import type { ProvisioningToken } from "@appseats/shared";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { AppSeatsError, notFound } from "../errors.js";
import type { AppEnv } from "../http/env.js";
import { documents } from "../http/openapi.js";
import { credentialFailed } from "../http/rate-limit.js";
import { auditStatement } from "../licensing/audit.js";
import { Batch, GuardFailed, guard } from "../licensing/batch.js";
import { type ChangeContext, newId } from "../licensing/context.js";
import { RecentCallers } from "./recent-callers.js";
import { bearerOf, credentialShape, randomSecret, sha256Hex } from "./secrets.js";

/** Provisioning tokens read `asp_…`; the demo's local ones are DEMO.md's. */
const prefix = "asp";

/** Its last use is written at most this often: a directory's initial sync sends thousands a minute. */
const lastUseEveryMs = 60 * 1000;

const provisioningTokenShape = credentialShape(prefix, "dev-scim");

/** A new token of the tenant that works for `expiresInDays` days. */
export async function createProvisioningToken(db: D1Database, ctx: ChangeContext, expiresInDays: number) {
  const token = randomSecret(prefix);
  const id = `prv_${newId()}`;
  const expiresAt = new Date(Date.parse(ctx.now) + expiresInDays * 86_400_000).toISOString();
  const batch = new Batch(db);
  batch.run(
    db
      .prepare(
        `INSERT INTO provisioning_tokens (id, tenant_id, token_hash, created_at, created_by, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)`,
      )
      .bind(id, ctx.tenantId, await sha256Hex(token), ctx.now, ctx.actor.id, expiresAt),
    auditStatement(db, ctx, {
      action: "provisioning.token.create",
      summary: `${ctx.actor.displayName} created a provisioning token (${id}) that expires on ${expiresAt.slice(0, 10)}`,
    }),
  );
  await batch.commit();
  return { id, token, createdAt: ctx.now, expiresAt };
}

export async function provisioningTokens(db: D1Database, tenantId: string): Promise<ProvisioningToken[]> {
  const { results } = await db
    .prepare(`SELECT id, created_at, expires_at, last_used_at FROM provisioning_tokens WHERE tenant_id = ?1 ORDER BY created_at, id`)
    .bind(tenantId)
    .all<{ id: string; created_at: string; expires_at: string; last_used_at: string | null }>();
  return results.map((row) => ({ id: row.id, createdAt: row.created_at, expiresAt: row.expires_at, lastUsedAt: row.last_used_at }));
}

/** Revoking a token ends it at once; another tenant's token id is answered as one that does not exist (R11). */
export async function revokeProvisioningToken(db: D1Database, ctx: ChangeContext, id: string): Promise<void> {
  const batch = new Batch(db);
  batch.run(
    guard(db, [{ code: "NotFound", ok: `EXISTS (SELECT 1 FROM provisioning_tokens WHERE id = ?1 AND tenant_id = ?2)` }], id, ctx.tenantId),
    db.prepare(`DELETE FROM provisioning_tokens WHERE id = ?1 AND tenant_id = ?2`).bind(id, ctx.tenantId),
    auditStatement(db, ctx, {
      action: "provisioning.token.revoke",
      summary: `${ctx.actor.displayName} revoked the provisioning token ${id}`,
    }),
  );
  try {
    await batch.commit();
  } catch (error) {
    if (error instanceof GuardFailed) throw notFound("The provisioning token");
    throw error;
  }
}

const unauthenticated = () => new AppSeatsError("Unauthenticated", "The provisioning token is missing, unknown, expired or revoked.");

/**
 * Tokens verified lately in this isolate. A directory's initial sync sends thousands of changes
 * a minute: a change (POST or PATCH) by a token verified in the last five minutes does not read
 * it first, but checks it in its own batch (provisioningContext), so a revoked token changes
 * nothing even then. Reads, PUT and DELETE always verify it first.
 */
const recentTokens = new RecentCallers<{ tokenId: string; tenantId: string }>({ size: 100, maxAgeMs: 5 * 60 * 1000 });
const checkedInBatch = new Set(["POST", "PATCH"]);

/** Who calls /scim/v2: a provisioning token of a tenant, or 401. */
export const authenticateProvisioning = documents(
  createMiddleware<AppEnv>(async (c, next) => {
    const bearer = await bearerOf(c);
    if (!bearer) throw unauthenticated();
    // A token of the wrong shape is refused before any lookup; every refusal counts against the address.
    if (!provisioningTokenShape(bearer.token, c.env)) return credentialFailed(c, unauthenticated());
    const recent = checkedInBatch.has(c.req.method) ? recentTokens.get(bearer.hash) : undefined;
    if (recent) {
      c.set("provisioning", { ...recent, verified: false });
      return next();
    }
    const db = c.env.DB;
    const now = new Date();
    const row = await db
      .prepare(`SELECT id, tenant_id, last_used_at FROM provisioning_tokens WHERE token_hash = ?1 AND expires_at > ?2`)
      .bind(bearer.hash, now.toISOString())
      .first<{ id: string; tenant_id: string; last_used_at: string | null }>();
    if (!row) {
      recentTokens.delete(bearer.hash);
      return credentialFailed(c, unauthenticated());
    }
    if (!row.last_used_at || now.getTime() - new Date(row.last_used_at).getTime() >= lastUseEveryMs) {
      await db.prepare(`UPDATE provisioning_tokens SET last_used_at = ?2 WHERE id = ?1`).bind(row.id, now.toISOString()).run();
    }
    recentTokens.set(bearer.hash, { tokenId: row.id, tenantId: row.tenant_id });
    c.set("provisioning", { tokenId: row.id, tenantId: row.tenant_id, verified: true });
    await next();
  }),
  { errors: ["Unauthenticated"], security: [{ provisioningToken: [] }] },
);

/** Who changes the directory: the provisioning service, named by its token (R12). */
export function provisioningContext(c: Context<AppEnv>): ChangeContext {
  const { tenantId, tokenId, verified } = c.get("provisioning");
  return {
    tenantId,
    actor: { type: "provisioning", id: tokenId, displayName: "SCIM provisioning" },
    requestId: c.get("requestId"),
    now: new Date().toISOString(),
    // A token not read in this request is checked first in the change's batch: revoked, it stops it.
    ...(verified
      ? {}
      : {
          callerCheck: {
            code: "CallerChanged",
            ok: `EXISTS (SELECT 1 FROM provisioning_tokens WHERE id = ?1 AND token_hash = ?2 AND expires_at > ?3)`,
            params: [tokenId, c.get("bearer")!.hash, new Date().toISOString()],
          },
        }),
  };
}

/** Runs a directory change; one stopped because its token was revoked meanwhile is 401, like any unknown token. */
export async function provisioningChange<T>(c: Context<AppEnv>, change: (ctx: ChangeContext) => Promise<T>): Promise<T> {
  try {
    return await change(provisioningContext(c));
  } catch (error) {
    if (!(error instanceof GuardFailed && error.code === "CallerChanged")) throw error;
    recentTokens.delete(c.get("bearer")!.hash);
    return credentialFailed(c, unauthenticated());
  }
}
