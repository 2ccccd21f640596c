import { describe, expect, it } from "vitest";
import { AppSeatsError } from "../../worker/src/errors.js";
import { StateChanged, withRetries } from "../../worker/src/licensing/batch.js";

describe("a change retried after the state changed under it", () => {
  it("is tried again while the state keeps changing, at most three times, then asks the caller to retry", async () => {
    let attempts = 0;
    const failure = await withRetries(async () => {
      attempts++;
      throw new StateChanged();
    }).catch((error: unknown) => error);
    expect(attempts).toBe(3);
    expect(failure).toBeInstanceOf(AppSeatsError);
    expect((failure as AppSeatsError).code).toBe("Unavailable");
    expect((failure as AppSeatsError).details).toEqual({ retryAfterSeconds: 1 });
  });

  it("answers as soon as an attempt succeeds, and passes any other error on at once", async () => {
    let attempts = 0;
    expect(await withRetries(async () => (++attempts < 2 ? Promise.reject(new StateChanged()) : "done"))).toBe("done");
    expect(attempts).toBe(2);
    const refusal = new AppSeatsError("NotEnoughLicenses", "short", { needed: 2, available: 1 });
    let tried = 0;
    await expect(
      withRetries(async () => {
        tried++;
        throw refusal;
      }),
    ).rejects.toBe(refusal);
    expect(tried).toBe(1);
  });
});
