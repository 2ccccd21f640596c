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
  LicenseUsers,
  LicenseUsersQuery,
  ListQuery,
  ReclaimList,
  UnassignRequest,
  UnassignResult,
} from "@appseats/shared";
import { stringify } from "csv-stringify/browser/esm/sync";
import { Hono } from "hono";
import { changeCheckingCaller, changeContext, requireCapability } from "../auth/admin.js";
import type { AppEnv } from "../http/env.js";
import { idempotentForAdmin as byCaller } from "../http/idempotency.js";
import { documented } from "../http/openapi.js";
import { validate } from "../http/validate.js";
import { assign } from "../licensing/assign.js";
import { licenseHolders, reclaimCandidates } from "../licensing/holders.js";
import { importPreview } from "../licensing/import.js";
import { startInstall } from "../licensing/install.js";
import { licenseDetail, licenseSummaries } from "../licensing/summary.js";
import { unassign } from "../licensing/unassign.js";

/** Spreadsheet apps run cells that start like a formula; csv-stringify exports such text as plain text. */
const csvOf = (rows: string[][]) => stringify(rows, { escape_formulas: true });

export const licenseRoutes = new Hono<AppEnv>()
  .get("/", documented({ summary: "Every license of the tenant with its seats", answer: LicenseList }), async (c) => {
    const items = await licenseSummaries(c.env.DB, c.get("caller").tenantId);
    return c.json({ items, generatedAt: new Date().toISOString() });
  })
  .get(
    "/:id",
    documented({ summary: "One license with its assignments", answer: LicenseDetail, errors: ["NotFound"] }),
    validate("param", IdParam),
    validate("query", LicenseDetailQuery),
    async (c) => c.json(await licenseDetail(c.env.DB, c.get("caller").tenantId, c.req.valid("param").id, c.req.valid("query"))),
  )
  .get(
    "/:id/users",
    documented({ summary: "Users holding or waiting for the license", answer: LicenseUsers, errors: ["NotFound"] }),
    validate("param", IdParam),
    validate("query", LicenseUsersQuery),
    async (c) => c.json(await licenseHolders(c.env.DB, c.get("caller").tenantId, c.req.valid("param").id, c.req.valid("query"))),
  )
  .get(
    "/:id/export.csv",
    documented({ summary: "The license's users as CSV", answer: { mediaType: "text/csv" }, errors: ["NotFound"] }),
    validate("param", IdParam),
    async (c) => {
      const { tenantId } = c.get("caller");
      const id = c.req.valid("param").id;
      // Read the first page before answering so that an unknown id is a 404, not an empty file.
      let page = await licenseHolders(c.env.DB, tenantId, id, { limit: 1000 });
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
          page = await licenseHolders(c.env.DB, tenantId, id, { limit: 1000, cursor: page.nextCursor });
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
    requireCapability("assign", { checkedInBatch: true }),
    byCaller,
    validate("param", IdParam),
    validate("json", AssignRequest),
    async (c) =>
      c.json(await changeCheckingCaller(c, "assign", (ctx) => assign(c.env.DB, ctx, c.req.valid("param").id, c.req.valid("json")))),
  )
  .post(
    "/:id/unassign",
    documented({ summary: "Unassign users and groups", answer: UnassignResult, errors: ["NotFound", "InheritedLicense", "Unavailable"] }),
    requireCapability("assign"),
    byCaller,
    validate("param", IdParam),
    validate("json", UnassignRequest),
    async (c) => c.json(await unassign(c.env.DB, await changeContext(c), c.req.valid("param").id, c.req.valid("json"))),
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
    async (c) => c.json(await reclaimCandidates(c.env.DB, c.get("caller").tenantId, c.req.valid("param").id, c.req.valid("query"))),
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
    async (c) => c.json(await importPreview(c.env.DB, c.get("caller").tenantId, c.req.valid("param").id, c.req.valid("json").names)),
  )
  .post(
    "/:id/install",
    documented({ summary: "Start installing the product (GlobalAdmin)", answer: InstallResult, errors: ["NotFound", "InsecureUrl"] }),
    requireCapability("install"),
    byCaller,
    validate("param", IdParam),
    async (c) => c.json(await startInstall(c.env.DB, await changeContext(c), c.req.valid("param").id)),
  );
