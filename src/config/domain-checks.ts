import type { Config } from './schema.js';

/**
 * Config checks that need the domain catalogue. Kept here (not in the schema) so config/ stays
 * independent of domain/ at the type level and the loader can report these with the rest.
 */
export const domainConfigChecks: ((c: Config) => string[])[] = [];
