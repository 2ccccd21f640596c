/** The AppSeats contract shared by the worker and the extension. */
export * from "./errors.js";
export * from "./roles.js";
export * from "./seats.js";
export * from "./schemas.js";
