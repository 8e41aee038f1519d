/**
 * The pure domain model: catalogue of document types, priorities, secrecy, status codes,
 * OrganIds, DocumentIds, metadata validation and the life-cycle state machines. No IO: nothing
 * here imports an adapter or node:fs/net, so every rule can be tested in isolation.
 */
export * from './text.js';
export * from './catalogue.js';
export * from './priority.js';
export * from './secrecy.js';
export * from './status-codes.js';
export * from './competence.js';
export * from './dates.js';
export * from './organ-id.js';
export * from './document-id.js';
export * from './lifecycle.js';
export * from './recipient-status.js';
export { normaliseNumber, NOTATION_MAX } from './notation.js';
export { validateMetadata, METADATA_LIMITS } from './metadata.js';
export type { DocumentMetadata, MetadataResult, SteeringType } from './metadata.js';
