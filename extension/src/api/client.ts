/**
 * The extension's client of the AppSeats v1 API, typed by the shared schemas. It throws
 * ApiError for an answer with the error shape, and Unreachable when no answer came at all.
 */
import type {
  AssignRequest,
  AssignResult,
  DevSignInResult,
  DirectorySearchResult,
  ErrorBody,
  InstallResult,
  LicenseDetail,
  LicenseList,
  LicenseUsers,
  Me,
  UnassignResult,
} from "@appseats/shared";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorBody["error"]["code"],
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export class Unreachable extends Error {
  constructor(readonly backendUrl: string) {
    super(`AppSeats at ${backendUrl} cannot be reached.`);
  }
}

export interface DemoAccount {
  userPrincipalName: string;
  displayName: string;
  tenant: string;
  roles: string[];
}

export class AppSeatsClient {
  constructor(
    readonly backendUrl: string,
    private readonly token?: string,
  ) {}

  private async request<T>(method: string, path: string, options: { body?: unknown; idempotencyKey?: string } = {}): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (options.body !== undefined) headers["content-type"] = "application/json";
    if (options.idempotencyKey) headers["idempotency-key"] = options.idempotencyKey;
    let response: Response;
    try {
      response = await fetch(new URL(path, this.backendUrl), {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
    } catch {
      throw new Unreachable(this.backendUrl);
    }
    const text = await response.text();
    const parsed = text ? (JSON.parse(text) as unknown) : undefined;
    if (!response.ok) {
      const error = (parsed as Partial<ErrorBody> | undefined)?.error;
      throw new ApiError(response.status, error?.code ?? "Internal", error?.message ?? response.statusText, error?.details);
    }
    return parsed as T;
  }

  me = () => this.request<Me>("GET", "/api/v1/me");
  licenses = () => this.request<LicenseList>("GET", "/api/v1/licenses");
  license = (id: string, q?: string) =>
    this.request<LicenseDetail>("GET", `/api/v1/licenses/${encodeURIComponent(id)}?limit=200${q ? `&q=${encodeURIComponent(q)}` : ""}`);
  holders = (id: string, q?: string) =>
    this.request<LicenseUsers>("GET", `/api/v1/licenses/${encodeURIComponent(id)}/users?limit=200${q ? `&q=${encodeURIComponent(q)}` : ""}`);
  search = (q: string, type: "user" | "group" | "all" = "all", limit = 10) =>
    this.request<DirectorySearchResult>("GET", `/api/v1/directory/search?q=${encodeURIComponent(q)}&type=${type}&limit=${limit}`);
  assign = (id: string, body: AssignRequest, idempotencyKey?: string) =>
    this.request<AssignResult>("POST", `/api/v1/licenses/${encodeURIComponent(id)}/assign`, { body, idempotencyKey });
  unassign = (id: string, body: AssignRequest, idempotencyKey?: string) =>
    this.request<UnassignResult>("POST", `/api/v1/licenses/${encodeURIComponent(id)}/unassign`, { body, idempotencyKey });
  install = (id: string) => this.request<InstallResult>("POST", `/api/v1/licenses/${encodeURIComponent(id)}/install`);
  demoAccounts = () => this.request<{ items: DemoAccount[] }>("GET", "/api/v1/dev/accounts");
  signIn = (userPrincipalName: string) => this.request<DevSignInResult>("POST", "/api/v1/dev/sign-in", { body: { userPrincipalName } });
}
