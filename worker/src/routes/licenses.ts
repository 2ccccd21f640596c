/** /api/v1/licenses: the summary, one license, its holders and CSV, a CSV import's preview, assign, unassign, install. */
import {
  AssignRequest,
  AssignResult,
  exportCsvHeader,
  IdParam,
  ImportPreview,
  ImportPreviewRequest,
  InstallResult,
  LicenseDetail,
  LicenseDetailQuery,
  LicenseList,
  type LicenseSummary,
  LicenseUsers,
  LicenseUsersQuery,
  ListQuery,
  ReclaimList,
  UnassignRequest,
  UnassignResult,
} from "@appseats/shared";
import { stringify } from "csv-stringify/browser/esm/sync";
import { type Context, Hono } from "hono";
import { requireCapability } from "../auth/admin.js";
import { appOfSubscription, appsOfTenant, type CatalogApp } from "../control/plane.js";
import { remembered } from "../control/remembered.js";
import { notFound } from "../errors.js";
import type { AppEnv } from "../http/env.js";
import { documented } from "../http/openapi.js";
import { ask, idempotent } from "../http/store.js";
import { validate } from "../http/validate.js";
import { binary, byName } from "../order.js";
import type { StoredLicense } from "../store/reads.js";

const byCaller = idempotent();

/** A license as Billing > Licenses shows it: the tenant's figures from its store, the app and vendor from the catalog. */
const summaryOf = (license: StoredLicense, app: CatalogApp): LicenseSummary => ({
  id: license.id,
  app: { id: app.id, name: app.name, publisher: app.publisher, ...(app.iconUrl ? { iconUrl: app.iconUrl } : {}) },
  plan: license.plan,
  status: license.status,
  seats: license.seats,
  installed: license.installed,
  vendor: {
    name: app.vendorName,
    ...(app.contactUrl ? { contactUrl: app.contactUrl } : {}),
    ...(app.contactEmail ? { contactEmail: app.contactEmail } : {}),
  },
  ...(license.renewsAt ? { renewsAt: license.renewsAt } : {}),
});

/** The app of one of the tenant's licenses, from the catalog; another tenant's license is 404 (R11). */
async function appOf(c: Context<AppEnv>, id: string): Promise<CatalogApp> {
  const tenantId = c.get("target").tenantId;
  const key = `${tenantId}/${id}`;
  const known = remembered.subscriptionApps.get(key);
  if (known) return known;
  const app = await appOfSubscription(c.env.DB, tenantId, id);
  if (!app) {
    // Whether the caller may ask at all is told first (401, 403), as for any license.
    await c.get("checkCaller")?.();
    throw notFound("The license");
  }
  remembered.subscriptionApps.set(key, app);
  return app;
}

/** Spreadsheet apps run cells that start like a formula; csv-stringify exports such text as plain text. */
const csvOf = (rows: string[][]) => stringify(rows, { escape_formulas: true });

export const licenseRoutes = new Hono<AppEnv>()
  .get("/", documented({ summary: "Every license of the tenant with its seats", answer: LicenseList }), async (c) => {
    const [licenses, apps] = await Promise.all([ask(c, "licenses", {}), appsOfTenant(c.env.DB, c.get("target").tenantId)]);
    const items = licenses
      .filter((license) => apps.has(license.id))
      .map((license) => summaryOf(license, apps.get(license.id)!))
      .sort((a, b) => byName(a.app.name, b.app.name) || binary(a.plan, b.plan) || binary(a.id, b.id));
    return c.json({ items, generatedAt: new Date().toISOString() });
  })
  .get(
    "/:id",
    documented({ summary: "One license with its assignments", answer: LicenseDetail, errors: ["NotFound"] }),
    validate("param", IdParam),
    validate("query", LicenseDetailQuery),
    async (c) => {
      const { id } = c.req.valid("param");
      const [detail, app] = await Promise.all([ask(c, "license", { id, query: c.req.valid("query") }), appOf(c, id)]);
      const answer: LicenseDetail = { ...summaryOf(detail.license, app), assignments: detail.assignments };
      return c.json(answer);
    },
  )
  .get(
    "/:id/users",
    documented({ summary: "Users holding or waiting for the license", answer: LicenseUsers, errors: ["NotFound"] }),
    validate("param", IdParam),
    validate("query", LicenseUsersQuery),
    async (c) => c.json(await ask(c, "holders", { id: c.req.valid("param").id, query: c.req.valid("query") })),
  )
  .get(
    "/:id/export.csv",
    documented({ summary: "The license's users as CSV", answer: { mediaType: "text/csv" }, errors: ["NotFound"] }),
    validate("param", IdParam),
    async (c) => {
      const id = c.req.valid("param").id;
      // Read the first page before answering so that an unknown id is a 404, not an empty file.
      let page = await ask(c, "holders", { id, query: { limit: 1000 } });
      const encoder = new TextEncoder();
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(encoder.encode(csvOf([[...exportCsvHeader]])));
        },
        async pull(controller) {
          const rows = page.items.map((holder) => [
            holder.user.userPrincipalName,
            holder.user.displayName,
            holder.state,
            String(holder.direct),
            holder.viaGroups.map((g) => g.displayName).join("; "),
            holder.since,
          ]);
          if (rows.length > 0) controller.enqueue(encoder.encode(csvOf(rows)));
          if (!page.nextCursor) return controller.close();
          page = await ask(c, "holders", { id, query: { limit: 1000, cursor: page.nextCursor } });
        },
      });
      return c.body(body, 200, {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="license-${id.replace(/[^\w.-]/g, "_")}.csv"`,
      });
    },
  )
  .post(
    "/:id/assign",
    documented({
      summary: "Assign users and groups",
      answer: AssignResult,
      errors: ["NotFound", "NotEnoughLicenses", "SubscriptionNotUsable", "Unavailable"],
    }),
    requireCapability("assign"),
    byCaller,
    validate("param", IdParam),
    validate("json", AssignRequest),
    async (c) => {
      const { id } = c.req.valid("param");
      const app = await appOf(c, id);
      return c.json(await ask(c, "assign", { id, appName: app.name, ...c.req.valid("json") }));
    },
  )
  .post(
    "/:id/unassign",
    documented({ summary: "Unassign users and groups", answer: UnassignResult, errors: ["NotFound", "InheritedLicense", "Unavailable"] }),
    requireCapability("assign"),
    byCaller,
    validate("param", IdParam),
    validate("json", UnassignRequest),
    async (c) => {
      const { id } = c.req.valid("param");
      const app = await appOf(c, id);
      return c.json(await ask(c, "unassign", { id, appName: app.name, ...c.req.valid("json") }));
    },
  )
  .get(
    "/:id/reclaim",
    documented({
      summary: "Seats likely wasted, each with its reason: a disabled account, or no usage-rights question from the vendor for 30 days",
      answer: ReclaimList,
      errors: ["NotFound"],
    }),
    validate("param", IdParam),
    validate("query", ListQuery),
    async (c) => c.json(await ask(c, "reclaim", { id: c.req.valid("param").id, query: c.req.valid("query") })),
  )
  .post(
    "/:id/import/preview",
    documented({
      summary: "A CSV import's preview: what assigning each row's user would do, and whether the seats suffice",
      answer: ImportPreview,
      errors: ["NotFound"],
    }),
    requireCapability("assign"),
    validate("param", IdParam),
    validate("json", ImportPreviewRequest),
    async (c) => c.json(await ask(c, "importPreview", { id: c.req.valid("param").id, names: c.req.valid("json").names })),
  )
  .post(
    "/:id/install",
    documented({ summary: "Start installing the product (GlobalAdmin)", answer: InstallResult, errors: ["NotFound", "InsecureUrl"] }),
    requireCapability("install"),
    byCaller,
    validate("param", IdParam),
    async (c) => {
      const { id } = c.req.valid("param");
      const app = await appOf(c, id);
      return c.json(await ask(c, "install", { id, app: { name: app.name, installUrl: app.installUrl } }));
    },
  );
