/**
 * What the worker tests share: a fresh database with the real migrations and DEMO.md's data,
 * calls through the worker's real fetch handler, and reads of the stored state to assert on.
 */
import { applyD1Migrations, evictDurableObject, listDurableObjectIds, reset, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";
import { demoControlStatements, demoGroupId, demoUserId } from "../../worker/seed/demo.js";
import type { TenantStore } from "../../worker/src/store/tenant-store.js";

export { env };
export const db = () => env.DB;

/** A fresh control plane (D1, the real migrations) and fresh tenant stores, with DEMO.md's data in both. */
export async function freshDemo() {
  await reset();
  await wipeLeftoverStores();
  await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
  const statements = await demoControlStatements();
  await env.DB.batch(statements.map((sql) => env.DB.prepare(sql)));
  // The local worker's own seed of the stores, which also has it forget what it remembered of the control plane before.
  const seeded = await call("POST", "/api/v1/dev/seed");
  if (seeded.status !== 204) throw new Error(`seeding the demo's stores failed: ${seeded.status} ${JSON.stringify(seeded.body)}`);
}

/**
 * reset() leaves a tenant store whole once the queue has woken the webhook sender with a delayed
 * message (seen with vitest-pool-workers 0.23): its rows and alarm are wiped here, and its instance
 * evicted so that the next call meets a new one, migrated afresh.
 */
async function wipeLeftoverStores() {
  for (const id of await listDurableObjectIds(env.TENANT_STORES)) {
    const stub = env.TENANT_STORES.get(id);
    await runInDurableObject(stub, async (_instance: TenantStore, state) => {
      await state.storage.deleteAlarm();
      await state.storage.deleteAll();
    });
    await evictDurableObject(stub);
  }
}

export const storeOf = (tenantId: string) =>
  env.TENANT_STORES.get(env.TENANT_STORES.idFromName(tenantId)) as unknown as DurableObjectStub<TenantStore>;

/** Reads (or writes) a tenant's store directly, as its own code does: for tests to assert on the stored state. */
export const inStore = <T>(tenantId: string, read: (sql: SqlStorage, storage: DurableObjectStorage) => T): Promise<T> =>
  runInDurableObject(storeOf(tenantId), (_instance: TenantStore, state) => read(state.storage.sql, state.storage));

/** Every row of a query in a tenant's store. */
export const storeRows = <T extends Record<string, SqlStorageValue>>(tenantId: string, query: string, ...params: SqlStorageValue[]) =>
  inStore(tenantId, (sql) => sql.exec<T>(query, ...params).toArray());

/**
 * A tenant's store read and written with D1's statement API (prepare, bind, first, all, run), so
 * that a test's SQL reads the same against either: for tests to set up and assert on the state.
 */
export function storeDb(tenantId = "contoso") {
  const prepare = (query: string) => {
    let params: SqlStorageValue[] = [];
    const statement = {
      bind(...values: unknown[]) {
        params = values as SqlStorageValue[];
        return statement;
      },
      async first<T = Record<string, unknown>>(): Promise<T | null> {
        return ((await storeRows(tenantId, query, ...params))[0] as T | undefined) ?? null;
      },
      async all<T = Record<string, unknown>>(): Promise<{ results: T[] }> {
        return { results: (await storeRows(tenantId, query, ...params)) as unknown as T[] };
      },
      async run() {
        const changes = await inStore(tenantId, (sql) => {
          const cursor = sql.exec(query, ...params);
          cursor.toArray();
          return cursor.rowsWritten;
        });
        return { meta: { changes } };
      },
    };
    return statement;
  };
  /** Runs the statements one after the other. */
  const batch = async (statements: ReturnType<typeof prepare>[]) => {
    for (const statement of statements) await statement.run();
  };
  return { prepare, batch };
}

/**
 * Every tenant's store at once, with D1's statement API: the rows of each, each row with its
 * `tenant_id` added, as the one database of the D1 design answered. For assertions across tenants.
 */
export function everyStoreDb() {
  const prepare = (query: string) => {
    let params: SqlStorageValue[] = [];
    const rows = async () => {
      const all: Record<string, unknown>[] = [];
      for (const tenantId of await tenantIds()) {
        for (const row of await storeRows(tenantId, query, ...params)) all.push({ tenant_id: tenantId, ...row });
      }
      return all;
    };
    const statement = {
      bind(...values: unknown[]) {
        params = values as SqlStorageValue[];
        return statement;
      },
      async first<T = Record<string, unknown>>(): Promise<T | null> {
        return ((await rows())[0] as T | undefined) ?? null;
      },
      async all<T = Record<string, unknown>>(): Promise<{ results: T[] }> {
        return { results: (await rows()) as T[] };
      },
    };
    return statement;
  };
  return { prepare };
}

/** The tenant a subscription belongs to, from the control plane's index. */
async function tenantOfSubscription(subscriptionId: string): Promise<string> {
  const row = await env.DB.prepare(`SELECT tenant_id FROM subscriptions WHERE id = ?1`).bind(subscriptionId).first<{ tenant_id: string }>();
  return row?.tenant_id ?? "contoso";
}

/** Every tenant the control plane knows. */
const tenantIds = async () =>
  (await env.DB.prepare(`SELECT id FROM tenants ORDER BY id`).all<{ id: string }>()).results.map((row) => row.id);

export const contoso = {
  user: (name: string) => demoUserId("contoso", `${name}@`),
  group: (name: string) => demoGroupId("contoso", name),
  fabrikamSign: "sub_contoso_fabrikam_sign",
  northwindNotes: "sub_contoso_northwind_notes",
  tailspinMaps: "sub_contoso_tailspin_maps",
  litwareChat: "sub_contoso_litware_chat",
};
export const fabrikam = {
  user: (name: string) => demoUserId("fabrikam", `${name}@`),
  northwindNotes: "sub_fabrikam_northwind_notes",
};

export interface Answer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export async function call<T = any>(
  method: string,
  path: string,
  options: { token?: string | null; body?: unknown; raw?: BodyInit; headers?: Record<string, string> } = {},
): Promise<Answer<T>> {
  const headers = new Headers(options.headers);
  if (options.token) headers.set("authorization", `Bearer ${options.token}`);
  let body: BodyInit | undefined = options.raw;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  // The local sign-in answers only on a loopback host (routes/dev.ts); everything else is asked of appseats.test.
  const origin = path.startsWith("/api/v1/dev/") ? "http://localhost" : "http://appseats.test";
  const response = await exports.default.fetch(new Request(`${origin}${path}`, { method, headers, body }));
  const text = await response.text();
  let parsed: unknown = text;
  if ((response.headers.get("content-type") ?? "").includes("json")) parsed = JSON.parse(text);
  return { status: response.status, body: parsed as T, headers: response.headers };
}

/** A session token for a demo account, through the real local sign-in. */
/** An admin's assign or unassign on a license, with the body the extension sends (and any extra fields, such as dryRun). */
export const changeLicense = (
  token: string,
  license: string,
  verb: "assign" | "unassign",
  principals: unknown[],
  extra: Record<string, unknown> = {},
) => call("POST", `/api/v1/licenses/${license}/${verb}`, { token, body: { principals, ...extra } });

export async function signIn(userPrincipalName: string): Promise<string> {
  const answer = await call<{ token: string }>("POST", "/api/v1/dev/sign-in", { body: { userPrincipalName } });
  if (answer.status !== 200) throw new Error(`sign-in of ${userPrincipalName} failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.token;
}

export const as = (userPrincipalName: string) => signIn(userPrincipalName);

export const principal = {
  user: (name: string) => ({ type: "user" as const, id: contoso.user(name) }),
  group: (name: string) => ({ type: "group" as const, id: contoso.group(name) }),
};

// ---- The stored state ------------------------------------------------------------------------

export async function stored(subscriptionId: string) {
  const [row] = await storeRows<{ purchased: number; status: string; active: number; waiting: number }>(
    await tenantOfSubscription(subscriptionId),
    `SELECT s.purchased, s.status,
            (SELECT COUNT(*) FROM licenses WHERE subscription_id = s.id AND state = 'active') AS active,
            (SELECT COUNT(*) FROM licenses WHERE subscription_id = s.id AND state = 'waiting') AS waiting
       FROM subscriptions s WHERE s.id = ?`,
    subscriptionId,
  );
  return row!;
}

export async function licenseState(subscriptionId: string, userId: string): Promise<string | null> {
  const [row] = await storeRows<{ state: string }>(
    await tenantOfSubscription(subscriptionId),
    `SELECT state FROM licenses WHERE subscription_id = ? AND user_id = ?`,
    subscriptionId,
    userId,
  );
  return row?.state ?? null;
}

export async function waitingQueue(subscriptionId: string): Promise<string[]> {
  const rows = await storeRows<{ user_id: string }>(
    await tenantOfSubscription(subscriptionId),
    `SELECT user_id FROM licenses WHERE subscription_id = ? AND state = 'waiting' ORDER BY seq`,
    subscriptionId,
  );
  return rows.map((r) => r.user_id);
}

export async function assignmentsOf(subscriptionId: string): Promise<string[]> {
  const rows = await storeRows<{ p: string }>(
    await tenantOfSubscription(subscriptionId),
    `SELECT principal_type || ':' || principal_id AS p FROM assignments WHERE subscription_id = ? ORDER BY p`,
    subscriptionId,
  );
  return rows.map((r) => r.p);
}

/** The audit events of a tenant (Contoso unless told), optionally of one subscription, oldest first. */
export async function auditActions(
  subscriptionId?: string,
  tenantId?: string,
): Promise<{ action: string; principals: string | null; request_id: string }[]> {
  return storeRows<{ action: string; principals: string | null; request_id: string }>(
    tenantId ?? (subscriptionId ? await tenantOfSubscription(subscriptionId) : "contoso"),
    `SELECT action, principals, request_id FROM audit_events WHERE (?1 IS NULL OR subscription_id = ?1) ORDER BY seq`,
    subscriptionId ?? null,
  );
}

/** The tables a change could touch in a tenant's store. */
const storeTables = [
  "assignments",
  "licenses",
  "audit_events",
  "subscriptions",
  "group_members",
  "groups",
  "users",
  "installs",
  "admin_roles",
];

/** Every row that a change could touch, in the control plane and in every tenant's store, to show that a refused request changed nothing. */
export async function snapshot(): Promise<string> {
  const control = await env.DB.batch(
    ["tenants", "tenant_domains", "provisioning_routes"].map((t) => env.DB.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`)),
  );
  const stores: unknown[] = [];
  for (const tenantId of await tenantIds()) {
    stores.push(await inStore(tenantId, (sql) => storeTables.map((table) => sql.exec(`SELECT * FROM ${table} ORDER BY 1, 2`).toArray())));
  }
  return JSON.stringify([control.map((part) => part.results), stores]);
}

/**
 * Recomputes, from assignments and memberships alone, who should hold a license row of each
 * subscription of every tenant's store, and checks the stored rows against it: R1 one row per
 * user, a row exactly for each user with a path, and no one waiting while a usable subscription
 * has a free seat (R5). Returns the violations found, empty when all hold.
 */
export async function invariantViolations(): Promise<string[]> {
  const problems: string[] = [];
  for (const tenantId of await tenantIds()) {
    const { subs, expected, rows } = await inStore(tenantId, (sql) => ({
      subs: sql.exec<{ id: string; purchased: number; status: string }>(`SELECT id, purchased, status FROM subscriptions`).toArray(),
      expected: sql
        .exec<{ subscription_id: string; user_id: string }>(
          `SELECT a.subscription_id, a.principal_id AS user_id FROM assignments a JOIN users u ON u.id = a.principal_id AND u.deleted_at IS NULL
            WHERE a.principal_type = 'user'
           UNION
           SELECT a.subscription_id, m.user_id FROM assignments a JOIN group_members m ON m.group_id = a.principal_id
             JOIN users u ON u.id = m.user_id AND u.deleted_at IS NULL WHERE a.principal_type = 'group'`,
        )
        .toArray(),
      rows: sql
        .exec<{ subscription_id: string; user_id: string; state: string }>(
          `SELECT subscription_id, user_id, state FROM licenses ORDER BY seq`,
        )
        .toArray(),
    }));
    const want = new Set(expected.map((r) => `${r.subscription_id}|${r.user_id}`));
    const seen = new Set<string>();
    const perSub = new Map<string, { active: number; waiting: number }>();
    for (const row of rows) {
      const key = `${row.subscription_id}|${row.user_id}`;
      if (seen.has(key)) problems.push(`R1: two rows for ${key}`);
      seen.add(key);
      if (!want.has(key)) problems.push(`a license row without a path: ${key}`);
      const counts = perSub.get(row.subscription_id) ?? { active: 0, waiting: 0 };
      counts[row.state as "active" | "waiting"] += 1;
      perSub.set(row.subscription_id, counts);
    }
    for (const key of want) if (!seen.has(key)) problems.push(`a path without a license row: ${key}`);
    for (const sub of subs) {
      const counts = perSub.get(sub.id) ?? { active: 0, waiting: 0 };
      const usable = sub.status === "active" || sub.status === "warning";
      if (usable && counts.waiting > 0 && counts.active < sub.purchased) {
        problems.push(`R5: ${sub.id} has ${counts.waiting} waiting with ${sub.purchased - counts.active} seats free`);
      }
    }
  }
  return problems;
}

/**
 * R11 for one license of another tenant: `token` can neither read it nor unassign `principals`
 * from it, each answered 404 NotFound, and nothing is stored.
 */
export async function expectLicenseHiddenFrom(token: string, license: string, principals: unknown[]) {
  const before = await snapshot();
  expect((await call("GET", `/api/v1/licenses/${license}`, { token })).status).toBe(404);
  const foreign = await changeLicense(token, license, "unassign", principals);
  expect(foreign.status).toBe(404);
  expect(foreign.body.error.code).toBe("NotFound");
  expect(await snapshot()).toBe(before);
}

/** The same figures as the API's summary shows them, from the stored rows. */
export async function expectSummaryMatchesStore(token: string) {
  const answer = await call<{ items: { id: string; seats: { purchased: number; assigned: number; waiting: number } }[] }>(
    "GET",
    "/api/v1/licenses",
    { token },
  );
  for (const item of answer.body.items) {
    const row = await stored(item.id);
    if (item.seats.assigned !== row.active || item.seats.waiting !== row.waiting || item.seats.purchased !== row.purchased) {
      throw new Error(`summary of ${item.id} ${JSON.stringify(item.seats)} differs from the store ${JSON.stringify(row)}`);
    }
  }
}
