/**
 * Everything a request may ask of a tenant store, each with who may ask it. The worker makes one
 * call per request (TenantStore.serve) naming the operation, its arguments and the request's
 * credential; the store checks the credential and the caller's roles (R10) and runs the operation
 * in the same transaction (R22). Catalog facts an operation needs (an app's name, its install
 * address) come in its arguments, from the control plane.
 */
import {
  type Capability,
  can,
  type Principal,
  type Purchase,
  type PurchasedSubscription,
  type Role,
  rolesAllowedTo,
  type SearchType,
  type SubscriptionStatus,
  type SubscriptionUpdate,
  type VendorSubscription,
} from "@appseats/shared";
import { AppSeatsError } from "../errors.js";
import { assign } from "./assign.js";
import {
  closeSession,
  createProvisioningToken,
  type EntraSignIn,
  entraCaller,
  localAccounts,
  openSession,
  provisioningCaller,
  provisioningTokens,
  revokeProvisioningToken,
  type StoreCaller,
  sessionCaller,
} from "./callers.js";
import type { StoreChange } from "./changes.js";
import { accountOf, changeGroup, deleteUser, ensureMayChangeAccount, type UserFields, updateUser } from "./directory.js";
import { importRows, type StoreRows, storeCounts } from "./import.js";
import {
  assignmentsOf,
  auditTrail,
  type HolderQuery,
  holdersOf,
  importPreview,
  licensesOfUser,
  reclaimCandidates,
  searchDirectory,
  storedLicenses,
} from "./reads.js";
import { all, text } from "./rows.js";
import { type ListRequest, type ScimGroupFields, scimGroups, scimUsers } from "./scim.js";
import { unassign } from "./unassign.js";
import {
  completeInstall,
  recordPurchase,
  type SubscriptionFigures,
  startInstall,
  subscriptionFigures,
  updateSubscription,
  usageRights,
} from "./vendor.js";

/** The credential of a request, as the worker read it; the store decides whom it admits. */
export type StoreCredential =
  | { kind: "session"; hash: string }
  | { kind: "entra"; signIn: EntraSignIn }
  | { kind: "provisioning"; hash: string }
  | { kind: "vendor"; id: string; name: string }
  /** The local sign-in of local runs (routes/dev.ts), and the operator's commands (seeding, moving). */
  | { kind: "local" };

/** A request to a store: whose, which credential, and, for a change sent with an Idempotency-Key, the key (R13). */
export interface StoreCall {
  tenantId: string;
  requestId: string;
  now: string;
  credential: StoreCredential;
  idempotency?: { key: string; fingerprint: string; status: number };
}

/** What an operation is given: the store's SQL, the change's author and clock, and the caller when it is an admin. */
export interface OperationContext {
  sql: SqlStorage;
  storage: DurableObjectStorage;
  change: StoreChange;
  tenantId: string;
  caller: StoreCaller | null;
}

/** Who may ask: an admin whose roles allow a capability (R10), any signed-in admin, a provisioning token, a vendor, or the local runs. */
type Needs = Capability | "signedIn" | "provisioning" | "vendor" | "local";

interface Operation<A, R> {
  needs: Needs;
  run(context: OperationContext, args: A): R;
}

const operation = <A, R>(needs: Needs, run: (context: OperationContext, args: A) => R): Operation<A, R> => ({ needs, run });

const unauthenticated = (credential: StoreCredential["kind"]) =>
  new AppSeatsError(
    "Unauthenticated",
    credential === "provisioning"
      ? "The provisioning token is missing, unknown, expired or revoked."
      : "Sign in again: the token is missing, unknown or expired.",
  );

export const forbidden = (capability: Capability) =>
  new AppSeatsError("Forbidden", `Your roles do not allow this. Ask an admin with one of: ${rolesAllowedTo[capability].join(", ")}.`, {
    requiredRoles: rolesAllowedTo[capability],
  });

/** A subscription as its vendor sees it (the answer of a vendor's read and change, kept as such for an Idempotency-Key). */
const vendorView = (tenantId: string, figures: SubscriptionFigures): VendorSubscription => ({
  id: figures.id,
  tenantId,
  appId: figures.appId,
  status: figures.status,
  seats: figures.seats,
  renewsAt: figures.renewsAt,
});

const callerOf = (context: OperationContext): StoreCaller => context.caller!;
const accountChanger = (context: OperationContext): { id: string; roles: Role[] } => ({
  id: callerOf(context).user.id,
  roles: callerOf(context).roles,
});

export const operations = {
  /** The caller, checked alone: for a request refused for its own sake, 401 and 403 come first. */
  check: operation("signedIn", (context, args: { capability: Capability | null }) => {
    if (args.capability && !can(callerOf(context).roles, args.capability)) throw forbidden(args.capability);
    return null;
  }),
  provisioningCheck: operation("provisioning", () => null),
  me: operation("signedIn", (context) => callerOf(context)),
  signOut: operation("signedIn", ({ sql }, args: { sessionHash: string | null }) => {
    if (args.sessionHash) closeSession(sql, args.sessionHash);
    return null;
  }),
  licenses: operation("read", ({ sql }) => storedLicenses(sql)),
  license: operation(
    "read",
    ({ sql }, args: { id: string; query: { limit: number; cursor?: string | undefined; q?: string | undefined } }) =>
      assignmentsOf(sql, args.id, args.query),
  ),
  holders: operation("read", ({ sql }, args: { id: string; query: HolderQuery }) => holdersOf(sql, args.id, args.query)),
  reclaim: operation("read", ({ sql, change }, args: { id: string; query: { limit: number; cursor?: string | undefined } }) =>
    reclaimCandidates(sql, args.id, args.query, new Date(change.now)),
  ),
  importPreview: operation("assign", ({ sql }, args: { id: string; names: string[] }) => importPreview(sql, args.id, args.names)),
  assign: operation(
    "assign",
    ({ storage, change }, args: { id: string; appName: string; principals: Principal[]; dryRun?: boolean | undefined }) =>
      assign(storage, change, { subscriptionId: args.id, appName: args.appName, principals: args.principals, dryRun: args.dryRun }),
  ),
  unassign: operation(
    "assign",
    ({ storage, change }, args: { id: string; appName: string; principals: Principal[]; dryRun?: boolean | undefined }) =>
      unassign(storage, change, { subscriptionId: args.id, appName: args.appName, principals: args.principals, dryRun: args.dryRun }),
  ),
  install: operation("install", ({ sql, change, tenantId }, args: { id: string; app: { name: string; installUrl: string } }) =>
    startInstall(sql, change, { subscriptionId: args.id, tenantId, app: args.app }),
  ),
  userLicenses: operation("read", ({ sql }, args: { id: string }) => licensesOfUser(sql, args.id)),
  search: operation("read", ({ sql }, args: { q: string; type: SearchType; limit: number }) => searchDirectory(sql, args)),
  audit: operation("read", ({ sql }, args: { limit: number; cursor?: string | undefined; licenseId?: string | undefined }) =>
    auditTrail(sql, args),
  ),
  addMembers: operation("manageDirectory", ({ sql, change }, args: { groupId: string; userIds: string[] }) =>
    changeGroup(sql, change, args.groupId, { addMembers: args.userIds }),
  ),
  removeMembers: operation("manageDirectory", ({ sql, change }, args: { groupId: string; userIds: string[] }) =>
    changeGroup(sql, change, args.groupId, { removeMembers: args.userIds }),
  ),
  setAccountEnabled: operation("manageDirectory", (context, args: { userId: string; accountEnabled: boolean }) => {
    const account = accountOf(context.sql, args.userId);
    ensureMayChangeAccount(accountChanger(context), account, args.accountEnabled ? "enable" : "disable");
    return updateUser(context.sql, context.change, account, { accountEnabled: args.accountEnabled });
  }),
  deleteUser: operation("manageDirectory", (context, args: { userId: string }) => {
    const account = accountOf(context.sql, args.userId);
    ensureMayChangeAccount(accountChanger(context), account, "delete");
    return deleteUser(context.sql, context.change, account);
  }),
  createProvisioningToken: operation("manageProvisioning", ({ sql, change }, args: { id: string; hash: string; expiresAt: string }) =>
    createProvisioningToken(sql, change, args),
  ),
  provisioningTokens: operation("manageProvisioning", ({ sql }) => provisioningTokens(sql)),
  revokeProvisioningToken: operation("manageProvisioning", ({ sql, change }, args: { id: string }) =>
    revokeProvisioningToken(sql, change, args.id),
  ),

  scimListUsers: operation("provisioning", ({ sql }, args: { base: string; request: ListRequest }) =>
    scimUsers.list(sql, args.base, args.request),
  ),
  scimGetUser: operation("provisioning", ({ sql }, args: { base: string; id: string }) => scimUsers.get(sql, args.base, args.id)),
  scimCreateUser: operation("provisioning", ({ sql, change }, args: { base: string; fields: UserFields }) =>
    scimUsers.create(sql, change, args.base, args.fields),
  ),
  scimReplaceUser: operation("provisioning", ({ sql, change }, args: { base: string; id: string; fields: UserFields }) =>
    scimUsers.replace(sql, change, args.base, args.id, args.fields),
  ),
  scimPatchUser: operation(
    "provisioning",
    ({ sql, change }, args: { base: string; id: string; operations: Parameters<typeof scimUsers.patch>[4] }) =>
      scimUsers.patch(sql, change, args.base, args.id, args.operations),
  ),
  scimDeleteUser: operation("provisioning", ({ sql, change }, args: { id: string }) => scimUsers.delete(sql, change, args.id)),
  scimListGroups: operation("provisioning", ({ sql }, args: { base: string; request: ListRequest }) =>
    scimGroups.list(sql, args.base, args.request),
  ),
  scimGetGroup: operation("provisioning", ({ sql }, args: { base: string; id: string; excludedAttributes?: string | undefined }) =>
    scimGroups.get(sql, args.base, args.id, args.excludedAttributes),
  ),
  scimCreateGroup: operation("provisioning", ({ sql, change }, args: { base: string; group: ScimGroupFields }) =>
    scimGroups.create(sql, change, args.base, args.group),
  ),
  scimReplaceGroup: operation("provisioning", ({ sql, change }, args: { base: string; id: string; group: ScimGroupFields }) =>
    scimGroups.replace(sql, change, args.base, args.id, args.group),
  ),
  scimPatchGroup: operation("provisioning", ({ sql, change }, args: { id: string; operations: Parameters<typeof scimGroups.patch>[3] }) =>
    scimGroups.patch(sql, change, args.id, args.operations),
  ),
  scimDeleteGroup: operation("provisioning", ({ sql, change }, args: { id: string }) => scimGroups.delete(sql, change, args.id)),

  purchase: operation(
    "vendor",
    (
      { sql, change, tenantId },
      args: {
        id: string;
        app: { id: string; name: string };
        purchase: Pick<Purchase, "plan" | "quantity" | "status" | "renewsAt">;
        broughtIn: string | null;
      },
    ): PurchasedSubscription => {
      const figures = recordPurchase(sql, change, {
        id: args.id,
        appId: args.app.id,
        appName: args.app.name,
        plan: args.purchase.plan,
        quantity: args.purchase.quantity,
        status: (args.purchase.status ?? "active") as SubscriptionStatus,
        renewsAt: args.purchase.renewsAt ?? null,
        broughtIn: args.broughtIn,
      });
      return { id: figures.id, tenantId, appId: figures.appId, plan: figures.plan, status: figures.status, seats: figures.seats };
    },
  ),
  updateSubscription: operation("vendor", ({ sql, change, tenantId }, args: { id: string; appName: string; update: SubscriptionUpdate }) =>
    vendorView(tenantId, updateSubscription(sql, change, args.id, args.appName, args.update)),
  ),
  subscription: operation("vendor", ({ sql, tenantId }, args: { id: string }) => vendorView(tenantId, subscriptionFigures(sql, args.id))),
  usageRights: operation("vendor", ({ sql, change }, args: { id: string; user: string }) =>
    usageRights(sql, args.id, args.user, change.now),
  ),
  completeInstall: operation("vendor", ({ sql, change }, args: { installId: string; appName: string }) =>
    completeInstall(sql, change, args.installId, args.appName),
  ),

  devSignIn: operation("local", ({ sql, change }, args: { userPrincipalName: string; tokenHash: string; expiresAt: string }) =>
    openSession(sql, args.userPrincipalName, args.tokenHash, change.now, args.expiresAt),
  ),
  devAccounts: operation("local", ({ sql }) => localAccounts(sql)),
  importRows: operation("local", ({ sql }, args: { rows: StoreRows }) => importRows(sql, args.rows)),
  /** The demo's rows, where missing; a demo subscription someone changed since keeps its assignments as they are. */
  seedDemo: operation("local", ({ sql }, args: { rows: StoreRows }) => {
    const touched = new Set(
      all(sql, { id: text }, `SELECT DISTINCT subscription_id AS id FROM audit_events WHERE subscription_id IS NOT NULL`).map(
        (row) => row.id,
      ),
    );
    const untouched = (rows: StoreRows["assignments"]) => rows?.filter((row) => !touched.has(String(row.subscription_id)));
    return importRows(sql, { ...args.rows, assignments: untouched(args.rows.assignments), licenses: untouched(args.rows.licenses) });
  }),
  counts: operation("local", ({ sql }) => storeCounts(sql)),
  /** The audit's retention purge (R12): events older than `before` go, and nothing else can remove one. */
  purgeAudit: operation("local", ({ sql }, args: { before: string }) => {
    sql.exec(`INSERT INTO audit_purge (id, before) VALUES (1, ?)`, args.before);
    const removed = sql.exec(`DELETE FROM audit_events WHERE at < ? RETURNING 1`, args.before).toArray().length;
    sql.exec(`DELETE FROM audit_purge`);
    return removed;
  }),
};

export type Operations = typeof operations;
export type OperationName = keyof Operations;
export type ArgsOf<K extends OperationName> = Parameters<Operations[K]["run"]>[1];
export type ResultOf<K extends OperationName> = ReturnType<Operations[K]["run"]>;

/**
 * Who a credential admits for an operation, or 401 when it admits no one. What identifying an
 * admin writes (an Entra ID user linked, the roles of this sign-in, a token's last use) is kept
 * whatever the operation then answers; the caller's roles are checked next (authorize).
 */
export function identify(sql: SqlStorage, call: StoreCall, needs: Needs): { caller: StoreCaller | null; actor: StoreChange["actor"] } {
  const { credential } = call;
  if (needs === "local") {
    if (credential.kind !== "local") throw unauthenticated(credential.kind);
    return { caller: null, actor: { type: "system", id: "local", displayName: "AppSeats" } };
  }
  if (needs === "vendor") {
    if (credential.kind !== "vendor") throw unauthenticated(credential.kind);
    return { caller: null, actor: { type: "vendor", id: credential.id, displayName: credential.name } };
  }
  if (needs === "provisioning") {
    const token = credential.kind === "provisioning" ? provisioningCaller(sql, credential.hash, call.now) : null;
    if (!token) throw unauthenticated("provisioning");
    return { caller: null, actor: { type: "provisioning", id: token.tokenId, displayName: "SCIM provisioning" } };
  }
  const caller =
    credential.kind === "session"
      ? sessionCaller(sql, credential.hash, call.now)
      : credential.kind === "entra"
        ? entraCaller(sql, credential.signIn, call.requestId, call.now)
        : null;
  if (!caller) throw unauthenticated(credential.kind);
  return { caller, actor: { type: "user", id: caller.user.id, displayName: caller.user.displayName } };
}

/** R10: an admin's roles must allow the operation's capability; otherwise 403 naming the roles that would. */
export function authorize(caller: StoreCaller | null, needs: Needs): void {
  if (caller && needs !== "signedIn" && !isCallerKind(needs) && !can(caller.roles, needs)) throw forbidden(needs);
}

const isCallerKind = (needs: Needs): needs is "provisioning" | "vendor" | "local" =>
  needs === "provisioning" || needs === "vendor" || needs === "local";

export const needsOf = (name: OperationName): Needs => operations[name].needs;
