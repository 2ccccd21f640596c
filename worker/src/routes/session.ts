/**
 * How to sign in (/api/v1/auth, no credential needed) and signing out (/api/v1/session).
 * Sign-in itself happens at Microsoft Entra ID, or at the local sign-in in local runs (dev.ts).
 */
import { AuthConfig } from "@appseats/shared";
import { Hono } from "hono";
import { entraScopes, entraSettings } from "../auth/entra.js";
import type { AppEnv } from "../http/env.js";
import { devRoutesServed, documented } from "../http/openapi.js";
import { ask } from "../http/store.js";

export const authRoutes = new Hono<AppEnv>().get(
  "/config",
  documented({ summary: "How to sign in: Microsoft Entra ID (when configured) and the local sign-in", answer: AuthConfig, open: true }),
  (c) => {
    const settings = entraSettings(c.env);
    const config: AuthConfig = {
      entra: settings && { authority: settings.authority, clientId: settings.clientId, scopes: entraScopes(settings) },
      devSignIn: devRoutesServed(c.env),
    };
    return c.json(config);
  },
);

export const sessionRoutes = new Hono<AppEnv>().delete(
  "/",
  documented({ summary: "Sign out: a local session ends at once; an Entra ID token is left to expire", answer: "none" }),
  async (c) => {
    const { credential } = c.get("target");
    await ask(c, "signOut", { sessionHash: credential.kind === "session" ? credential.hash : null });
    return c.body(null, 204);
  },
);
