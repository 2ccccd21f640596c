/**
 * The extension's client of the AppSeats v1 API, typed by the worker's own routes (Hono's `hc`):
 * paths, parameters, bodies and answers come from the route definitions, with no string paths
 * or casts here. It throws ApiError for an answer with the error shape, and Unreachable when no
 * answer came at all.
 */
import type { AssignRequest, ErrorBody, SearchType, UnassignRequest } from "@appseats/shared";
import { type ClientResponse, hc } from "hono/client";
import type { AppType } from "../../../worker/src/local.js";
import { base64Of } from "../core/icons.js";

/** A refusal of the API: its status and its error body (code, message, and the details of that code). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: ErrorBody["error"],
  ) {
    super(error.message);
  }

  get code(): ErrorBody["error"]["code"] {
    return this.error.code;
  }
}

export class Unreachable extends Error {
  constructor(readonly backendUrl: string) {
    super(`AppSeats at ${backendUrl} cannot be reached.`);
  }
}

/** Lists ask for the largest page the API gives. */
const page = { limit: "200" };

/** An answer with the error shape as ApiError; one without it (a proxy's page) as Internal, with its status text. */
async function refusal(response: Response | ClientResponse<unknown>): Promise<ApiError> {
  const error = ((await response.json().catch(() => undefined)) as Partial<ErrorBody> | undefined)?.error;
  return new ApiError(response.status, error?.code ? error : { code: "Internal", message: response.statusText });
}

const withKey = (idempotencyKey: string | undefined) => (idempotencyKey ? { headers: { "idempotency-key": idempotencyKey } } : undefined);

export class AppSeatsClient {
  readonly #api;

  constructor(
    readonly backendUrl: string,
    token?: string,
  ) {
    this.#api = hc<AppType>(backendUrl, { headers: token ? { authorization: `Bearer ${token}` } : {} }).api.v1;
  }

  /** The answer, whatever its status; Unreachable when the request got none. */
  async #send<R extends Response | ClientResponse<unknown>>(request: () => Promise<R>): Promise<R> {
    try {
      return await request();
    } catch {
      throw new Unreachable(this.backendUrl);
    }
  }

  /** The answer's JSON, or ApiError with the error body's code; Unreachable when the request got no answer. */
  async #answer<T>(request: () => Promise<ClientResponse<T>>): Promise<T> {
    const response = await this.#send(request);
    if (response.status === 204) return undefined as T;
    if (response.ok) return response.json() as Promise<T>;
    throw await refusal(response);
  }

  me = () => this.#answer(() => this.#api.me.$get());
  licenses = () => this.#answer(() => this.#api.licenses.$get());
  license = (id: string, q?: string) => this.#answer(() => this.#api.licenses[":id"].$get({ param: { id }, query: { ...page, q } }));
  holders = (id: string, q?: string) => this.#answer(() => this.#api.licenses[":id"].users.$get({ param: { id }, query: { ...page, q } }));
  search = (q: string, type: SearchType = "all", limit = 10) =>
    this.#answer(() => this.#api.directory.search.$get({ query: { q, type, limit: String(limit) } }));
  assign = (id: string, body: AssignRequest, idempotencyKey?: string) =>
    this.#answer(() => this.#api.licenses[":id"].assign.$post({ param: { id }, json: body }, withKey(idempotencyKey)));
  unassign = (id: string, body: UnassignRequest, idempotencyKey?: string) =>
    this.#answer(() => this.#api.licenses[":id"].unassign.$post({ param: { id }, json: body }, withKey(idempotencyKey)));
  userLicenses = (userId: string) => this.#answer(() => this.#api.users[":id"].licenses.$get({ param: { id: userId } }));
  importPreview = (licenseId: string, names: string[]) =>
    this.#answer(() => this.#api.licenses[":id"].import.preview.$post({ param: { id: licenseId }, json: { names } }));
  /** The license's holders as CSV (the worker's export.csv), as text. */
  exportCsv = async (licenseId: string): Promise<string> => {
    const response = await this.#send(() => this.#api.licenses[":id"]["export.csv"].$get({ param: { id: licenseId } }));
    if (!response.ok) throw await refusal(response);
    return response.text();
  };
  reclaim = (licenseId: string) => this.#answer(() => this.#api.licenses[":id"].reclaim.$get({ param: { id: licenseId }, query: page }));
  history = (licenseId: string, cursor?: string) =>
    this.#answer(() => this.#api.audit.$get({ query: { licenseId, limit: "20", ...(cursor ? { cursor } : {}) } }));
  install = (id: string) => this.#answer(() => this.#api.licenses[":id"].install.$post({ param: { id } }));
  demoAccounts = () => this.#answer(() => this.#api.dev.accounts.$get());
  authConfig = () => this.#answer(() => this.#api.auth.config.$get());
  signOut = () => this.#answer(() => this.#api.session.$delete());
  provisioningTokens = () => this.#answer(() => this.#api.provisioning.tokens.$get());
  createProvisioningToken = (expiresInDays?: number) =>
    this.#answer(() => this.#api.provisioning.tokens.$post({ json: expiresInDays === undefined ? {} : { expiresInDays } }));
  revokeProvisioningToken = (id: string) => this.#answer(() => this.#api.provisioning.tokens[":id"].$delete({ param: { id } }));
  /** An app's icon as a data: URL, served by the worker (core/icons.ts); null when it has none to give. */
  icon = async (appId: string): Promise<string | null> => {
    const response = await this.#send(() => this.#api.apps[":id"].icon.$get({ param: { id: appId } }));
    const type = response.headers.get("content-type") ?? "";
    if (!response.ok || !type.startsWith("image/")) return null;
    return `data:${type};base64,${base64Of(new Uint8Array(await response.arrayBuffer()))}`;
  };
  signIn = (userPrincipalName: string) => this.#answer(() => this.#api.dev["sign-in"].$post({ json: { userPrincipalName } }));
}

export type DemoAccount = Awaited<ReturnType<AppSeatsClient["demoAccounts"]>>["items"][number];
