import type { Auth } from '../auth/index.js';
import type { Config } from '../config/schema.js';
import { isEmbeddedAxis } from '../config/schema.js';
import type { Core } from '../core.js';
import type { Logger } from '../log/logger.js';
import { loadTrustStore } from '../signing/certificates.js';
import type { AdminContext } from './ops.js';
import { runSelftest, type SelftestLine, type SelftestParts } from './selftest.js';

/**
 * The admin context of the running service, from the parts main.ts already holds: the core (store,
 * token, documents, embedded axis), the shared Auth (so a user disabled here loses their web
 * sessions at once) and the display driver when there is one.
 */
export function serviceAdminContext(o: { core: Core; auth: Auth; config: Config; logger: Logger; display?: SelftestParts['display'] }): AdminContext {
  const { core, config } = o;
  return {
    store: core.store,
    auth: o.auth,
    logger: o.logger,
    report: (q) => core.documents.report(q),
    hsmInfo: () => core.token.info(),
    selftest: () => serviceSelftest(o),
  };
}

/**
 * `selftest` of the running service, for the admin socket (the CLI) and the technician console
 * alike: the spec wants the same checks in both places, so there is one implementation.
 */
export async function serviceSelftest(o: { core: Core; config: Config; display?: SelftestParts['display'] }): Promise<SelftestLine[]> {
  const { core, config } = o;
  return runSelftest({
    store: core.store,
    token: core.token,
    trust: await loadTrustStore(config.trust.anchors).catch(() => null),
    display: o.display ?? null,
    axisUrl: isEmbeddedAxis(config.axis) ? (core.embeddedAxis?.sim.url ?? null) : config.axis.endpoint,
    skipReason: 'not configured',
  });
}
