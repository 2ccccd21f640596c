/**
 * Limits both sides keep, with no zod in this module: the extension's pages import it through
 * `@appseats/shared/limits` without the schemas' library.
 */

/** How long a new provisioning token lives, in days (API.md, "Provisioning tokens expire"). */
export const provisioningTokenDays = { min: 1, max: 730, default: 365 } as const;

/** The options page tells a GlobalAdmin of a token this many days before it expires. */
export const provisioningTokenWarningDays = 30;
