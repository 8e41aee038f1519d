import type { Static } from '@sinclair/typebox';
import type { AxisEmbedded, AxisRemote, ConfigSchema, Hsm, SerialLine } from './schema-def.js';

/**
 * The configuration's TypeScript types, derived from the one JSON schema in schema-def.ts, and
 * the few values the rest of the code needs about it. Type-only imports on purpose: loading this
 * module must not load TypeBox (see schema-def.ts); the loader runs the precompiled validator.
 */

export const MECHANISMS = ['RSA-PKCS', 'RSA-PSS', 'ECDSA'] as const;
export const DOC_TYPE_IDS_PATTERN = '^[A-Z]{2,3}$';

export type Config = Static<typeof ConfigSchema>;
export type AxisConfig = Config['axis'];
export type RemoteAxisConfig = Static<typeof AxisRemote>;
export type SerialLineConfig = Static<typeof SerialLine>;
export type HsmConfig = Static<typeof Hsm>;
export type Mechanism = (typeof MECHANISMS)[number];

export function isEmbeddedAxis(a: AxisConfig): a is Static<typeof AxisEmbedded> {
  return 'embedded' in a && a.embedded === true;
}
