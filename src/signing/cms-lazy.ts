import type { CadesSignOptions } from './cms-sign.js';
import type { CadesVerifyOptions } from './cms-verify.js';
import type { CmsInfo } from './pdf/cms-info.js';
import type { VerifiedSignature } from './types.js';

/**
 * The CMS code (pkijs, ESM-only, ≈ 5 MB resident once loaded) is imported on the first signature
 * or verification, not when the service starts: a commune's box may sit idle for hours after a
 * boot, and start-up on a Pi is paid in seconds per megabyte of JavaScript parsed. Node caches the
 * module, so only the first call waits for the load. Everything on the service's path imports these
 * wrappers; the modules themselves stay importable directly (tests, the CLI, the bench).
 */
export async function createCadesSignature(opts: CadesSignOptions): Promise<Uint8Array> {
  return (await import('./cms-sign.js')).createCadesSignature(opts);
}

export async function verifyCadesDetached(opts: CadesVerifyOptions): Promise<VerifiedSignature> {
  return (await import('./cms-verify.js')).verifyCadesDetached(opts);
}

export async function readCmsInfo(contents: Uint8Array): Promise<CmsInfo> {
  return (await import('./pdf/cms-info.js')).readCmsInfo(contents);
}
