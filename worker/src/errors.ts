/**
 * The one error type of AppSeats. The licensing rules throw it without knowing about HTTP;
 * the app's onError turns it into the error body of the API (docs/api.md) with the status of its code.
 * Its details are those the shared contract gives its code (ErrorDetailsByCode).
 */
import type { ErrorCode, ErrorDetails } from "@appseats/shared";

export class AppSeatsError<C extends ErrorCode = ErrorCode> extends Error {
  readonly details: ErrorDetails<C> | undefined;
  constructor(
    readonly code: C,
    message: string,
    ...details: ErrorDetails<C> extends undefined ? [] : [details?: ErrorDetails<C>]
  ) {
    super(message);
    this.name = "AppSeatsError";
    this.details = details[0] as ErrorDetails<C> | undefined;
  }
}

export const notFound = (what: string, details?: ErrorDetails<"NotFound">) =>
  new AppSeatsError("NotFound", `${what} was not found in your organisation.`, details);

/** Whether something thrown is AppSeats's own refusal (of any code: `instanceof` alone would leave its code untyped). */
export const isAppSeatsError = (error: unknown): error is AppSeatsError => error instanceof AppSeatsError;
