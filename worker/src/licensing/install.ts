/** Installing a product: an admin starts it (the vendor's site opens), the vendor completes it. */
import type { InstallResult } from "@appseats/shared";
import { AppSeatsError, notFound } from "../errors.js";
import { auditStatement } from "./audit.js";
import { runBatch } from "./batch.js";
import { type ChangeContext, newId } from "./context.js";
import { subscriptionOfTenant } from "./subscriptions.js";

export async function startInstall(db: D1Database, ctx: ChangeContext, subscriptionId: string): Promise<InstallResult> {
  const subscription = await subscriptionOfTenant(db, ctx.tenantId, subscriptionId);
  const app = await db.prepare(`SELECT install_url FROM apps WHERE id = ?1`).bind(subscription.app_id).first<{ install_url: string }>();
  // Checked again where it is used (the catalog checks it when written): only https opens.
  const redirect = URL.canParse(app!.install_url) ? new URL(app!.install_url) : null;
  if (redirect?.protocol !== "https:") {
    throw new AppSeatsError("InsecureUrl", `${subscription.app_name} has no secure (https) install address. Ask its vendor.`);
  }
  const installId = newId();
  redirect.searchParams.set("tenant", ctx.tenantId);
  redirect.searchParams.set("install", installId);
  await runBatch(db, [
    db
      .prepare(`INSERT INTO installs (id, subscription_id, tenant_id, requested_by, requested_at) VALUES (?1, ?2, ?3, ?4, ?5)`)
      .bind(installId, subscription.id, ctx.tenantId, ctx.actor.id, ctx.now),
    auditStatement(db, ctx, {
      action: "license.install",
      subscriptionId: subscription.id,
      summary: `Started installing ${subscription.app_name}`,
    }),
  ]);
  return { installId, redirectUrl: redirect.toString() };
}

/** The vendor confirms an install of one of its own apps; completing twice changes nothing more. */
export async function completeInstall(
  db: D1Database,
  vendor: { id: string; name: string },
  requestId: string,
  installId: string,
): Promise<{ installed: true }> {
  const install = await db
    .prepare(
      `SELECT i.id, i.subscription_id, i.tenant_id, i.completed_at, a.name AS app_name FROM installs i
         JOIN subscriptions s ON s.id = i.subscription_id JOIN apps a ON a.id = s.app_id
        WHERE i.id = ?1 AND a.vendor_id = ?2`,
    )
    .bind(installId, vendor.id)
    .first<{ id: string; subscription_id: string; tenant_id: string; completed_at: string | null; app_name: string }>();
  if (!install) throw notFound("The install");
  if (install.completed_at) return { installed: true };
  const ctx: ChangeContext = {
    tenantId: install.tenant_id,
    actor: { type: "vendor", id: vendor.id, displayName: vendor.name },
    requestId,
    now: new Date().toISOString(),
  };
  await runBatch(db, [
    db.prepare(`UPDATE installs SET completed_at = ?2 WHERE id = ?1 AND completed_at IS NULL`).bind(install.id, ctx.now),
    auditStatement(db, ctx, {
      action: "license.install.complete",
      subscriptionId: install.subscription_id,
      summary: `${vendor.name} completed the install of ${install.app_name}`,
    }),
  ]);
  return { installed: true };
}
