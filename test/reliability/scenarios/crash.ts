/**
 * Crash: the worker process is killed (SIGKILL) in the middle of a stream of group assignments
 * and started again on the same local database. No change may be half made.
 */
import { demoVendorKey } from "../../../worker/seed/demo.ts";
import { crowd, subscriptions } from "../data.ts";
import type { Suite } from "../run.ts";

export async function crash({ http, checks, backend, invariants, short, signInAll }: Suite) {
  const rounds = short ? 1 : 3;
  await http.call("PUT", `/vendor/v1/subscriptions/${subscriptions.tailspinMaps}`, {
    token: demoVendorKey("tailspin"),
    body: { status: "active", quantity: 260 },
  });
  for (let round = 1; round <= rounds; round++) {
    console.log(`Crash ${round}/${rounds}: SIGKILL during a stream of group assignments`);
    const { tokens } = await signInAll();
    const license = round % 2 ? subscriptions.tailspinMaps : subscriptions.fabrikamSign;
    let stop = false;
    const sent: number[] = [];
    const stream = (async () => {
      for (let i = 0; !stop; i = (i + 1) % 12) {
        const verb = i % 3 === 2 ? "unassign" : "assign";
        sent.push(i);
        await http
          .call("POST", `/api/v1/licenses/${license}/${verb}`, {
            token: tokens.megan,
            body: { principals: [{ type: "group", id: crowd(i + 1) }] },
          })
          .catch(() => {
            stop = true; // the worker is gone
          });
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 400 + round * 150));
    await backend.kill();
    stop = true;
    await stream;
    await backend.restart();
    const after = await signInAll();
    const alive = await http.call("GET", "/api/v1/licenses", { token: after.tokens.megan });
    checks.check(
      `crash ${round}: the worker answers again after the restart (${sent.length} requests sent before the kill)`,
      alive.status === 200,
    );
    await invariants(`crash ${round}`, after.tokens);
  }
}
