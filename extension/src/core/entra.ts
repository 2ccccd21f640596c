/**
 * Sign-in with Microsoft Entra ID: the authorization code flow with PKCE (oauth4webapi) in the
 * browser's own sign-in window (identity.launchWebAuthFlow), redirecting to the extension's
 * redirect address. The access token is the AppSeats session's bearer token; the refresh token
 * renews it, silently, before it expires. The same code serves Entra ID and the local stand-in
 * of `npm start`, which answers at Entra ID's own paths.
 */

import { decodeJwt } from "jose";
import * as oauth from "oauth4webapi";
import browser from "webextension-polyfill";
import { AppSeatsClient } from "../api/client.js";
import { type EntraRegistration, entraScopesOf } from "./backend.js";
import type { EntraSession, Session } from "./storage.js";

/** Plain http is allowed only to this machine (the local stand-in). */
const isLoopback = (url: string) => ["127.0.0.1", "localhost", "[::1]"].includes(new URL(url).hostname);

const endpoints = (authority: string, issuer = `${authority}/organizations/v2.0`): oauth.AuthorizationServer => ({
  issuer,
  authorization_endpoint: `${authority}/organizations/oauth2/v2.0/authorize`,
  token_endpoint: `${authority}/organizations/oauth2/v2.0/token`,
});

/**
 * The issuer a token response's ID token is checked against. A multi-tenant app's ID token is
 * issued by the user's own tenant, <authority>/<tid>/v2.0, which is known only once it comes;
 * it comes straight from the token endpoint, over TLS. Other issuers are checked as they are.
 */
async function issuerOf(authority: string, response: Response): Promise<oauth.AuthorizationServer> {
  const idToken = ((await response.clone().json()) as { id_token?: string }).id_token;
  const claims: { iss?: string; tid?: string } = idToken ? decodeJwt(idToken) : {};
  return claims.tid && claims.iss === `${authority}/${claims.tid}/v2.0` ? endpoints(authority, claims.iss) : endpoints(authority);
}

/** When a token response's access token expires (an hour where the response does not say). */
const expiresAtOf = (tokens: oauth.TokenEndpointResponse) => new Date(Date.now() + (tokens.expires_in ?? 3600) * 1000).toISOString();

const options = (authority: string) => (isLoopback(authority) ? { [oauth.allowInsecureRequests]: true } : {});

/**
 * Signs in interactively; the account chosen decides the tenant. Resolves with the new session.
 * With a login hint (signing in again as the same admin) no account picker is asked for; without
 * one, Entra ID shows it, so that an admin of several organisations can choose another account.
 */
export async function signInWithMicrosoft(backendUrl: string, config: EntraRegistration, loginHint?: string): Promise<Session> {
  const as = endpoints(config.authority);
  const client: oauth.Client = { client_id: config.clientId };
  const redirectUri = browser.identity.getRedirectURL();
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = new URL(as.authorization_endpoint!);
  url.search = new URLSearchParams({
    client_id: config.clientId,
    response_type: "code",
    redirect_uri: redirectUri,
    scope: entraScopesOf(config).join(" "),
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
    ...(loginHint ? { login_hint: loginHint } : { prompt: "select_account" }),
  }).toString();
  const returned = await browser.identity.launchWebAuthFlow({ url: url.href, interactive: true });
  const params = oauth.validateAuthResponse(as, client, new URL(returned), state);
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    oauth.None(),
    params,
    redirectUri,
    verifier,
    options(config.authority),
  );
  const tokens = await oauth.processAuthorizationCodeResponse(await issuerOf(config.authority, response), client, response);
  return sessionFrom(backendUrl, config, tokens);
}

/** A new access token from the refresh token; throws when the refresh token no longer works. */
export async function renewSession(session: Session & { entra: EntraSession }): Promise<Session> {
  const { authority, clientId, refreshToken } = session.entra;
  if (!refreshToken) throw new Error("No refresh token: sign in again.");
  const as = endpoints(authority);
  const client: oauth.Client = { client_id: clientId };
  const response = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), refreshToken, options(authority));
  const tokens = await oauth.processRefreshTokenResponse(await issuerOf(authority, response), client, response);
  return {
    ...session,
    token: tokens.access_token,
    expiresAt: expiresAtOf(tokens),
    entra: { ...session.entra, refreshToken: tokens.refresh_token ?? refreshToken },
  };
}

async function sessionFrom(backendUrl: string, config: EntraRegistration, tokens: oauth.TokenEndpointResponse): Promise<Session> {
  const me = await new AppSeatsClient(backendUrl, tokens.access_token).me();
  return {
    backendUrl,
    token: tokens.access_token,
    expiresAt: expiresAtOf(tokens),
    me,
    entra: {
      authority: config.authority,
      clientId: config.clientId,
      ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}),
    },
  };
}
