/** R13 under load: one key, replayed 100 times (some at once), makes one change and one answer. */
import { relUser, subscriptions } from "../data.ts";
import type { Suite } from "../run.ts";

export async function idempotency({ http, checks, tokens, backend, invariants }: Suite) {
  console.log("Idempotency: one assignment sent 100 times with one key");
  const path = `/api/v1/licenses/${subscriptions.litwareChat}/assign`;
  const send = (key: string, user: string) =>
    http.call("POST", path, {
      token: tokens.megan,
      body: { principals: [{ type: "user", id: user }] },
      headers: { "idempotency-key": key },
    });
  const first = await send("rel-key-1", relUser(401));
  const concurrent = await Promise.all(Array.from({ length: 49 }, () => send("rel-key-1", relUser(401))));
  const sequential = [];
  for (let i = 0; i < 50; i++) sequential.push(await send("rel-key-1", relUser(401)));
  const all = [first, ...concurrent, ...sequential];
  checks.equal("idempotency: 100 answers", all.length, 100);
  checks.check(
    "idempotency: every answer is the first one",
    all.every((a) => a.status === 200 && JSON.stringify(a.body) === JSON.stringify(first.body)),
  );
  const changes = countAssignEvents(backend, relUser(401));
  checks.equal("idempotency: one change (one audit event)", changes, 1);

  const reused = await send("rel-key-1", relUser(402));
  checks.equal(
    "idempotency: the same key with another body is 422",
    [reused.status, reused.body?.error?.code],
    [422, "IdempotencyKeyReused"],
  );

  console.log("Idempotency: 20 identical requests at once with a fresh key");
  const racing = await Promise.all(Array.from({ length: 20 }, () => send("rel-key-2", relUser(403))));
  const winners = racing.filter((a) => a.status === 200);
  const inFlight = racing.filter((a) => a.status === 409 && a.body?.error?.code === "IdempotencyKeyInFlight");
  checks.equal("idempotency: each answer is the replay or 409 IdempotencyKeyInFlight", winners.length + inFlight.length, 20);
  checks.check(
    "idempotency: every 200 is the same answer",
    winners.every((a) => JSON.stringify(a.body) === JSON.stringify(winners[0]?.body)),
  );
  checks.equal("idempotency: one change for the racing key", countAssignEvents(backend, relUser(403)), 1);
  await invariants("idempotency");
}

function countAssignEvents(backend: Suite["backend"], userId: string): number {
  const db = backend.stores().get("contoso")!;
  try {
    const row = db
      .prepare(`SELECT COUNT(*) AS n FROM audit_events WHERE action = 'license.assign' AND principals LIKE ?`)
      .get(`%"${userId}"%`) as { n: number };
    return row.n;
  } finally {
    db.close();
  }
}
