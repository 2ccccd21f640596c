/**
 * Every request and response shape of the v1 API (docs/api.md), defined once.
 * The worker validates with these, the extension's client is typed by them,
 * and the OpenAPI document is generated from them.
 */
import { z } from "zod";
import { licenseStates, principalTypes, searchTypes } from "./enums.ts";
import { maxImportRows, maxPrincipalsPerRequest, provisioningTokenDays } from "./limits.ts";
import { Role } from "./roles.ts";
import { Seats, SubscriptionStatus } from "./seats.ts";

/**
 * C0 and C1 control characters and DEL (NUL among them): part of no name, id or search. Text from
 * outside that holds one is refused with 400 wherever it comes in (API.md, "Trust under real
 * sign-in"), before it reaches SQL, where it would be a bound parameter anyway.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const controlCharacters = /[\u0000-\u001f\u007f-\u009f]/;
export const hasControlCharacters = (text: string) => controlCharacters.test(text);
export const noControlCharacters = "must not contain control characters";

/** Text from outside: trimmed, at most `max` characters, no control character. */
export const plainText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `must be at most ${max} characters`)
    .refine((text) => !hasControlCharacters(text), noControlCharacters);

const Id = plainText(128).min(1, "must not be empty");
const Timestamp = z.iso.datetime();

// ---- Principals -------------------------------------------------------------------------

export const PrincipalType = z.enum(principalTypes);
export type PrincipalType = z.infer<typeof PrincipalType>;

export const Principal = z.strictObject({ type: PrincipalType, id: Id }).meta({ id: "Principal" });
export type Principal = z.infer<typeof Principal>;

export const PrincipalView = z
  .object({
    type: PrincipalType,
    id: z.string(),
    displayName: z.string(),
    userPrincipalName: z.string().optional(),
    mail: z.string().optional(),
    memberCount: z.int().nonnegative().optional(),
  })
  .meta({ id: "PrincipalView" });
export type PrincipalView = z.infer<typeof PrincipalView>;

const GroupRef = z.object({ id: z.string(), displayName: z.string() }).meta({ id: "GroupRef" });
export type GroupRef = z.infer<typeof GroupRef>;

/** A user as lists show one: accountEnabled false flags a seat to reclaim (R15). */
const UserRef = z
  .object({ id: z.string(), displayName: z.string(), userPrincipalName: z.string(), accountEnabled: z.boolean() })
  .meta({ id: "UserRef" });

const Actor = z.object({ id: z.string(), displayName: z.string() });

// ---- Lists --------------------------------------------------------------------------------

export const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(512).optional(),
});

const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

// ---- Me -------------------------------------------------------------------------------------

export const Me = z
  .object({
    user: z.object({ id: z.string(), displayName: z.string(), userPrincipalName: z.string() }),
    tenant: z.object({ id: z.string(), displayName: z.string(), domains: z.array(z.string()) }),
    roles: z.array(Role),
    can: z.object({ read: z.boolean(), assign: z.boolean(), install: z.boolean() }),
  })
  .meta({ id: "Me" });
export type Me = z.infer<typeof Me>;

// ---- Licenses -------------------------------------------------------------------------------

export const AppRef = z
  .object({ id: z.string(), name: z.string(), publisher: z.string(), iconUrl: z.string().optional() })
  .meta({ id: "AppRef" });
export type AppRef = z.infer<typeof AppRef>;

export const LicenseSummary = z
  .object({
    id: z.string(),
    app: AppRef,
    plan: z.string(),
    status: SubscriptionStatus,
    seats: Seats,
    installed: z.boolean(),
    vendor: z.object({ name: z.string(), contactUrl: z.string().optional(), contactEmail: z.string().optional() }),
    renewsAt: Timestamp.optional(),
  })
  .meta({ id: "LicenseSummary" });
export type LicenseSummary = z.infer<typeof LicenseSummary>;

export const LicenseList = z.object({ items: z.array(LicenseSummary), generatedAt: Timestamp }).meta({ id: "LicenseList" });
export type LicenseList = z.infer<typeof LicenseList>;

export const AssignmentView = z
  .object({ principal: PrincipalView, assignedAt: Timestamp, assignedBy: Actor })
  .meta({ id: "AssignmentView" });
export type AssignmentView = z.infer<typeof AssignmentView>;

export const LicenseDetailQuery = ListQuery.extend({ q: plainText(200).optional() });
export const LicenseDetail = LicenseSummary.extend({ assignments: page(AssignmentView) }).meta({
  id: "LicenseDetail",
});
export type LicenseDetail = z.infer<typeof LicenseDetail>;

export const LicenseState = z.enum(licenseStates);
export type LicenseState = z.infer<typeof LicenseState>;

export const LicenseUsersQuery = ListQuery.extend({
  state: LicenseState.optional(),
  q: plainText(200).optional(),
});
export const LicensedUser = z
  .object({
    user: UserRef,
    state: LicenseState,
    direct: z.boolean(),
    viaGroups: z.array(GroupRef),
    since: Timestamp,
  })
  .meta({ id: "LicensedUser" });
export type LicensedUser = z.infer<typeof LicensedUser>;
export const LicenseUsers = page(LicensedUser).meta({ id: "LicenseUsers" });
export type LicenseUsers = z.infer<typeof LicenseUsers>;

// ---- Assign and unassign --------------------------------------------------------------------

export const AssignRequest = z
  .strictObject({
    principals: z.array(Principal).min(1).max(maxPrincipalsPerRequest),
    dryRun: z.boolean().optional(),
  })
  .meta({ id: "AssignRequest" });
export type AssignRequest = z.infer<typeof AssignRequest>;
export const UnassignRequest = AssignRequest.meta({ id: "UnassignRequest" });
export type UnassignRequest = AssignRequest;

export const AssignResult = z
  .object({
    assigned: z.array(PrincipalView),
    alreadyAssigned: z.array(PrincipalView),
    newlyLicensedUsers: z.int().nonnegative(),
    newlyWaitingUsers: z.int().nonnegative(),
    seats: Seats,
    dryRun: z.boolean(),
  })
  .meta({ id: "AssignResult" });
export type AssignResult = z.infer<typeof AssignResult>;

export const UnassignResult = z
  .object({
    unassigned: z.array(PrincipalView),
    notAssigned: z.array(PrincipalView),
    stillLicensed: z.array(z.object({ userId: z.string(), viaGroups: z.array(GroupRef) })),
    releasedSeats: z.int().nonnegative(),
    filledFromWaiting: z.int().nonnegative(),
    seats: Seats,
    dryRun: z.boolean(),
  })
  .meta({ id: "UnassignResult" });
export type UnassignResult = z.infer<typeof UnassignResult>;

export const InstallResult = z.object({ installId: z.string(), redirectUrl: z.url() }).meta({ id: "InstallResult" });
export type InstallResult = z.infer<typeof InstallResult>;

// ---- Directory ------------------------------------------------------------------------------

export const DirectorySearchQuery = z.object({
  q: plainText(200).min(1, "type at least one character"),
  type: z.enum(searchTypes).default("all"),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});
export const Match = z.enum(["exact", "prefix", "contains"]);
export type Match = z.infer<typeof Match>;
export const DirectoryMatch = PrincipalView.extend({ match: Match }).meta({ id: "DirectoryMatch" });
export type DirectoryMatch = z.infer<typeof DirectoryMatch>;
export const DirectorySearchResult = page(DirectoryMatch).meta({ id: "DirectorySearchResult" });
export type DirectorySearchResult = z.infer<typeof DirectorySearchResult>;

export const UserLicenses = z
  .object({
    user: UserRef,
    items: z.array(
      z.object({
        license: z.object({ id: z.string(), app: AppRef, plan: z.string() }),
        state: LicenseState,
        direct: z.boolean(),
        viaGroups: z.array(GroupRef),
      }),
    ),
  })
  .meta({ id: "UserLicenses" });
export type UserLicenses = z.infer<typeof UserLicenses>;

// ---- CSV import (beyond the design's API.md: the workbench's import of many names) ---------

/** The names of a CSV import, in its rows' order: user principal names or e-mail addresses. */
export const ImportPreviewRequest = z
  .strictObject({ names: z.array(plainText(320)).min(1).max(maxImportRows) })
  .meta({ id: "ImportPreviewRequest" });
export type ImportPreviewRequest = z.infer<typeof ImportPreviewRequest>;

/**
 * What assigning would do to each row: `assign` (a seat, or a place in the queue when seats run
 * out), `alreadyLicensed` (holds a seat or waits already), `unknown` (no such user in the
 * tenant), `duplicate` (the same user as an earlier row), `blank`.
 */
export const ImportOutcome = z.enum(["assign", "alreadyLicensed", "unknown", "duplicate", "blank"]);
export type ImportOutcome = z.infer<typeof ImportOutcome>;

export const ImportPreview = z
  .object({
    rows: z.array(
      z.object({
        row: z.int().nonnegative(),
        name: z.string(),
        outcome: ImportOutcome,
        user: UserRef.optional(),
        state: LicenseState.optional(),
      }),
    ),
    counts: z.record(ImportOutcome, z.int().nonnegative()),
    seats: Seats,
    /** Whether the seats available cover every row to assign (the rest would wait, R4). */
    enough: z.boolean(),
  })
  .meta({ id: "ImportPreview" });
export type ImportPreview = z.infer<typeof ImportPreview>;

// ---- Reclaiming seats (beyond the design's API.md: the workbench's list of likely wasted seats)

/** Why a seat is likely wasted: the account is disabled (R15), or its vendor has not asked about the user lately, or never. */
export const ReclaimReason = z.enum(["disabled", "notAskedLately", "neverAsked"]);
export type ReclaimReason = z.infer<typeof ReclaimReason>;

/** A vendor not asking about a user for this long suggests the seat is not used. */
export const idleDays = 30;

export const ReclaimCandidate = LicensedUser.extend({ reason: ReclaimReason, lastAskedAt: Timestamp.nullable() }).meta({
  id: "ReclaimCandidate",
});
export type ReclaimCandidate = z.infer<typeof ReclaimCandidate>;
export const ReclaimList = page(ReclaimCandidate).meta({ id: "ReclaimList" });
export type ReclaimList = z.infer<typeof ReclaimList>;

// ---- Audit ----------------------------------------------------------------------------------

export const auditActions = [
  "license.assign",
  "license.unassign",
  "license.install",
  "license.install.complete",
  "subscription.update",
  "license.fill",
  "directory.member.add",
  "directory.member.remove",
  "directory.user.update",
  "directory.user.delete",
  "directory.user.create",
  "directory.user.link",
  "directory.group.create",
  "directory.group.update",
  "directory.group.delete",
  "tenant.onboard",
  "tenant.domain.add",
  "provisioning.token.create",
  "provisioning.token.revoke",
  "subscription.create",
  "tenant.create",
] as const;
export const AuditAction = z.enum(auditActions);
export type AuditAction = z.infer<typeof AuditAction>;

export const AuditQuery = ListQuery.extend({ licenseId: Id.optional() });
export const AuditEvent = z
  .object({
    id: z.string(),
    at: Timestamp,
    /** Who made the change: an admin, a vendor, the directory's provisioning, or AppSeats itself (R5's refills). */
    actor: Actor.extend({ type: z.enum(["user", "vendor", "system", "provisioning"]) }),
    action: AuditAction,
    licenseId: z.string().optional(),
    principals: z.array(z.object({ type: PrincipalType, id: z.string() })).optional(),
    summary: z.string(),
    requestId: z.string(),
  })
  .meta({ id: "AuditEvent" });
export type AuditEvent = z.infer<typeof AuditEvent>;
export const AuditPage = page(AuditEvent).meta({ id: "AuditPage" });
export type AuditPage = z.infer<typeof AuditPage>;

export const exportCsvHeader = ["userPrincipalName", "displayName", "state", "direct", "viaGroups", "since"] as const;

// ---- Directory changes (beyond the design's API.md: what a directory sync would call) ------

export const MemberChangeRequest = z
  .strictObject({ userIds: z.array(Id).min(1).max(maxPrincipalsPerRequest) })
  .meta({ id: "MemberChangeRequest" });
export type MemberChangeRequest = z.infer<typeof MemberChangeRequest>;

export const UserUpdateRequest = z.strictObject({ accountEnabled: z.boolean() }).meta({ id: "UserUpdateRequest" });
export type UserUpdateRequest = z.infer<typeof UserUpdateRequest>;

export const DirectoryChangeResult = z
  .object({ changed: z.int().nonnegative(), releasedSeats: z.int().nonnegative(), filledFromWaiting: z.int().nonnegative() })
  .meta({ id: "DirectoryChangeResult" });
export type DirectoryChangeResult = z.infer<typeof DirectoryChangeResult>;

// ---- Vendor API -----------------------------------------------------------------------------

export const SubscriptionUpdate = z
  .strictObject({
    quantity: z.int().min(0).max(10_000_000).optional(),
    status: SubscriptionStatus.optional(),
    /** The next renewal, or null when the subscription does not renew (a vendor renews it, or ends its term). */
    renewsAt: Timestamp.nullable().optional(),
  })
  .refine((body) => body.quantity !== undefined || body.status !== undefined || body.renewsAt !== undefined, {
    message: "give quantity, status, renewsAt or several",
  })
  .meta({ id: "SubscriptionUpdate" });
export type SubscriptionUpdate = z.infer<typeof SubscriptionUpdate>;

export const VendorSubscription = z
  .object({
    id: z.string(),
    tenantId: z.string(),
    appId: z.string(),
    status: SubscriptionStatus,
    seats: Seats,
    renewsAt: Timestamp.nullable(),
  })
  .meta({ id: "VendorSubscription" });
export type VendorSubscription = z.infer<typeof VendorSubscription>;

/** A purchase (API.md, "Catalog and purchases"): the organisation by its Entra tenant id or one of its domains. */
export const Purchase = z
  .strictObject({
    tenant: z.union([
      z.strictObject({ entraTenantId: z.uuid("must be an Entra tenant id (a GUID)") }),
      z.strictObject({
        domain: z
          .string()
          .trim()
          .toLowerCase()
          .max(253)
          .regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "must be a domain name"),
      }),
    ]),
    appId: Id,
    plan: plainText(100).min(1),
    quantity: z.int().min(0).max(10_000_000),
    status: SubscriptionStatus.optional(),
    renewsAt: Timestamp.optional(),
  })
  .meta({ id: "Purchase" });
export type Purchase = z.infer<typeof Purchase>;

export const PurchasedSubscription = z
  .object({ id: z.string(), tenantId: z.string(), appId: z.string(), plan: z.string(), status: SubscriptionStatus, seats: Seats })
  .meta({ id: "PurchasedSubscription" });
export type PurchasedSubscription = z.infer<typeof PurchasedSubscription>;

export const VendorSubscriptionsPage = page(PurchasedSubscription.extend({ renewsAt: Timestamp.nullable() })).meta({
  id: "VendorSubscriptionsPage",
});
export type VendorSubscriptionsPage = z.infer<typeof VendorSubscriptionsPage>;

export const UsageRightsQuery = z.object({ user: plainText(320).min(1, "name a user") });
export const UsageRights = z
  .object({ userId: z.string(), state: z.enum(["active", "warning", "suspended", "inactive"]) })
  .meta({ id: "UsageRights" });
export type UsageRights = z.infer<typeof UsageRights>;

export const InstallComplete = z.object({ installed: z.literal(true) }).meta({ id: "InstallComplete" });

// ---- Sign-in --------------------------------------------------------------------------------

/** How the extension may sign in: with Microsoft Entra ID (when configured) and/or locally. */
export const AuthConfig = z
  .object({
    entra: z.object({ authority: z.string(), clientId: z.string(), scopes: z.array(z.string()) }).nullable(),
    devSignIn: z.boolean(),
  })
  .meta({ id: "AuthConfig" });
export type AuthConfig = z.infer<typeof AuthConfig>;

// ---- Directory sync (SCIM provisioning tokens) ------------------------------------------------

export const ProvisioningTokenRequest = z
  .strictObject({
    expiresInDays: z.int().min(provisioningTokenDays.min).max(provisioningTokenDays.max).default(provisioningTokenDays.default),
  })
  .meta({ id: "ProvisioningTokenRequest" });
export type ProvisioningTokenRequest = z.infer<typeof ProvisioningTokenRequest>;

/** A provisioning token as listed: never the token itself, which is shown once, when created. */
export const ProvisioningToken = z
  .object({ id: z.string(), createdAt: Timestamp, expiresAt: Timestamp, lastUsedAt: Timestamp.nullable() })
  .meta({ id: "ProvisioningToken" });
export type ProvisioningToken = z.infer<typeof ProvisioningToken>;

export const ProvisioningTokenCreated = z
  .object({ id: z.string(), token: z.string(), createdAt: Timestamp, expiresAt: Timestamp, scimBaseUrl: z.url() })
  .meta({ id: "ProvisioningTokenCreated" });
export type ProvisioningTokenCreated = z.infer<typeof ProvisioningTokenCreated>;

export const ProvisioningTokenList = page(ProvisioningToken).extend({ scimBaseUrl: z.url() }).meta({ id: "ProvisioningTokenList" });
export type ProvisioningTokenList = z.infer<typeof ProvisioningTokenList>;

/** The delegated permission an Entra ID access token for AppSeats carries in `scp`. */
export const entraScope = "access_as_user";

export const IdParam = z.object({ id: Id });
