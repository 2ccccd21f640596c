/** Who makes a change, and the clock and request it belongs to; every audited change carries one. */

export interface Actor {
  type: "user" | "vendor" | "system";
  id: string;
  displayName: string;
}

export interface ChangeContext {
  tenantId: string;
  actor: Actor;
  requestId: string;
  now: string;
}

export const newId = () => crypto.randomUUID();
