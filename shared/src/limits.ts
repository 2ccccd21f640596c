/**
 * Limits both sides keep, with no zod in this module: the extension's pages import it through
 * `@appseats/shared/limits` without the schemas' library.
 */

/** Users and groups in one assign or unassign request, and user ids in one usage check (API.md). */
export const maxPrincipalsPerRequest = 500;

/** Names in one CSV import (the workbench): the popup sends them maxPrincipalsPerRequest at a time. */
export const maxImportRows = 5_000;

/** A request body's size: more is 413 PayloadTooLarge. */
export const maxBodyBytes = 1024 * 1024;

/** A size in bytes as people say it: 1 MiB, 512 KiB. */
export const sizeText = (bytes: number): string =>
  bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MiB` : bytes >= 1024 ? `${bytes / 1024} KiB` : `${bytes} bytes`;

/** How long a new provisioning token lives, in days (API.md, "Provisioning tokens expire"). */
export const provisioningTokenDays = { min: 1, max: 730, default: 365 } as const;

/** The options page tells a GlobalAdmin of a token this many days before it expires. */
export const provisioningTokenWarningDays = 30;

/** A vendor's webhook (API.md, "Vendor webhooks"): the longest URL, the most users one event names. */
export const webhookLimits = {
  maxUrlLength: 2048,
  maxUsersPerEvent: 1000,
  /** A 2xx within this long is delivered. */
  timeoutMs: 10_000,
  /** Failed deliveries are tried again for this long, then they are `failed`. */
  retryForMs: 24 * 60 * 60 * 1000,
  /** After a new secret, the previous one also signs for this long. */
  previousSecretMs: 24 * 60 * 60 * 1000,
} as const;
