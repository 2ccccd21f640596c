/**
 * The admin is told each refusal from its code and the details the contract gives that code
 * (shared/src/error-codes.ts), in the extension's own English text.
 */
import { type ErrorBody, maxBodyBytes } from "@appseats/shared";
import { describe, expect, it } from "vitest";
import { messagesOf } from "./locales.ts";

const english = messagesOf("en");

/** The browser's i18n as it reads the extension's English messages: $1…$9 replaced. */
const i18n = {
  getUILanguage: () => "en-US",
  getMessage: (key: string, substitutions: string[] = []) =>
    english[key]?.message.replace(/\$(\d)/g, (_, n: string) => substitutions[Number(n) - 1] ?? "") ?? "",
};
// The extension's modules find the browser's API when they load (Firefox's name for it, with an id).
(globalThis as { browser?: unknown }).browser = { runtime: { id: "appseats@appseats.dev" }, i18n };
const { ApiError } = await import("../../../extension/src/api/client.js");
const { describeError } = await import("../../../extension/src/core/describe-error.js");

const refused = (status: number, error: ErrorBody["error"]) => describeError(new ApiError(status, error));

describe("what the admin is told of a refusal", () => {
  it("NotEnoughLicenses: the seats needed and available, from its details", () => {
    const text = refused(409, { code: "NotEnoughLicenses", message: "…", details: { needed: 3, available: 1 } });
    expect(text).toBe(i18n.getMessage("error_NotEnoughLicenses", ["3", "1"]));
    expect(text).toContain("3");
  });

  it("InheritedLicense: each group the seat comes through, once", () => {
    const viaGroups = [{ id: "grp_1", displayName: "Sales" }];
    const text = refused(409, {
      code: "InheritedLicense",
      message: "…",
      details: {
        users: [
          { id: "usr_1", viaGroups },
          { id: "usr_2", viaGroups },
        ],
      },
    });
    expect(text).toBe(i18n.getMessage("error_InheritedLicense", ["Sales"]));
  });

  it("PayloadTooLarge: the size the API takes, from its details", () => {
    const text = refused(413, { code: "PayloadTooLarge", message: "…", details: { maxBytes: maxBodyBytes } });
    expect(text).toContain("1 MiB");
    expect(refused(413, { code: "PayloadTooLarge", message: "…", details: { maxBytes: 512 * 1024 } })).toContain("512 KiB");
  });

  it("Forbidden and SubscriptionNotUsable: the roles and the status by their names", () => {
    expect(refused(403, { code: "Forbidden", message: "…", details: { requiredRoles: ["GlobalAdmin"] } })).toContain(
      i18n.getMessage("role_GlobalAdmin"),
    );
    expect(refused(409, { code: "SubscriptionNotUsable", message: "…", details: { status: "suspended" } })).toContain(
      i18n.getMessage("status_suspended"),
    );
  });

  it("Internal: the request's id to quote; a page without the error shape is Internal too", () => {
    expect(refused(500, { code: "Internal", message: "…", details: { requestId: "req_42" } })).toContain("req_42");
    expect(refused(502, { code: "Internal", message: "Bad Gateway" })).toBe(i18n.getMessage("error_Internal", [""]));
  });

  it("a code this extension does not know yet: the backend's own sentence", () => {
    const future = { code: "SomethingNew", message: "Something new went wrong." } as unknown as ErrorBody["error"];
    expect(refused(409, future)).toBe("Something new went wrong.");
  });
});

describe("the messages' keys are typed (npm run typecheck fails on these lines if they are not)", () => {
  it("a misspelt key, a missing substitution and one too many are type errors", async () => {
    const { t } = await import("../../../extension/src/core/i18n.js");
    // @ts-expect-error: no message has this key
    expect(t("error_NotEnoughLicence")).toBe("");
    // @ts-expect-error: the message has a substitution ($1) that is not given
    expect(t("error_InheritedLicense")).toBe(i18n.getMessage("error_InheritedLicense"));
    // @ts-expect-error: the message has no substitution
    expect(t("error_Unauthenticated", ["extra"])).toBe(i18n.getMessage("error_Unauthenticated"));
  });
});
