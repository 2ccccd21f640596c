/** Housekeeping on a schedule: expired sessions and idempotency records older than their 24 h window. */
export async function purgeExpired(db: D1Database, now: Date) {
  const dayAgo = new Date(now.getTime() - 24 * 60 * 60 * 1000).toISOString();
  await db.batch([
    db.prepare(`DELETE FROM session_tokens WHERE expires_at <= ?1`).bind(now.toISOString()),
    db.prepare(`DELETE FROM idempotency_records WHERE created_at < ?1`).bind(dayAgo),
  ]);
}
