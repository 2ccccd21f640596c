/** Local sessions: opaque tokens issued by the local sign-in, stored hashed with an expiry. */
import type { Role } from "@appseats/shared";
import type { AdminCaller, AdminCredential } from "./callers.js";
import { randomSecret, secretShape, sha256Hex } from "./secrets.js";

const prefix = "ass";

/** A session (t) of the token hashed as ?1 that still admits its user (u) at the time ?2. */
const liveSession = `session_tokens t JOIN users u ON u.id = t.user_id AND u.tenant_id = t.tenant_id
  WHERE t.token_hash = ?1 AND t.expires_at > ?2 AND u.deleted_at IS NULL AND u.account_enabled = 1`;

export const sessionCredential: AdminCredential = {
  recognises: secretShape(prefix),
  async verify(bearer, { env, now }) {
    const row = await env.DB.prepare(
      `SELECT u.id, u.display_name, u.user_principal_name, u.tenant_id,
                (SELECT json_group_array(role) FROM admin_roles r WHERE r.user_id = u.id) AS roles
           FROM ${liveSession}`,
    )
      .bind(bearer.hash, now.toISOString())
      .first<{ id: string; display_name: string; user_principal_name: string; tenant_id: string; roles: string }>();
    if (!row) return null;
    return {
      tenantId: row.tenant_id,
      user: { id: row.id, displayName: row.display_name, userPrincipalName: row.user_principal_name },
      roles: JSON.parse(row.roles) as Role[],
    } satisfies AdminCaller;
  },
  async revoke(db, bearer) {
    await db.prepare(`DELETE FROM session_tokens WHERE token_hash = ?1`).bind(bearer.hash).run();
  },
  checkInBatch(bearer, caller, roles, now) {
    return {
      code: "CallerChanged",
      ok: `EXISTS (SELECT 1 FROM ${liveSession} AND u.id = ?3 AND u.tenant_id = ?4 AND u.display_name = ?5
        AND EXISTS (SELECT 1 FROM admin_roles r WHERE r.user_id = u.id AND r.role IN (SELECT value FROM json_each(?6))))`,
      params: [bearer.hash, now.toISOString(), caller.user.id, caller.tenantId, caller.user.displayName, JSON.stringify(roles)],
    };
  },
};

export async function issueSession(db: D1Database, user: { id: string; tenant_id: string }, ttlSeconds: number, now = new Date()) {
  const token = randomSecret(prefix);
  const expiresAt = new Date(now.getTime() + ttlSeconds * 1000).toISOString();
  await db
    .prepare(`INSERT INTO session_tokens (token_hash, tenant_id, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)`)
    .bind(await sha256Hex(token), user.tenant_id, user.id, now.toISOString(), expiresAt)
    .run();
  return { token, expiresAt };
}
