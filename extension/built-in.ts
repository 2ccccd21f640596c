/**
 * The backend this build of the extension is for, and that backend's Microsoft Entra ID app
 * registration: fixed when the extension is built, never taken from a backend at run time (a
 * backend that named the real registration would otherwise be handed real AppSeats tokens).
 *
 * Set at build time by APPSEATS_BACKEND_URL, APPSEATS_ENTRA_AUTHORITY and APPSEATS_ENTRA_CLIENT_ID
 * (or, as `npm start` sets them for the worker, ENTRA_AUTHORITY and ENTRA_CLIENT_ID). Without them:
 * the local backend of `npm start` and its local stand-in for Entra ID (scripts/local-entra.ts).
 */
export interface EntraRegistration {
  authority: string;
  clientId: string;
}

export interface BuiltInBackend {
  url: string;
  entra: EntraRegistration;
}

/** The local stand-in's client id and address (scripts/local-entra.ts): `npm start`'s. */
const localEntra: EntraRegistration = { authority: "http://127.0.0.1:8788", clientId: "5eeded00-0000-4000-8000-00000000a55e" };

export function builtInBackendOf(env: Record<string, string | undefined>): BuiltInBackend {
  const authority = env.APPSEATS_ENTRA_AUTHORITY || env.ENTRA_AUTHORITY;
  const clientId = env.APPSEATS_ENTRA_CLIENT_ID || env.ENTRA_CLIENT_ID;
  return {
    url: (env.APPSEATS_BACKEND_URL || "http://127.0.0.1:8787").replace(/\/+$/, ""),
    entra: clientId ? { authority: (authority || "https://login.microsoftonline.com").replace(/\/+$/, ""), clientId } : localEntra,
  };
}
