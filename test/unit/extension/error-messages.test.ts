/**
 * Every error code the worker can answer is told to the admin in both languages: each has a
 * message of its own in en and zh_TW, with the same placeholders; so is every audit action the
 * license's history shows.
 */
import { auditActions, roles } from "@appseats/shared";
import { errorCodes } from "@appseats/shared/error-codes";
import { describe, expect, it } from "vitest";
import { messagesOf } from "./locales.ts";

const placeholders = (text: string) => [...text.matchAll(/\$\d/g)].map((m) => m[0]).sort();

describe("error messages", () => {
  const en = messagesOf("en");
  const zh = messagesOf("zh_TW");

  it.each(errorCodes)("%s has a message in English and Traditional Chinese, with the same placeholders", (code) => {
    const key = `error_${code}`;
    expect(en[key]?.message, `${key} in en`).toBeTruthy();
    expect(zh[key]?.message, `${key} in zh_TW`).toBeTruthy();
    expect(placeholders(zh[key]!.message)).toEqual(placeholders(en[key]!.message));
    expect(zh[key]!.message).not.toBe(en[key]!.message);
  });

  it("both languages have the same messages", () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
  });
});

describe("the history's words", () => {
  const en = messagesOf("en");
  const zh = messagesOf("zh_TW");

  it.each(auditActions)("the audit action %s is named in English and Traditional Chinese", (action) => {
    const key = `action_${action.replaceAll(".", "_")}`;
    expect(en[key]?.message, `${key} in en`).toBeTruthy();
    expect(zh[key]?.message, `${key} in zh_TW`).toBeTruthy();
  });
});

describe("the roles' names", () => {
  const en = messagesOf("en");
  const zh = messagesOf("zh_TW");

  it.each(roles)("%s is named in English and Traditional Chinese, as the admin center names it", (role) => {
    expect(en[`role_${role}`]?.message).toBeTruthy();
    expect(zh[`role_${role}`]?.message).toMatch(/系統管理員|讀取者/);
  });
});
