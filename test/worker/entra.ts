/**
 * A stand-in for Microsoft Entra ID in the worker tests: RSA keys of its own, published at the
 * authority's keys address (global fetch answered in the test's isolate, where jose asks), and
 * access tokens shaped as Entra ID issues them, each claim open to be changed or left out.
 */
import { entraRoleIds, type Role } from "@appseats/shared";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { afterAll, beforeAll, type MockInstance, vi } from "vitest";
import { env } from "./support.js";

export const authority = env.ENTRA_AUTHORITY;
export const clientId = env.ENTRA_CLIENT_ID;
export const tenantIds = { contoso: "c0c0c0c0-1111-4111-8111-000000000001", fabrikam: "fab00000-2222-4222-8222-000000000002" };
export const widOf = (role: Role) => Object.entries(entraRoleIds).find(([, r]) => r === role)![0];

const objectIds = new Map<string, string>();
/** A stable object id for each user principal name, as a directory gives one. */
export const oidOf = (upn: string) => {
  if (!objectIds.has(upn)) objectIds.set(upn, crypto.randomUUID());
  return objectIds.get(upn)!;
};

export class TestAuthority {
  readonly #keys = new Map<string, { privateKey: Awaited<ReturnType<typeof generateKeyPair>>["privateKey"]; publicJwk: JWK }>();
  #published: string[] = [];
  #spy: MockInstance<typeof fetch> | undefined;
  /** How many times the worker fetched the keys. */
  fetches = 0;

  async addKey(kid: string, alg: "RS256" | "RS384" = "RS256") {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    this.#keys.set(kid, { privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" } });
  }

  /** The keys the authority publishes from now on. */
  publish(...kids: string[]) {
    this.#published = kids;
  }

  /** Answers the worker's requests for the keys; every other request goes on as usual. */
  install() {
    const original = globalThis.fetch;
    this.#spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.href === `${authority}/common/discovery/v2.0/keys`) {
        this.fetches += 1;
        return Response.json({ keys: this.#published.map((kid) => this.#keys.get(kid)!.publicJwk) });
      }
      return original(input, init);
    });
  }

  uninstall() {
    this.#spy?.mockRestore();
  }

  /** A token signed with the key `kid` (RS256 unless said), its header naming `headerKid` if given. */
  async sign(
    claims: Record<string, unknown>,
    { kid = "k1", alg = "RS256", headerKid }: { kid?: string; alg?: string; headerKid?: string } = {},
  ) {
    return new SignJWT(claims).setProtectedHeader({ alg, kid: headerKid ?? kid, typ: "JWT" }).sign(this.#keys.get(kid)!.privateKey);
  }
}

/** A test authority with one published key (k1), answering the worker for the tests of the file that calls this. */
export function publishedAuthority(): TestAuthority {
  const entra = new TestAuthority();
  beforeAll(async () => {
    await entra.addKey("k1");
    entra.publish("k1");
    entra.install();
  });
  afterAll(() => entra.uninstall());
  return entra;
}

/** The claims of an Entra ID v2 access token for AppSeats, for a user of a demo tenant. */
export function claimsFor(
  upn: string,
  { tenant = "contoso", roles = [], name = upn }: { tenant?: keyof typeof tenantIds | string; roles?: Role[]; name?: string } = {},
): Record<string, unknown> {
  const tid = tenantIds[tenant as keyof typeof tenantIds] ?? tenant;
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: `${authority}/${tid}/v2.0`,
    aud: `api://${clientId}`,
    tid,
    oid: oidOf(upn),
    sub: `sub-${oidOf(upn)}`,
    ver: "2.0",
    scp: "access_as_user",
    azp: clientId,
    wids: roles.map(widOf),
    preferred_username: upn,
    name,
    iat: now,
    nbf: now,
    exp: now + 3600,
  };
}

/** The claims without the named ones. */
export const without = (claims: Record<string, unknown>, ...names: string[]) =>
  Object.fromEntries(Object.entries(claims).filter(([name]) => !names.includes(name)));
