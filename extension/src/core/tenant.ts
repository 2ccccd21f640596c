/** Which signed-in tenant is current: the one whose domain matches the active tab, else the last used. */

export interface TenantChoice {
  tenantId: string;
  domains: string[];
}

export function hostMatches(host: string, domain: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, "");
  const d = domain.toLowerCase();
  return h === d || h.endsWith(`.${d}`);
}

export function currentTenant(tenants: TenantChoice[], tabUrl: string | undefined, lastUsed: string | undefined): string | undefined {
  let host: string | undefined;
  try {
    host = tabUrl ? new URL(tabUrl).hostname : undefined;
  } catch {
    host = undefined;
  }
  const byHost = host ? tenants.find((t) => t.domains.some((d) => hostMatches(host!, d))) : undefined;
  if (byHost) return byHost.tenantId;
  if (lastUsed && tenants.some((t) => t.tenantId === lastUsed)) return lastUsed;
  return tenants[0]?.tenantId;
}
