/**
 * Who may call, as types only: the admin and vendor callers, the kinds of admin credential, and
 * a request's bearer credential. The worker's environment (http/env.ts) is built from these, so
 * this module imports nothing that imports the environment back.
 */
import type { Role } from "@appseats/shared";
import type { BoundCheck } from "../licensing/batch.js";

/** A request's bearer credential, and its SHA-256 hash: what is stored of it, and what names it. */
export interface Bearer {
  token: string;
  hash: string;
}

export interface AdminCaller {
  tenantId: string;
  user: { id: string; displayName: string; userPrincipalName: string };
  roles: Role[];
  /** When the credential itself expires (ms since the epoch), where it says so: an Entra ID token. */
  expiresAt?: number;
}

/** What verifying a credential may need of the request besides its token. */
export interface VerifyContext {
  env: Env;
  requestId: string;
  now: Date;
}

/** A kind of credential: says whether a token looks like its own, then verifies it. */
export interface AdminCredential {
  recognises(token: string): boolean;
  /** The caller, or null when the token does not admit anyone (401); may refuse with another AppSeatsError (403). */
  verify(bearer: Bearer, context: VerifyContext): Promise<AdminCaller | null>;
  /** Sign-out: the token stops working at once, where the server can end it. */
  revoke?(db: D1Database, bearer: Bearer): Promise<void>;
  /**
   * A check for a batch guard (see licensing/batch.ts) that holds while the token still admits
   * `caller`, unchanged, with one of `roles`. A kind of credential that has one lets a change
   * check its caller inside its own batch (see changeCheckingCaller in auth/admin.ts).
   */
  checkInBatch?(bearer: Bearer, caller: AdminCaller, roles: readonly Role[], now: Date): BoundCheck;
}

/** The request's credential, and whether its caller was read from the database in this request. */
export interface AdminAuth {
  /** Callers are remembered by its hash, never by the token itself. */
  bearer: Bearer;
  credential: AdminCredential;
  verified: boolean;
}

export interface VendorCaller {
  id: string;
  name: string;
}

/** A directory's provisioning token at /scim/v2: which token, and so which tenant (R19). */
export interface ProvisioningCaller {
  tokenId: string;
  tenantId: string;
  /**
   * False when the token was verified lately, not in this request: a change then checks it in its
   * own batch (provisioningContext), so that a revoked token stops at once (auth/provisioning.ts).
   */
  verified: boolean;
}
