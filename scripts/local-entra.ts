// A local stand-in for Microsoft Entra ID, for `npm start` and the tests: a real OpenID
// provider (oidc-provider) on 127.0.0.1 that signs in the demo accounts of DEMO.md and issues
// access tokens shaped as Entra ID's v2 tokens for a multi-tenant app: RS256, `iss`
// `<authority>/<tid>/v2.0` of the account's own tenant, `aud` `api://<client id>`, `scp`
// `access_as_user`, `tid`, a stable `oid`, `wids` of the account's role, `preferred_username`,
// `name`. It answers at Entra ID's own paths (`/organizations/oauth2/v2.0/authorize` and
// `/token`, the keys at `/common/discovery/v2.0/keys`), so the extension has one code path for
// both. Authorization code flow with PKCE, and refresh tokens. Local runs and tests only.
import { createHash, generateKeyPairSync } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { importJWK, type JWK, SignJWT } from "jose";
import Provider, { type Configuration } from "oidc-provider";
import { type DemoUser, demoTenants } from "../worker/seed/demo.ts";

/** The AppSeats app registration the local provider stands in for. */
export const localClientId = "5eeded00-0000-4000-8000-00000000a55e";

const roleIds: Record<string, string> = {
  GlobalAdmin: "62e90394-69f5-4237-9190-012177145e10",
  LicenseAdmin: "4d6ac14f-3453-41d0-bef9-a3e0c569773a",
  UserAdmin: "fe930be7-5e62-47db-91af-98c3a49a38b1",
  BillingAdmin: "b0f54661-2d74-4c50-afa3-1ec803f12efe",
  GlobalReader: "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
};

interface Account extends DemoUser {
  tenant: string;
  tid: string;
  oid: string;
}

/** A stable object id per account, shaped as Entra ID's (a GUID). */
const objectIdOf = (tid: string, upn: string) => {
  const hex = createHash("sha256").update(`${tid}/${upn.toLowerCase()}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
};

export const localAccounts: Account[] = demoTenants.flatMap((tenant) =>
  tenant.users
    .filter((user) => !user.disabled)
    .map((user) => ({ ...user, tenant: tenant.name, tid: tenant.entraTenantId, oid: objectIdOf(tenant.entraTenantId, user.upn) })),
);
/** What an Entra ID v2 access token for AppSeats says of its user (the times are the token's own). */
const accessTokenClaims = (authority: string, account: Account) => ({
  iss: `${authority}/${account.tid}/v2.0`,
  aud: `api://${localClientId}`,
  azp: localClientId,
  tid: account.tid,
  oid: account.oid,
  sub: account.oid,
  ver: "2.0",
  scp: "access_as_user",
  wids: account.role ? [roleIds[account.role]!] : [],
  preferred_username: account.upn,
  name: account.name,
});

const accountOf = (upn: string) => localAccounts.find((account) => account.upn.toLowerCase() === upn.trim().toLowerCase());

export interface LocalEntra {
  authority: string;
  clientId: string;
  /**
   * An access token for a demo account signed with the provider's own key, as a sign-in would give
   * it, with any claims changed: for tests of tokens no sign-in gives (expired, another issuer).
   */
  tokenFor(upn: string, changes?: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

/** Starts the provider on 127.0.0.1:port. */
export async function startLocalEntra({ port = 8788 }: { port?: number } = {}): Promise<LocalEntra> {
  const authority = `http://127.0.0.1:${port}`;
  const resource = `api://${localClientId}`;
  const apiScope = `${resource}/access_as_user`;
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const signingKey = { ...privateKey.export({ format: "jwk" }), kid: `local-${Date.now().toString(36)}`, alg: "RS256", use: "sig" };

  const configuration: Configuration = {
    clients: [
      {
        client_id: localClientId,
        token_endpoint_auth_method: "none",
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        // Any extension's redirect address is let in (see redirectUriAllowed below).
        redirect_uris: ["https://appseats.chromiumapp.org/"],
      },
    ],
    jwks: { keys: [signingKey] },
    routes: {
      authorization: "/organizations/oauth2/v2.0/authorize",
      token: "/organizations/oauth2/v2.0/token",
      jwks: "/common/discovery/v2.0/keys",
      userinfo: "/oidc/userinfo",
      end_session: "/organizations/oauth2/v2.0/logout",
    },
    scopes: ["openid", "profile", "offline_access", apiScope],
    claims: { openid: ["sub"], profile: ["name", "preferred_username", "tid", "oid"] },
    pkce: { required: () => true },
    // The extension redeems the code from its own origin (chrome-extension://…); it is let in.
    clientBasedCORS: () => true,
    // Entra ID gives a refresh token with offline_access and asks no consent for it; so does this.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed("refresh_token"),
    findAccount: async (_ctx, id) => {
      const account = accountOf(id);
      if (!account) return undefined;
      return {
        accountId: account.upn,
        claims: async () => ({ sub: account.oid, name: account.name, preferred_username: account.upn, tid: account.tid, oid: account.oid }),
      };
    },
    features: {
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => resource,
        useGrantedResource: async () => true,
        getResourceServerInfo: async () => ({
          scope: apiScope,
          audience: resource,
          accessTokenFormat: "jwt",
          accessTokenTTL: 60 * 60,
          jwt: { sign: { alg: "RS256" } },
        }),
      },
    },
    formats: {
      customizers: {
        // The access token as Entra ID shapes it for a user of the account's own tenant.
        jwt: async (_ctx, token, jwt) => {
          const accountId = "accountId" in token ? String(token.accountId) : "";
          const account = accountOf(accountId);
          if (!account) throw new Error(`no local account ${accountId}`);
          const { scope: _scope, client_id: _clientId, ...claims } = jwt.payload;
          jwt.payload = { ...claims, ...accessTokenClaims(authority, account) };
        },
      },
    },
    ttl: {
      AccessToken: 60 * 60,
      AuthorizationCode: 60,
      IdToken: 60 * 60,
      RefreshToken: 14 * 24 * 60 * 60,
      Interaction: 60 * 60,
      Session: 24 * 60 * 60,
      Grant: 14 * 24 * 60 * 60,
    },
    cookies: { keys: [createHash("sha256").update(signingKey.kid).digest("hex")] },
    interactions: { url: async (_ctx, interaction) => `/interaction/${interaction.uid}` },
    renderError: async (ctx, out) => {
      ctx.type = "html";
      ctx.body = page("Sign-in failed", `<p>${escapeHtml(String(out.error))}: ${escapeHtml(String(out.error_description ?? ""))}</p>`);
    },
  };

  const provider = new Provider(`${authority}/organizations/v2.0`, configuration);
  // The extension's redirect address is https://<extension id>.chromiumapp.org/ in Chrome and
  // https://<id>.extensions.allizom.org/ in Firefox; the id differs from machine to machine.
  const extensionRedirect = /^https:\/\/[a-z0-9-]+\.(chromiumapp\.org|extensions\.allizom\.org)\/[\w/-]*$/;
  provider.Client.prototype.redirectUriAllowed = (value: string) => extensionRedirect.test(value);

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", authority);
    if (url.pathname.startsWith("/interaction/")) return void interaction(provider, req, res).catch((error) => fail(res, error));
    // Entra ID's prompt=select_account shows the account picker even to a signed-in user: here, the sign-in page.
    if (url.searchParams.get("prompt") === "select_account") {
      url.searchParams.set("prompt", "login");
      req.url = `${url.pathname}${url.search}`;
    }
    provider.callback()(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  const key = await importJWK(signingKey as JWK, "RS256");
  return {
    authority,
    clientId: localClientId,
    tokenFor: (upn, changes = {}) => {
      const account = accountOf(upn);
      if (!account) throw new Error(`no local account ${upn}`);
      const now = Math.floor(Date.now() / 1000);
      const claims = { ...accessTokenClaims(authority, account), iat: now, nbf: now, exp: now + 3600, ...changes };
      return new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: signingKey.kid, typ: "at+jwt" }).sign(key);
    },
    close: () => close(server),
  };
}

/** The sign-in page: the demo accounts, or any of them by user principal name; no password. */
async function interaction(provider: Provider, req: IncomingMessage, res: ServerResponse) {
  const details = await provider.interactionDetails(req, res);
  const { uid, prompt, params } = details;
  if (req.method === "POST") {
    const form = new URLSearchParams(await bodyOf(req));
    const account = accountOf(form.get("upn") ?? "");
    if (!account)
      return send(
        res,
        200,
        signInPage(uid, String(params.login_hint ?? form.get("upn") ?? ""), `No demo account signs in as “${form.get("upn")}”.`),
      );
    // Signed in, and AppSeats' permissions granted, as an admin's consent would in Entra ID.
    const grant = new provider.Grant({ accountId: account.upn, clientId: String(params.client_id) });
    grant.addOIDCScope(`openid profile offline_access api://${localClientId}/access_as_user`);
    grant.addResourceScope(`api://${localClientId}`, `api://${localClientId}/access_as_user`);
    const grantId = await grant.save();
    return provider.interactionFinished(
      req,
      res,
      { login: { accountId: account.upn }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    );
  }
  if (prompt.name !== "login" && prompt.name !== "consent") throw new Error(`unexpected prompt ${prompt.name}`);
  send(res, 200, signInPage(uid, String(params.login_hint ?? "")));
}

function signInPage(uid: string, hint: string, error?: string) {
  const byTenant = new Map<string, Account[]>();
  for (const account of localAccounts.filter((a) => a.role))
    byTenant.set(account.tenant, [...(byTenant.get(account.tenant) ?? []), account]);
  const lists = [...byTenant]
    .map(
      ([tenant, accounts]) =>
        `<h2>${escapeHtml(tenant)}</h2><ul>${accounts
          .map(
            (a) =>
              `<li><form method="post" action="/interaction/${uid}"><input type="hidden" name="upn" value="${escapeHtml(a.upn)}"><button type="submit">${escapeHtml(a.name)}</button> <span>${escapeHtml(a.upn)} · ${escapeHtml(a.role ?? "")}</span></form></li>`,
          )
          .join("")}</ul>`,
    )
    .join("");
  return page(
    "Sign in — local Microsoft Entra ID",
    `<p>A local stand-in for Microsoft Entra ID: choose a demo account (no password).</p>
     ${error ? `<p role="alert" class="error">${escapeHtml(error)}</p>` : ""}
     ${lists}
     <h2>Another account</h2>
     <form method="post" action="/interaction/${uid}">
       <label for="upn">User principal name</label>
       <input id="upn" name="upn" type="email" autocomplete="username" value="${escapeHtml(hint)}" required>
       <button type="submit">Sign in</button>
     </form>`,
  );
}

const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title>
  <style>body{font:15px/1.5 system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem}ul{list-style:none;padding:0}
  li{margin:.4rem 0}span{color:#555}.error{color:#a4161a}button{font:inherit;padding:.25rem .75rem}</style></head>
  <body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function send(res: ServerResponse, status: number, html: string) {
  res.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
  res.end(html);
}

function fail(res: ServerResponse, error: unknown) {
  if (!res.headersSent)
    send(res, 400, page("Sign-in failed", `<p>${escapeHtml(String(error instanceof Error ? error.message : error))}</p>`));
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  let body = "";
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 16_384) throw new Error("The form is too large.");
  }
  return body;
}

const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

// Run on its own: `node scripts/local-entra.ts` serves on 127.0.0.1:8788 (or PORT).
if (import.meta.url === `file://${process.argv[1]}`) {
  const entra = await startLocalEntra({ port: Number(process.env.PORT ?? 8788) });
  console.log(`Local Entra ID stand-in at ${entra.authority} (client id ${entra.clientId})`);
}
