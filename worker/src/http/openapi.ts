/**
 * The OpenAPI 3.1 document, generated from the routes themselves (hono-openapi walks the app):
 * - each route states its summary, its answer and the refusals of its own logic next to its
 *   handler (`documented`);
 * - each middleware states what it adds to every route it runs on (`documents`): a credential,
 *   a header, the errors it may answer;
 * - the validators add the parameters and the body, from the shared zod schemas.
 * A worker test fails on any route the app serves that the document lacks, and the reverse.
 */
import { ErrorBody, type ErrorCode, errorStatus } from "@appseats/shared";
import type { Context, Hono, MiddlewareHandler } from "hono";
import type { RouterRoute } from "hono/types";
import { type DescribeRouteOptions, describeRoute, generateSpecs, resolver, uniqueSymbol } from "hono-openapi";
import type { z } from "zod";
import type { AppEnv } from "./env.js";

/** Operation fields that name error codes; merged across the middlewares of a route, then turned into responses. */
const errorsKey = "x-appseats-errors";

export interface RouteDoc {
  summary: string;
  /** The successful answer: a shared schema sent as JSON, text of another media type, or none (204). */
  answer: z.ZodType | { mediaType: string } | "none";
  /** 200 unless said (204 with no answer). */
  status?: 200 | 201 | 202;
  /** What the route's own logic may refuse with; what its middlewares answer, they document themselves. */
  errors?: ErrorCode[];
  /** Called without a credential. */
  open?: boolean;
  /** Served only where the local sign-in is on (DEV_SIGN_IN), and documented only there. */
  devOnly?: boolean;
}

const capitalised = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

/** `getApiV1LicensesByIdUsers` for GET /api/v1/licenses/:id/users. */
const operationIdOf = (route: RouterRoute) =>
  route.method.toLowerCase() +
  route.path
    .split(/[/.-]/)
    .filter(Boolean)
    .map((segment) => (segment.startsWith(":") ? `By${capitalised(segment.slice(1))}` : capitalised(segment)))
    .join("");

/** A route's own part of the document, as a middleware placed before its validators and handler. */
export const documented = (doc: RouteDoc) =>
  describeRoute({
    // A function, so that it is computed for this route: the middlewares' parts would name theirs.
    operationId: operationIdOf,
    summary: doc.summary,
    responses:
      doc.answer === "none"
        ? { [doc.status ?? 204]: { description: doc.status === 202 ? "Accepted; it follows" : "Done; nothing to answer" } }
        : {
            [doc.status ?? 200]: {
              description: "OK",
              content:
                "mediaType" in doc.answer
                  ? { [doc.answer.mediaType]: { schema: { type: "string" } } }
                  : { "application/json": { schema: resolver(doc.answer) } },
            },
          },
    [errorsKey]: doc.errors ?? [],
    ...(doc.open ? { security: [] } : {}),
    ...(doc.devOnly ? { tags: ["dev-only"], hide: ({ c }: { c?: Context }) => !devRoutesServed(c?.env as Env | undefined) } : {}),
  } as DescribeRouteOptions);

export const devRoutesServed = (env: Env | undefined) => env?.DEV_SIGN_IN === "true";

/** What a middleware adds to the document of every route it runs on. */
export interface MiddlewareDoc {
  errors: ErrorCode[];
  security?: Record<string, string[]>[];
  parameters?: DescribeRouteOptions["parameters"];
}

/**
 * Marks a middleware with its part of the document. Registered with `use`, it applies to every
 * route under its path registered after it; placed in a route's chain, to that route.
 */
export function documents<M extends MiddlewareHandler>(middleware: M, doc: MiddlewareDoc): M {
  const spec = {
    [errorsKey]: doc.errors,
    ...(doc.security ? { security: doc.security } : {}),
    ...(doc.parameters ? { parameters: doc.parameters } : {}),
  };
  return Object.assign(middleware, { [uniqueSymbol]: { spec } });
}

/** Errors of the app-wide body guards (guards.ts), which read a body only where a method carries one. */
export interface DocumentOptions {
  bodyErrors: ErrorCode[];
}

const bodyMethods = new Set(["post", "put", "patch", "delete"]);

interface Operation {
  [errorsKey]?: ErrorCode[];
  security?: Record<string, string[]>[];
  parameters?: { in: string }[];
  requestBody?: unknown;
  responses?: Record<string, unknown>;
}

/** Turns the error codes every part of a route named into responses, one per status, each listing its codes. */
function withErrorResponses(method: string, operation: Operation, options: DocumentOptions) {
  const { [errorsKey]: named = [], ...rest } = operation;
  const validated = operation.requestBody !== undefined || (operation.parameters ?? []).some((p) => p.in === "path" || p.in === "query");
  const codes = new Set<ErrorCode>([
    ...named,
    ...(validated ? (["InvalidRequest"] as const) : []),
    ...(bodyMethods.has(method) ? options.bodyErrors : []),
    "Internal",
  ]);
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(errorStatus[code], [...(byStatus.get(errorStatus[code]) ?? []), code]);
  const errorSchema = { $ref: "#/components/schemas/ErrorBody" };
  const responses = { ...rest.responses };
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[String(status)] = { description: list.sort().join(", "), content: { "application/json": { schema: errorSchema } } };
  }
  // A middleware registered for a sub-app's root and its paths adds its credential twice.
  const security = rest.security && [...new Map(rest.security.map((scheme) => [JSON.stringify(scheme), scheme])).values()];
  return { ...rest, ...(security ? { security } : {}), responses };
}

/** Each app's documents (the local entry and the production one differ), with and without dev-only routes. */
const cache = new WeakMap<Hono<AppEnv>, Map<boolean, object>>();

/** The document of `app` as served to this request: dev-only routes appear only where they are served. */
export async function openApiDocument(app: Hono<AppEnv>, c: Context<AppEnv>, options: DocumentOptions): Promise<object> {
  const dev = devRoutesServed(c.env);
  const documents = cache.get(app) ?? new Map<boolean, object>();
  cache.set(app, documents);
  const known = documents.get(dev);
  if (known) return known;
  const generated = await generateSpecs(
    app,
    {
      documentation: {
        info: { title: "AppSeats API", version: "1.0.0", description: "Licenses of third-party apps across an organisation's directory." },
        servers: [{ url: "/" }],
        components: {
          securitySchemes: {
            adminToken: {
              type: "http",
              scheme: "bearer",
              description: "A tenant admin's Microsoft Entra ID access token or local session token",
            },
            vendorKey: { type: "http", scheme: "bearer", description: "A vendor's API key" },
            provisioningToken: { type: "http", scheme: "bearer", description: "A tenant's provisioning token, for SCIM 2.0 at /scim/v2" },
          },
          // The error body's own definition (its schema alone is a reference to it, by its id).
          schemas: (await resolver(ErrorBody).toOpenAPISchema()).components?.schemas ?? {},
        },
      },
      defaultValidationErrorResponse: false,
      // openapi.json and export.csv are routes, not static files.
      excludeStaticFile: false,
    },
    c,
  );
  // The generated operations share objects with the route definitions: change a copy (without their functions).
  const doc = JSON.parse(JSON.stringify(generated)) as unknown as { paths: Record<string, Record<string, Operation | undefined>> };
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      if (operation) operations[method] = withErrorResponses(method, operation, options);
      else delete operations[method];
    }
    if (Object.keys(operations).length === 0) delete doc.paths[path];
  }
  documents.set(dev, doc);
  return doc;
}
