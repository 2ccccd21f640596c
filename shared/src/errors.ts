/** The error codes of the API (docs/api.md), their HTTP statuses, and the one error body every non-2xx answer uses. */
import { z } from "zod";
import { type ErrorCode, errorCodes } from "./error-codes.ts";

export { type ErrorCode, errorCodes, errorStatus } from "./error-codes.ts";

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.enum(errorCodes as [ErrorCode, ...ErrorCode[]]),
      message: z.string(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .meta({ id: "ErrorBody" });
export type ErrorBody = z.infer<typeof ErrorBody>;
