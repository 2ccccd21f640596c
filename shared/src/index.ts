/** The AppSeats contract shared by the worker and the extension. */
export * from "./enums.ts";
export * from "./errors.ts";
export * from "./limits.ts";
export * from "./roles.ts";
export * from "./schemas.ts";
export * from "./seats.ts";
export * from "./status.ts";
export * from "./webhooks.ts";
