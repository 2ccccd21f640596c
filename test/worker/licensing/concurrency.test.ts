import { beforeEach, describe, expect, it } from "vitest";
import { demoVendorKey } from "../../../worker/seed/demo.js";
import { as, call, changeLicense, contoso, freshDemo, invariantViolations, principal, stored } from "../support.js";

describe("R2: concurrent requests never over-assign", () => {
  beforeEach(freshDemo);

  it("30 concurrent direct assignments race for the last 2 seats: exactly 2 succeed, the rest are 409", async () => {
    const tokens = await Promise.all(["megan@contoso.com", "lidia@contoso.com", "alex@contoso.com"].map(as));
    const users = Array.from({ length: 30 }, (_, i) => `user${String(i + 1).padStart(2, "0")}`);
    const answers = await Promise.all(
      users.map((user, i) => changeLicense(tokens[i % 3]!, contoso.northwindNotes, "assign", [principal.user(user)])),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(2);
    expect(statuses.filter((s) => s === 409)).toHaveLength(28);
    for (const refused of answers.filter((a) => a.status === 409)) expect(refused.body.error.code).toBe("NotEnoughLicenses");
    expect(await stored(contoso.northwindNotes)).toMatchObject({ purchased: 5, active: 5, waiting: 0 });
    expect(await invariantViolations()).toEqual([]);
  });

  it("groups, users, unassignments and vendor changes interleaved: every answer and the final state stay within the seats", async () => {
    const megan = await as("megan@contoso.com");
    const lidia = await as("lidia@contoso.com");
    const license = contoso.northwindNotes;
    const post = (token: string, verb: "assign" | "unassign", principals: unknown[]) => changeLicense(token, license, verb, principals);
    const work = [
      ...["Sales", "Engineering", "Design", "All Staff"].map((g, i) => () => post(i % 2 ? megan : lidia, "assign", [principal.group(g)])),
      ...Array.from({ length: 16 }, (_, i) => () => post(i % 2 ? megan : lidia, "assign", [principal.user(`user${24 + i}`)])),
      ...["lidia", "alex"].map((u) => () => post(megan, "unassign", [principal.user(u)])),
      () => post(lidia, "unassign", [principal.group("Sales")]),
      ...Array.from(
        { length: 4 },
        () => () => call("PUT", `/vendor/v1/subscriptions/${license}`, { token: demoVendorKey("northwind"), body: { quantity: 8 } }),
      ),
    ];
    const answers = await Promise.all(work.map((run) => run()));
    for (const answer of answers) {
      expect([200, 409], JSON.stringify(answer.body)).toContain(answer.status);
      if (answer.status === 200) expect(answer.body.seats.assigned).toBeLessThanOrEqual(answer.body.seats.purchased);
    }
    const final = await stored(license);
    expect(final.purchased).toBe(8);
    expect(final.active).toBeLessThanOrEqual(8);
    expect(await invariantViolations()).toEqual([]);
  });
});
