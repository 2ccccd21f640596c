/** Request validation with the shared zod schemas; a failure is 400 InvalidRequest listing each issue. */
import type { Context, ValidationTargets } from "hono";
import { validator } from "hono-openapi";
import type { z } from "zod";
import { AppSeatsError } from "../errors.js";
import type { AppEnv } from "./env.js";

interface Issue {
  message: string;
  path?: ReadonlyArray<PropertyKey | { key: PropertyKey }> | undefined;
}

export function invalid(issues: readonly Issue[], where: string): AppSeatsError {
  const listed = issues.map((issue) => ({
    path: (issue.path ?? []).map((segment) => String(typeof segment === "object" ? segment.key : segment)).join(".") || where,
    message: issue.message,
  }));
  const first = listed[0];
  return new AppSeatsError(
    "InvalidRequest",
    first
      ? `The ${where} is not valid: ${first.path} ${first.message.replace(/^./, (ch) => ch.toLowerCase())}.`
      : `The ${where} is not valid.`,
    { issues: listed },
  );
}

const names: Partial<Record<keyof ValidationTargets, string>> = { json: "body", query: "query", param: "path" };

/** Validates one part of the request with a shared schema; the schema also documents it in openapi.json. */
export const validate = <Target extends keyof ValidationTargets, Schema extends z.ZodType>(target: Target, schema: Schema) =>
  validator(target, schema, async (result, c) => {
    if (result.success) return;
    // The caller is told first if they may not make this request at all (401, 403), as before any reading of it.
    await (c as unknown as Context<AppEnv>).get("checkCaller")?.();
    throw invalid(result.error, names[target] ?? target);
  });
