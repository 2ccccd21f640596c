/**
 * The invariant checker: recomputes, from assignments and memberships alone, who should hold a
 * license row of each subscription and through which paths, and compares that with the stored
 * rows, the waiting queue the API shows, and the summary counts.
 */
import type { Backend, Http } from "../support/backend.ts";

interface Expected {
  direct: boolean;
  groups: Set<string>;
}

export interface InvariantReport {
  violations: string[];
  /** The largest number of active seats beyond purchased, on subscriptions a vendor never lowered. */
  largestOverAssignment: number;
}

export async function checkInvariants(
  backend: Backend,
  http: Http,
  tokens: Record<string, string>,
  lowered = new Set<string>(),
): Promise<InvariantReport> {
  const stores = backend.stores();
  /** A query's rows in every tenant's store, each with its tenant_id. */
  const everyStore = (query: string) =>
    [...stores].flatMap(([tenantId, store]) =>
      (store.prepare(query).all() as Record<string, unknown>[]).map((row) => ({ tenant_id: tenantId, ...row })),
    );
  const violations: string[] = [];
  let largestOverAssignment = 0;
  try {
    const subscriptions = everyStore(`SELECT id, purchased, status FROM subscriptions`) as unknown as {
      id: string;
      tenant_id: string;
      purchased: number;
      status: string;
    }[];
    const paths = everyStore(
      `SELECT a.subscription_id, a.principal_id AS user_id, NULL AS group_id FROM assignments a
           JOIN users u ON u.id = a.principal_id AND u.deleted_at IS NULL WHERE a.principal_type = 'user'
         UNION ALL
         SELECT a.subscription_id, m.user_id, a.principal_id FROM assignments a JOIN group_members m ON m.group_id = a.principal_id
           JOIN users u ON u.id = m.user_id AND u.deleted_at IS NULL WHERE a.principal_type = 'group'`,
    ) as unknown as { subscription_id: string; user_id: string; group_id: string | null }[];
    const rows = everyStore(`SELECT subscription_id, user_id, state FROM licenses ORDER BY seq`) as unknown as {
      subscription_id: string;
      user_id: string;
      state: "active" | "waiting";
    }[];

    const expected = new Map<string, Map<string, Expected>>();
    for (const path of paths) {
      const bySub = expected.get(path.subscription_id) ?? new Map<string, Expected>();
      const entry = bySub.get(path.user_id) ?? { direct: false, groups: new Set<string>() };
      if (path.group_id) entry.groups.add(path.group_id);
      else entry.direct = true;
      bySub.set(path.user_id, entry);
      expected.set(path.subscription_id, bySub);
    }

    for (const sub of subscriptions) {
      const want = expected.get(sub.id) ?? new Map<string, Expected>();
      const stored = rows.filter((r) => r.subscription_id === sub.id);
      const seen = new Set<string>();
      for (const row of stored) {
        if (seen.has(row.user_id)) violations.push(`R1: ${sub.id} has two rows for ${row.user_id}`);
        seen.add(row.user_id);
        if (!want.has(row.user_id)) violations.push(`${sub.id}: ${row.user_id} holds a row with no path`);
      }
      for (const user of want.keys()) if (!seen.has(user)) violations.push(`${sub.id}: ${user} has a path but no row (a partial change?)`);
      const active = stored.filter((r) => r.state === "active").length;
      const waiting = stored.filter((r) => r.state === "waiting");
      const usable = sub.status === "active" || sub.status === "warning";
      if (usable && waiting.length > 0 && active < sub.purchased) {
        violations.push(`R5: ${sub.id} has ${waiting.length} waiting while ${sub.purchased - active} seats are free`);
      }
      if (!lowered.has(sub.id)) largestOverAssignment = Math.max(largestOverAssignment, active - sub.purchased);

      // The API shows the same holders, paths and queue order.
      const token = tokens[sub.tenant_id];
      if (!token) continue;
      const shown: { user: { id: string }; state: string; direct: boolean; viaGroups: { id: string }[] }[] = [];
      let cursor: string | null = null;
      do {
        const page: { status: number; body: any } = await http.call(
          "GET",
          `/api/v1/licenses/${sub.id}/users?limit=200${cursor ? `&cursor=${cursor}` : ""}`,
          { token },
        );
        if (page.status !== 200) {
          violations.push(`GET users of ${sub.id} answered ${page.status}`);
          break;
        }
        shown.push(...page.body.items);
        cursor = page.body.nextCursor;
      } while (cursor);
      const waitingShown = shown.filter((h) => h.state === "waiting").map((h) => h.user.id);
      if (JSON.stringify(waitingShown) !== JSON.stringify(waiting.map((r) => r.user_id))) {
        violations.push(`${sub.id}: the API's waiting queue differs from the stored order`);
      }
      for (const holder of shown) {
        const path = want.get(holder.user.id);
        const groups = holder.viaGroups.map((g) => g.id).sort();
        if (!path || path.direct !== holder.direct || JSON.stringify([...path.groups].sort()) !== JSON.stringify(groups)) {
          violations.push(
            `${sub.id}: the API shows ${holder.user.id} holding through ${JSON.stringify({ direct: holder.direct, groups })}`,
          );
        }
      }
    }

    // The summary counts are the stored counts.
    for (const [tenant, token] of Object.entries(tokens)) {
      const summary = await http.call("GET", "/api/v1/licenses", { token });
      for (const item of summary.body.items as { id: string; seats: { purchased: number; assigned: number; waiting: number } }[]) {
        const stored = rows.filter((r) => r.subscription_id === item.id);
        const sub = subscriptions.find((s) => s.id === item.id);
        const counts = {
          purchased: sub?.purchased,
          assigned: stored.filter((r) => r.state === "active").length,
          waiting: stored.filter((r) => r.state === "waiting").length,
        };
        if (item.seats.purchased !== counts.purchased || item.seats.assigned !== counts.assigned || item.seats.waiting !== counts.waiting) {
          violations.push(`${tenant} summary of ${item.id} ${JSON.stringify(item.seats)} differs from the store ${JSON.stringify(counts)}`);
        }
      }
    }
  } finally {
    for (const store of stores.values()) store.close();
  }
  return { violations, largestOverAssignment };
}
