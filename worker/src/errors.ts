/**
 * The one error type of AppSeats. The licensing rules throw it without knowing about HTTP;
 * the app's onError turns it into the error body of the API (docs/api.md) with the status of its code.
 */
import type { ErrorCode } from "@appseats/shared";

export class AppSeatsError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "AppSeatsError";
  }
}

export const notFound = (what: string, details?: Record<string, unknown>) =>
  new AppSeatsError("NotFound", `${what} was not found in your organisation.`, details);
