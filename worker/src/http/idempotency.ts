/**
 * R13: a mutation sent with an Idempotency-Key is done once. The same key and body within
 * 24 hours replays the first answer; the same key with another body is 422; a key whose first
 * request is still being processed is 409. A request that failed on our side (5xx) frees its key.
 */

import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { verifiedCaller } from "../auth/admin.js";
import { sha256Hex } from "../auth/secrets.js";
import { AppSeatsError } from "../errors.js";
import type { AppEnv } from "./env.js";
import { documents } from "./openapi.js";

const replayWindowMs = 24 * 60 * 60 * 1000;
/** A claim older than this is from a request that died; its key may be taken again. */
const staleClaimMs = 60 * 1000;
const keyPattern = /^[\x21-\x7e]{1,255}$/;

export const idempotent = (scopeOf: (c: Context<AppEnv>) => Promise<string>) =>
  documents(
    createMiddleware<AppEnv>(async (c, next) => {
      const key = c.req.header("idempotency-key");
      if (key === undefined) return next();
      if (!keyPattern.test(key)) {
        throw new AppSeatsError("InvalidRequest", "The Idempotency-Key must be 1 to 255 visible ASCII characters.", {
          issues: [{ path: "Idempotency-Key", message: "must be 1 to 255 visible ASCII characters" }],
        });
      }
      const db = c.env.DB;
      const scope = await scopeOf(c);
      const fingerprint = await sha256Hex(`${c.req.method} ${new URL(c.req.url).pathname}\n${await c.req.text()}`);
      const now = Date.now();
      const claimed = await db
        .prepare(
          `INSERT INTO idempotency_records (scope, key, fingerprint, state, created_at) VALUES (?1, ?2, ?3, 'inFlight', ?4)
         ON CONFLICT (scope, key) DO UPDATE SET fingerprint = excluded.fingerprint, state = 'inFlight',
           status = NULL, response = NULL, created_at = excluded.created_at
          WHERE idempotency_records.created_at < ?5 OR (idempotency_records.state = 'inFlight' AND idempotency_records.created_at < ?6)
         RETURNING key`,
        )
        .bind(
          scope,
          key,
          fingerprint,
          new Date(now).toISOString(),
          new Date(now - replayWindowMs).toISOString(),
          new Date(now - staleClaimMs).toISOString(),
        )
        .first();

      if (!claimed) {
        const record = await db
          .prepare(`SELECT fingerprint, state, status, response FROM idempotency_records WHERE scope = ?1 AND key = ?2`)
          .bind(scope, key)
          .first<{ fingerprint: string; state: string; status: number | null; response: string | null }>();
        if (record && record.fingerprint !== fingerprint) {
          throw new AppSeatsError("IdempotencyKeyReused", "This Idempotency-Key was already used for another request. Use a new key.");
        }
        if (!record || record.state === "inFlight") {
          throw new AppSeatsError(
            "IdempotencyKeyInFlight",
            "A request with this Idempotency-Key is still being processed. Try again shortly.",
          );
        }
        c.header("Idempotent-Replayed", "true");
        return c.body(record.response ?? "", record.status as ContentfulStatusCode, { "content-type": "application/json; charset=utf-8" });
      }

      await next();
      if (c.res.status >= 500) {
        await db.prepare(`DELETE FROM idempotency_records WHERE scope = ?1 AND key = ?2`).bind(scope, key).run();
        return;
      }
      const response = await c.res.clone().text();
      await db
        .prepare(`UPDATE idempotency_records SET state = 'done', status = ?3, response = ?4 WHERE scope = ?1 AND key = ?2`)
        .bind(scope, key, c.res.status, response)
        .run();
    }),
    {
      errors: ["InvalidRequest", "IdempotencyKeyInFlight", "IdempotencyKeyReused"],
      parameters: [
        {
          name: "Idempotency-Key",
          in: "header",
          required: false,
          description: "Sent again with the same body within 24 hours, the first answer is replayed (R13).",
          schema: { type: "string", maxLength: 255 },
        },
      ],
    },
  );

/** Keys are the caller's own: an admin's within the tenant, a vendor's across its apps. */
export const idempotentForAdmin = idempotent(async (c) => {
  // A key is claimed before the change runs: its caller must be read first.
  const caller = await verifiedCaller(c);
  return `user:${caller.tenantId}:${caller.user.id}`;
});
export const idempotentForVendor = idempotent(async (c) => `vendor:${c.get("vendor").id}`);
