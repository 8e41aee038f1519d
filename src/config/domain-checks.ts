import type { Config } from './schema.js';
import { isDocumentTypeId, isValidOrganId } from '../domain/index.js';

/**
 * Config checks that need the domain catalogue. Kept apart from the schema so config/ does not
 * depend on domain/ for its types; the loader reports these together with the schema's problems.
 */
export const domainConfigChecks: ((c: Config) => string[])[] = [
  (c) =>
    c.relay.paperlessTypes
      .map((t, i) => (isDocumentTypeId(t) ? null : `relay.paperlessTypes.${i}: "${t}" is not a document type id (domain.md §3)`))
      .filter((p): p is string => p !== null),
  (c) => (isValidOrganId(c.organ.id) ? [] : [`organ.id: "${c.organ.id}" is not a valid OrganId`]),
];
