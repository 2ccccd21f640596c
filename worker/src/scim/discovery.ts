/**
 * What the SCIM 2.0 endpoint says of itself (RFC 7643 §5–7, RFC 7644 §4): the features it has
 * (PATCH and filters; no bulk, sort, ETags or password change), its two resource types, and
 * the schemas of the attributes it keeps. A directory reads these once, before it syncs.
 */

export const scimSchemas = {
  user: "urn:ietf:params:scim:schemas:core:2.0:User",
  enterpriseUser: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
  group: "urn:ietf:params:scim:schemas:core:2.0:Group",
  listResponse: "urn:ietf:params:scim:api:messages:2.0:ListResponse",
  patchOp: "urn:ietf:params:scim:api:messages:2.0:PatchOp",
  error: "urn:ietf:params:scim:api:messages:2.0:Error",
  serviceProviderConfig: "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig",
  resourceType: "urn:ietf:params:scim:schemas:core:2.0:ResourceType",
  schema: "urn:ietf:params:scim:schemas:core:2.0:Schema",
} as const;

/** The most resources one page of a list answers. */
export const maxResultsPerPage = 200;

/** A list answer (RFC 7644 §3.4.2). */
export const listResponse = (resources: unknown[], totalResults = resources.length, startIndex = 1) => ({
  schemas: [scimSchemas.listResponse],
  totalResults,
  startIndex,
  itemsPerPage: resources.length,
  Resources: resources,
});

export const serviceProviderConfig = (base: string) => ({
  schemas: [scimSchemas.serviceProviderConfig],
  documentationUri: new URL("/api/v1/openapi.json", base).href,
  patch: { supported: true },
  bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
  filter: { supported: true, maxResults: maxResultsPerPage },
  changePassword: { supported: false },
  sort: { supported: false },
  etag: { supported: false },
  authenticationSchemes: [
    {
      type: "oauthbearertoken",
      name: "Provisioning token",
      description: "A provisioning token a Global Administrator created in AppSeats, sent as Authorization: Bearer <token>.",
      primary: true,
    },
  ],
  meta: { resourceType: "ServiceProviderConfig", location: `${base}/ServiceProviderConfig` },
});

export const resourceTypes = (base: string) => [
  {
    schemas: [scimSchemas.resourceType],
    id: "User",
    name: "User",
    endpoint: "/Users",
    schema: scimSchemas.user,
    schemaExtensions: [{ schema: scimSchemas.enterpriseUser, required: false }],
    meta: { resourceType: "ResourceType", location: `${base}/ResourceTypes/User` },
  },
  {
    schemas: [scimSchemas.resourceType],
    id: "Group",
    name: "Group",
    endpoint: "/Groups",
    schema: scimSchemas.group,
    meta: { resourceType: "ResourceType", location: `${base}/ResourceTypes/Group` },
  },
];

type Attribute = {
  name: string;
  type: "string" | "boolean" | "complex" | "reference";
  multiValued?: boolean;
  required?: boolean;
  uniqueness?: "none" | "server";
  mutability?: "readWrite" | "readOnly" | "immutable";
  subAttributes?: Attribute[];
};

/** An attribute as RFC 7643 §7 describes one, with its defaults said out loud. */
const attribute = ({
  multiValued = false,
  required = false,
  uniqueness = "none",
  mutability = "readWrite",
  ...rest
}: Attribute): object => ({
  ...rest,
  multiValued,
  required,
  caseExact: false,
  mutability,
  returned: "default",
  uniqueness,
  ...(rest.subAttributes ? { subAttributes: rest.subAttributes.map(attribute) } : {}),
});

const schema = (base: string, id: string, name: string, attributes: Attribute[]) => ({
  schemas: [scimSchemas.schema],
  id,
  name,
  attributes: attributes.map(attribute),
  meta: { resourceType: "Schema", location: `${base}/Schemas/${id}` },
});

export const schemaDefinitions = (base: string) => [
  schema(base, scimSchemas.user, "User", [
    { name: "userName", type: "string", required: true, uniqueness: "server" },
    { name: "externalId", type: "string" },
    { name: "displayName", type: "string" },
    {
      name: "name",
      type: "complex",
      subAttributes: [
        { name: "formatted", type: "string" },
        { name: "givenName", type: "string" },
        { name: "familyName", type: "string" },
      ],
    },
    { name: "active", type: "boolean" },
    {
      name: "emails",
      type: "complex",
      multiValued: true,
      subAttributes: [
        { name: "value", type: "string" },
        { name: "type", type: "string" },
        { name: "primary", type: "boolean" },
      ],
    },
  ]),
  schema(base, scimSchemas.enterpriseUser, "EnterpriseUser", [{ name: "department", type: "string" }]),
  schema(base, scimSchemas.group, "Group", [
    { name: "displayName", type: "string", required: true },
    { name: "externalId", type: "string" },
    {
      name: "members",
      type: "complex",
      multiValued: true,
      subAttributes: [
        { name: "value", type: "string", mutability: "immutable" },
        { name: "display", type: "string", mutability: "readOnly" },
      ],
    },
  ]),
];
