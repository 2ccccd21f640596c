/** Request validation with the shared zod schemas; a failure is 400 InvalidRequest listing each issue. */
import { zValidator } from "@hono/zod-validator";
import type { ValidationTargets } from "hono";
import type { z } from "zod";
import { AppSeatsError } from "../errors.js";

export function invalid(issues: z.core.$ZodIssue[], where: string): AppSeatsError {
  const listed = issues.map((issue) => ({ path: issue.path.map(String).join(".") || where, message: issue.message }));
  const first = listed[0];
  return new AppSeatsError(
    "InvalidRequest",
    first ? `The ${where} is not valid: ${first.path} ${first.message.replace(/^./, (ch) => ch.toLowerCase())}.` : `The ${where} is not valid.`,
    { issues: listed },
  );
}

const names: Partial<Record<keyof ValidationTargets, string>> = { json: "body", query: "query", param: "path" };

export const validate = <Target extends keyof ValidationTargets, Schema extends z.ZodType>(target: Target, schema: Schema) =>
  zValidator(target, schema, (result) => {
    if (!result.success) throw invalid(result.error.issues, names[target] ?? target);
  });
