/** R2 under load: concurrent requests racing for the last seats never over-assign. */
import { demoProvisioningToken, demoVendorKey } from "../../../worker/seed/demo.ts";
import { crowd, relUser, subscriptions } from "../data.ts";
import type { Suite } from "../run.ts";

export async function seatRace({ http, checks, tokens, invariants }: Suite) {
  console.log("Seat race: 200 concurrent assignments for distinct users against the last 10 seats");
  const vendor = demoVendorKey("fabrikam");
  await http.call("PUT", `/vendor/v1/subscriptions/${subscriptions.fabrikamSign}`, { token: vendor, body: { quantity: 21 } });
  const admins = [tokens.megan, tokens.lidia, tokens.alex];
  const answers = await Promise.all(
    Array.from({ length: 200 }, (_, i) =>
      http.call("POST", `/api/v1/licenses/${subscriptions.fabrikamSign}/assign`, {
        token: admins[i % admins.length],
        body: { principals: [{ type: "user", id: relUser(i + 1) }] },
      }),
    ),
  );
  const ok = answers.filter((a) => a.status === 200).length;
  const refused = answers.filter((a) => a.status === 409 && a.body?.error?.code === "NotEnoughLicenses").length;
  checks.equal("race: exactly 10 of 200 succeed", ok, 10);
  checks.equal("race: the other 190 are 409 NotEnoughLicenses", refused, 190);
  const summary = await http.call("GET", "/api/v1/licenses", { token: tokens.megan });
  const seats = summary.body.items.find((l: { id: string }) => l.id === subscriptions.fabrikamSign).seats;
  checks.equal("race: assigned = purchased = 21", [seats.assigned, seats.purchased], [21, 21]);
  await invariants("race");

  console.log("Seat race, mixed: user and group assignments, unassignments and vendor raises interleaved");
  const license = subscriptions.northwindNotes;
  const post = (i: number, verb: string, principals: unknown[]) =>
    http.call("POST", `/api/v1/licenses/${license}/${verb}`, { token: admins[i % admins.length], body: { principals } });
  const northwind = demoVendorKey("northwind");
  // The vendor only raises here (one change after another), so any seat over purchased would be a defect.
  const raises = (async () => {
    for (let quantity = 6; quantity <= 15; quantity++) {
      await http.call("PUT", `/vendor/v1/subscriptions/${license}`, { token: northwind, body: { quantity } });
    }
  })();
  const work = await Promise.all([
    ...Array.from({ length: 100 }, (_, i) => post(i, "assign", [{ type: "user", id: relUser(201 + i) }])),
    ...Array.from({ length: 8 }, (_, i) => post(i, "assign", [{ type: "group", id: crowd(i + 1) }])),
    ...Array.from({ length: 20 }, (_, i) => post(i, "unassign", [{ type: "user", id: relUser(201 + i * 3) }])),
    post(0, "unassign", [{ type: "group", id: crowd(2) }]),
    post(1, "unassign", [{ type: "user", id: "usr_contoso_lidia" }]),
  ]);
  await raises;
  const statuses = new Set(work.map((a) => a.status));
  checks.check(
    "mixed race: every answer is 200 or 409",
    [...statuses].every((s) => s === 200 || s === 409),
    [...statuses],
  );
  const overs = work.filter((a) => a.status === 200 && a.body.seats.assigned > a.body.seats.purchased);
  checks.equal("mixed race: no answer shows more assigned than purchased", overs.length, 0);
  await invariants("mixed race");

  console.log("Seat race, directory: SCIM members joining and leaving a licensed group while admins assign and the vendor raises");
  // Tailspin Maps, which no later scenario uses: made usable with 10 seats, the crowd group assigned to it.
  const tailspinMaps = subscriptions.tailspinMaps;
  const scim = demoProvisioningToken("contoso");
  const group = crowd(11);
  const tailspin = demoVendorKey("tailspin");
  await http.call("PUT", `/vendor/v1/subscriptions/${tailspinMaps}`, { token: tailspin, body: { quantity: 10, status: "active" } });
  await http.call("POST", `/api/v1/licenses/${tailspinMaps}/assign`, {
    token: tokens.megan,
    body: { principals: [{ type: "group", id: group }] },
  });
  const vendorRaises = (async () => {
    for (let quantity = 11; quantity <= 30; quantity += 2) {
      await http.call("PUT", `/vendor/v1/subscriptions/${tailspinMaps}`, { token: tailspin, body: { quantity } });
    }
  })();
  const patchMembers = (op: "Add" | "Remove", from: number, to: number) =>
    http.call("PATCH", `/scim/v2/Groups/${group}`, {
      token: scim,
      body: {
        Operations: [{ op, path: "members", value: Array.from({ length: to - from + 1 }, (_, i) => ({ value: relUser(from + i) })) }],
      },
    });
  const directory = await Promise.all([
    ...Array.from({ length: 10 }, (_, i) => patchMembers("Add", 401 + i * 10, 410 + i * 10)),
    ...Array.from({ length: 3 }, (_, i) => patchMembers("Remove", 401 + i * 20, 405 + i * 20)),
    ...Array.from({ length: 40 }, (_, i) =>
      http.call("POST", `/api/v1/licenses/${tailspinMaps}/assign`, {
        token: admins[i % admins.length],
        body: { principals: [{ type: "user", id: relUser(501 + i) }] },
      }),
    ),
  ]);
  await vendorRaises;
  const directoryStatuses = new Set(directory.map((a) => a.status));
  checks.check(
    "directory race: every answer is 2xx or 409",
    [...directoryStatuses].every((s) => s === 200 || s === 204 || s === 409),
    [...directoryStatuses],
  );
  await invariants("directory race");
}
