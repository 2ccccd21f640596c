/**
 * Text from outside reaches SQL only as bound parameters; a NUL or another control character in
 * any text field of SCIM, the CSV import, the directory routes or the vendor API is refused with
 * 400 in the route's own error shape, never a 500, and changes nothing (API.md, "Text from outside").
 */
import { beforeEach, describe, expect, it } from "vitest";
import { demoProvisioningToken, demoVendorKey } from "../../../worker/seed/demo.js";
import { as, call, contoso, freshDemo, snapshot } from "../support.js";

const scim = demoProvisioningToken("contoso");
const scimError = "urn:ietf:params:scim:api:messages:2.0:Error";
/** NUL, other C0 characters, DEL and a C1 character. */
const controls = ["\u0000", "\u0001", "\u001b", "\u007f", "\u0085"];

const withControl = (text: string, control: string) => `${text.slice(0, 3)}${control}${text.slice(3)}`;

/** A value of `body` at a path ("name.givenName", "emails.0.value") replaced. */
function replaced(body: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(body);
  const keys = path.split(".");
  let node: Record<string, unknown> = copy;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[keys.at(-1)!] = value;
  return copy;
}

const scimUser: Record<string, unknown> = {
  userName: "kai@contoso.com",
  externalId: "5d0c1a2b-0000-4000-8000-00000000beef",
  displayName: "Kai Carter",
  name: { givenName: "Kai", familyName: "Carter", formatted: "Kai Carter" },
  emails: [{ value: "kai@contoso.com", type: "work", primary: true }],
  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": { department: "Sales" },
};
const enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
/** Each text field of a SCIM user, and the body with that field holding `control`. */
const userFields: [string, (control: string) => Record<string, unknown>][] = [
  ...["userName", "externalId", "displayName", "name.givenName", "name.familyName", "name.formatted", "emails.0.value"].map(
    (path): [string, (control: string) => Record<string, unknown>] => [
      path,
      (control) =>
        replaced(
          scimUser,
          path,
          withControl(
            path.split(".").reduce<any>((node, key) => node[key], scimUser),
            control,
          ),
        ),
    ],
  ),
  [`${enterprise}:department`, (control) => ({ ...scimUser, [enterprise]: { department: withControl("Sales", control) } })],
];

function expectScim400(answer: { status: number; body: any }, what: string) {
  expect(answer.status, what).toBe(400);
  expect(answer.body.schemas, what).toEqual([scimError]);
  expect(answer.body.status, what).toBe("400");
}

describe("control characters in text from outside", () => {
  beforeEach(freshDemo);

  it("SCIM users: every text field of a create, and every PATCH path, refuses them with 400; nothing is stored", async () => {
    const before = await snapshot();
    for (const control of controls) {
      for (const [path, bodyWith] of userFields) {
        expectScim400(
          await call("POST", "/scim/v2/Users", { token: scim, body: bodyWith(control) }),
          `create ${path} ${JSON.stringify(control)}`,
        );
      }
      const paths = [
        "userName",
        "displayName",
        "externalId",
        "name.givenName",
        "name.familyName",
        "name.formatted",
        'emails[type eq "work"].value',
      ];
      for (const path of [...paths, `${enterprise}:department`]) {
        const answer = await call("PATCH", `/scim/v2/Users/${contoso.user("adele")}`, {
          token: scim,
          body: { Operations: [{ op: "Replace", path, value: withControl("Adele Vance", control) }] },
        });
        expectScim400(answer, `patch ${path} ${JSON.stringify(control)}`);
      }
      const filtered = await call("GET", `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "ad${control}ele@contoso.com"`)}`, {
        token: scim,
      });
      expectScim400(filtered, `filter ${JSON.stringify(control)}`);
    }
    expect(await snapshot()).toBe(before);
  });

  it("SCIM groups: a NUL in a displayName on create, replace or PATCH is 400, not a 500; nothing is stored", async () => {
    const before = await snapshot();
    for (const control of controls) {
      expectScim400(
        await call("POST", "/scim/v2/Groups", { token: scim, body: { displayName: withControl("Marketing", control) } }),
        "create",
      );
      expectScim400(
        await call("POST", "/scim/v2/Groups", {
          token: scim,
          body: { displayName: "Marketing", externalId: withControl("ext-1", control) },
        }),
        "externalId",
      );
      expectScim400(
        await call("POST", "/scim/v2/Groups", {
          token: scim,
          body: { displayName: "Marketing", members: [{ value: withControl(contoso.user("adele"), control) }] },
        }),
        "member",
      );
      expectScim400(
        await call("PATCH", `/scim/v2/Groups/${contoso.group("Sales")}`, {
          token: scim,
          body: { Operations: [{ op: "Replace", path: "displayName", value: withControl("Sales", control) }] },
        }),
        "patch displayName",
      );
      expectScim400(
        await call("PATCH", `/scim/v2/Groups/${contoso.group("Sales")}`, {
          token: scim,
          body: { Operations: [{ op: "Replace", value: { displayName: withControl("Sales", control) } }] },
        }),
        "patch without a path",
      );
      expectScim400(
        await call("PUT", `/scim/v2/Groups/${contoso.group("Sales")}`, {
          token: scim,
          body: { displayName: withControl("Sales", control) },
        }),
        "replace",
      );
    }
    expect(await snapshot()).toBe(before);
  });

  it("a group named with quotes, backslashes and SQL is stored and audited exactly as sent", async () => {
    const name = `O'Brien's "team" \\ '); DROP TABLE users; --`;
    const created = await call("POST", "/scim/v2/Groups", {
      token: scim,
      body: { displayName: name, members: [{ value: contoso.user("adele") }] },
    });
    expect(created.status).toBe(201);
    expect(created.body.displayName).toBe(name);
    const renamed = await call("PATCH", `/scim/v2/Groups/${created.body.id}`, {
      token: scim,
      body: { Operations: [{ op: "Replace", path: "displayName", value: `${name} 2` }] },
    });
    expect(renamed.status).toBeLessThan(300);
    const read = await call("GET", `/scim/v2/Groups/${created.body.id}`, { token: scim });
    expect(read.body.displayName).toBe(`${name} 2`);
  });

  it("the CSV import's names, the directory routes and the vendor API refuse them with 400 InvalidRequest; nothing is stored", async () => {
    const megan = await as("megan@contoso.com");
    const before = await snapshot();
    for (const control of controls) {
      const preview = await call("POST", `/api/v1/licenses/${contoso.fabrikamSign}/import/preview`, {
        token: megan,
        body: { names: ["adele@contoso.com", withControl("diego@contoso.com", control)] },
      });
      expect(preview.status).toBe(400);
      expect(preview.body.error.code).toBe("InvalidRequest");
      expect(preview.body.error.details.issues[0].path).toBe("names.1");

      const answers = [
        await call("GET", `/api/v1/directory/search?q=${encodeURIComponent(withControl("megan", control))}`, { token: megan }),
        await call("GET", `/api/v1/licenses/${contoso.fabrikamSign}/users?q=${encodeURIComponent(withControl("user", control))}`, {
          token: megan,
        }),
        await call("POST", `/api/v1/directory/groups/${contoso.group("Sales")}/members`, {
          token: megan,
          body: { userIds: [withControl(contoso.user("meiling"), control)] },
        }),
        await call("PATCH", `/api/v1/directory/users/${encodeURIComponent(withControl(contoso.user("adele"), control))}`, {
          token: megan,
          body: { accountEnabled: false },
        }),
        await call("POST", `/api/v1/licenses/${contoso.northwindNotes}/assign`, {
          token: megan,
          body: { principals: [{ type: "user", id: withControl(contoso.user("adele"), control) }] },
        }),
        await call("POST", "/vendor/v1/subscriptions", {
          token: demoVendorKey("fabrikam"),
          body: { tenant: { domain: "contoso.com" }, appId: "app_fabrikam", plan: withControl("Business", control), quantity: 1 },
        }),
        await call(
          "GET",
          `/vendor/v1/subscriptions/${contoso.fabrikamSign}/usage-rights?user=${encodeURIComponent(withControl("adele@contoso.com", control))}`,
          {
            token: demoVendorKey("fabrikam"),
          },
        ),
        await call("POST", "/api/v1/dev/sign-in", { body: { userPrincipalName: withControl("megan@contoso.com", control) } }),
      ];
      for (const [i, answer] of answers.entries()) {
        expect(answer.status, `${i} ${JSON.stringify(control)}`).toBe(400);
        expect(answer.body.error.code).toBe("InvalidRequest");
      }
    }
    expect(await snapshot()).toBe(before);
  });
});

describe("SCIM keeps the name's parts", () => {
  beforeEach(freshDemo);

  it("name.givenName, name.familyName and name.formatted are kept and answered as sent, on create, PATCH and PUT", async () => {
    const created = await call("POST", "/scim/v2/Users", { token: scim, body: scimUser });
    expect(created.status).toBe(201);
    expect(created.body.name).toEqual({ givenName: "Kai", familyName: "Carter", formatted: "Kai Carter" });
    const read = await call("GET", `/scim/v2/Users/${created.body.id}`, { token: scim });
    expect(read.body.name).toEqual({ givenName: "Kai", familyName: "Carter", formatted: "Kai Carter" });

    // Entra ID's PATCH of one part; the display name is its own attribute and stays.
    const patched = await call("PATCH", `/scim/v2/Users/${created.body.id}`, {
      token: scim,
      body: { Operations: [{ op: "Replace", path: "name.familyName", value: "Carter-Lee" }] },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.name).toEqual({ givenName: "Kai", familyName: "Carter-Lee", formatted: "Kai Carter" });
    expect(patched.body.displayName).toBe("Kai Carter");
    expect((await call("GET", `/scim/v2/Users/${created.body.id}`, { token: scim })).body.name.familyName).toBe("Carter-Lee");

    // A PUT without a display name takes it from the parts it sends.
    const replaced = await call("PUT", `/scim/v2/Users/${created.body.id}`, {
      token: scim,
      body: { userName: "kai@contoso.com", name: { givenName: "Kai", familyName: "Ng" } },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body.name).toEqual({ givenName: "Kai", familyName: "Ng", formatted: "Kai Ng" });
    expect(replaced.body.displayName).toBe("Kai Ng");
  });
});
