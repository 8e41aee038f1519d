import { Type } from '@sinclair/typebox';
import { DOC_TYPE_IDS_PATTERN, MECHANISMS } from './schema.js';

/**
 * The configuration file of spec/cli-and-config.md as one JSON schema: the single source of truth.
 * The TypeScript types (schema.ts) are derived from it, and the validator the loader runs
 * (validator.generated.ts) is compiled from it ahead of time by validator-source.ts — so a field
 * cannot exist in one and not the other, and test/config/validator.test.ts fails when the
 * generated validator is stale.
 *
 * Only tooling imports this module at run time: TypeBox's builder is some 200 ES modules, which
 * the service should not load (and parse) on every start just to produce a constant.
 */

const OrganIdPattern = '^[0-9A-Z]+(\\.[0-9A-Z]+)*$';
const ListenPattern = '^(\\[[0-9a-fA-F:]+\\]|[^:\\s]+):[0-9]{1,5}$';

const Organ = Type.Object(
  {
    id: Type.String({ pattern: OrganIdPattern, maxLength: 35 }),
    name: Type.String({ minLength: 1, maxLength: 300 }),
    abbreviation: Type.String({ minLength: 1, maxLength: 30 }),
  },
  { additionalProperties: false },
);

const Tls = Type.Union([
  Type.Object({ cert: Type.String({ minLength: 1 }), key: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
  Type.Literal('self-signed'),
  Type.Literal(false),
]);

const Http = Type.Object(
  {
    listen: Type.String({ pattern: ListenPattern }),
    tls: Tls,
  },
  { additionalProperties: false },
);

export const Hsm = Type.Object(
  {
    module: Type.String({ minLength: 1 }),
    tokenLabel: Type.String({ minLength: 1, maxLength: 32 }),
    keyLabel: Type.String({ minLength: 1 }),
    keyId: Type.Optional(Type.String({ pattern: '^[0-9a-fA-F]+$' })),
    pinFile: Type.String({ minLength: 1 }),
    mechanism: Type.Union(MECHANISMS.map((m) => Type.Literal(m))),
    sessions: Type.Integer({ minimum: 1, maximum: 8 }),
  },
  { additionalProperties: false },
);

const Signing = Type.Object(
  {
    requirePriorSignature: Type.Boolean(),
    signEnvelope: Type.Boolean(),
    tsaUrl: Type.Union([Type.String({ minLength: 1 }), Type.Null()]),
    sealImage: Type.Union([Type.String({ minLength: 1 }), Type.Null()]),
    sealWidthMm: Type.Number({ minimum: 5, maximum: 100 }),
  },
  { additionalProperties: false },
);

const Trust = Type.Object({ anchors: Type.String({ minLength: 1 }) }, { additionalProperties: false });

export const AxisRemote = Type.Object(
  {
    endpoint: Type.String({ pattern: '^https?://' }),
    systemId: Type.String({ pattern: OrganIdPattern, maxLength: 35 }),
    secretFile: Type.String({ minLength: 1 }),
    pollSeconds: Type.Integer({ minimum: 1, maximum: 86400 }),
  },
  { additionalProperties: false },
);
export const AxisEmbedded = Type.Object(
  { embedded: Type.Literal(true), pollSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86400 })) },
  { additionalProperties: false },
);

const Relay = Type.Object(
  {
    receiptDeadlineHours: Type.Number({ exclusiveMinimum: 0 }),
    maxOfflineHours: Type.Number({ exclusiveMinimum: 0 }),
    paperlessTypes: Type.Array(Type.String({ pattern: DOC_TYPE_IDS_PATTERN }), { uniqueItems: true }),
  },
  { additionalProperties: false },
);

const Policy = Type.Object({ acceptUnsigned: Type.Boolean() }, { additionalProperties: false });

export const SerialLine = Type.Union([
  Type.Object(
    { path: Type.String({ minLength: 1 }), baudRate: Type.Integer({ minimum: 1200, maximum: 4000000 }) },
    { additionalProperties: false },
  ),
  Type.Null(),
]);

const Limits = Type.Object(
  {
    maxUploadBytes: Type.Integer({ minimum: 1024 }),
    maxAttachments: Type.Integer({ minimum: 0, maximum: 1000 }),
  },
  { additionalProperties: false },
);

const Webhook = Type.Object(
  {
    url: Type.String({ pattern: '^https?://' }),
    secretFile: Type.String({ minLength: 1 }),
    events: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
  },
  { additionalProperties: false },
);

const Log = Type.Object(
  { level: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l))) },
  { additionalProperties: false },
);

export const ConfigSchema = Type.Object(
  {
    organ: Organ,
    stateDir: Type.String({ minLength: 1 }),
    http: Http,
    hsm: Hsm,
    signing: Signing,
    trust: Trust,
    axis: Type.Union([AxisRemote, AxisEmbedded]),
    relay: Relay,
    policy: Policy,
    display: SerialLine,
    console: SerialLine,
    limits: Limits,
    webhooks: Type.Array(Webhook),
    log: Log,
  },
  { additionalProperties: false },
);
