/** The backend a build of the extension is for, and its Entra ID registration: fixed at build time. */
import { describe, expect, it } from "vitest";
import { builtInBackendOf } from "../../../extension/built-in.ts";
import { backendAt, entraScopesOf, isClientId } from "../../../extension/src/core/backend.js";

describe("the built-in backend", () => {
  it("is npm start's local backend and local stand-in when the build is given nothing", () => {
    expect(builtInBackendOf({})).toEqual({
      url: "http://127.0.0.1:8787",
      entra: { authority: "http://127.0.0.1:8788", clientId: "5eeded00-0000-4000-8000-00000000a55e" },
    });
  });

  it("takes the deployment's address and registration from the build's environment, Microsoft's authority by default", () => {
    expect(
      builtInBackendOf({
        APPSEATS_BACKEND_URL: "https://appseats.example/",
        APPSEATS_ENTRA_CLIENT_ID: "11111111-2222-4333-8444-555555555555",
      }),
    ).toEqual({
      url: "https://appseats.example",
      entra: { authority: "https://login.microsoftonline.com", clientId: "11111111-2222-4333-8444-555555555555" },
    });
    // As npm start passes them to the worker.
    expect(builtInBackendOf({ ENTRA_AUTHORITY: "https://login.microsoftonline.us", ENTRA_CLIENT_ID: "c" }).entra).toEqual({
      authority: "https://login.microsoftonline.us",
      clientId: "c",
    });
  });

  it("another backend signs in only with the registration entered for it, never one of its own naming", () => {
    const entered = { authority: "https://login.microsoftonline.com", clientId: "0ff1ce00-0000-4000-8000-000000000002" };
    expect(backendAt("https://other.example", entered)).toEqual({ url: "https://other.example", entra: entered });
    expect(backendAt("https://other.example", null)).toEqual({ url: "https://other.example", entra: null });
    expect(entraScopesOf(entered)).toEqual([
      "api://0ff1ce00-0000-4000-8000-000000000002/access_as_user",
      "openid",
      "profile",
      "offline_access",
    ]);
    expect(isClientId(" 0FF1CE00-0000-4000-8000-000000000002 ")).toBe(true);
    expect(isClientId("appseats")).toBe(false);
  });
});
