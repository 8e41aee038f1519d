import type { Config } from '../config/schema.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../log/logger.js';
import type { SigningToken } from '../hsm/port.js';
import type { TrustStore } from '../signing/types.js';
import type { Store } from '../store/store.js';
import type { ViewContext } from './view.js';

/**
 * What every use case of the documents service needs. Built once by core.ts; tests build one
 * over a temp state dir, a SoftHSM token and the simulator.
 */
export interface DocumentsDeps {
  config: Pick<Config, 'organ' | 'signing' | 'relay' | 'policy' | 'limits'>;
  store: Store;
  token: SigningToken;
  trust: TrustStore;
  bus: EventBus;
  logger: Logger;
  /** Told when something was queued, so the outbox sends it at once. */
  onQueued?: () => void;
  now?: () => Date;
}

export function nowOf(deps: DocumentsDeps): Date {
  return deps.now?.() ?? new Date();
}

export function viewContext(deps: DocumentsDeps): ViewContext {
  return { now: nowOf(deps), receiptDeadlineHours: deps.config.relay.receiptDeadlineHours, organ: deps.config.organ };
}

/** The organisation certificate (DER), to tell our own signatures from the competent person's. */
export async function orgCertificate(deps: DocumentsDeps): Promise<Uint8Array | undefined> {
  try {
    return await deps.token.certificate();
  } catch {
    return undefined;
  }
}
