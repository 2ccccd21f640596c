import { describe, expect, it } from "vitest";
import { backendOrigin } from "../../../extension/src/core/backend-url.js";

describe("the backend the extension may use (the security review)", () => {
  it("takes https anywhere, as its origin", () => {
    expect(backendOrigin(" https://appseats.contoso.example/some/path ")).toBe("https://appseats.contoso.example");
    expect(backendOrigin("https://appseats.example:8443")).toBe("https://appseats.example:8443");
  });

  it("takes plain http only on this computer", () => {
    expect(backendOrigin("http://127.0.0.1:8787")).toBe("http://127.0.0.1:8787");
    expect(backendOrigin("http://127.1.2.3:9000")).toBe("http://127.1.2.3:9000");
    expect(backendOrigin("http://localhost:8787")).toBe("http://localhost:8787");
    expect(backendOrigin("http://[::1]:8787")).toBe("http://[::1]:8787");
  });

  it("refuses plain http elsewhere, other schemes, credentials in the address and nonsense", () => {
    for (const text of [
      "http://appseats.contoso.example",
      "http://192.168.1.10:8787",
      "http://127.0.0.1.attacker.example",
      "http://localhost.attacker.example",
      "ftp://appseats.example",
      "javascript:alert(1)",
      "https://user:pass@appseats.example",
      "appseats.example",
      "",
    ]) {
      expect(backendOrigin(text), text).toBeNull();
    }
  });
});
