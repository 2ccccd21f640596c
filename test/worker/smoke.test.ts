import { beforeEach, describe, expect, it } from "vitest";
import { call, freshDemo, signIn } from "./support.js";

describe("demo", () => {
  beforeEach(freshDemo);
  it("megan reads the licenses", async () => {
    const token = await signIn("megan@contoso.com");
    const answer = await call("GET", "/api/v1/licenses", { token });
    console.log(JSON.stringify(answer.body, null, 1).slice(0, 3000));
    expect(answer.status).toBe(200);
  });
});
