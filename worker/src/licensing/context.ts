/** Who makes a change, and the clock and request it belongs to; every audited change carries one. */
import type { BoundCheck } from "./batch.js";

export interface Actor {
  type: "user" | "vendor" | "system" | "provisioning";
  id: string;
  displayName: string;
}

export interface ChangeContext {
  tenantId: string;
  actor: Actor;
  requestId: string;
  now: string;
  /**
   * A check that the caller still may make this change, when the caller was not read from the
   * database first (changeCheckingCaller in auth/admin.ts, provisioningChange in
   * auth/provisioning.ts). A change given one checks it first in its batch, before anything else
   * (changeBatch): assign, and the directory's changes.
   */
  callerCheck?: BoundCheck;
}

export const newId = () => crypto.randomUUID();
