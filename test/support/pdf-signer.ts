import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SigningToken } from '../../src/hsm/port.js';
import { loadTrustStore, trustStoreFromDer } from '../../src/signing/certificates.js';
import type { TrustStore } from '../../src/signing/types.js';
import { makeDevToken, openDevToken } from './softhsm.js';
import { makePdfFixtures, type PdfFixtures } from './pdf-fixtures.js';

/**
 * Everything an end-to-end PDF signing test needs: the fixtures, a real SoftHSM token (the
 * organisation key), and a trust store holding both the token's dev CA and the CA of the
 * "other tool" signer (pdfsig/NSS), so every signature in the tests can chain.
 */
export interface PdfSigningSetup {
  fx: PdfFixtures;
  token: SigningToken;
  orgCert: Uint8Array;
  trust: TrustStore;
  close(): Promise<void>;
}

export async function makePdfSigningSetup(dir: string): Promise<PdfSigningSetup> {
  const fx = makePdfFixtures(join(dir, 'fx'));
  const dev = await makeDevToken(join(dir, 'hsm'));
  const token = await openDevToken(dev);
  const devTrust = await loadTrustStore(dev.trustDir);
  const trust = trustStoreFromDer([...devTrust.anchors(), fx.pki.caDer]);
  return { fx, token, orgCert: await token.certificate(), trust, close: () => token.close() };
}

/** True when `prefix`'s bytes are exactly the start of `file`'s. */
export function isBytePrefix(prefix: string, file: string): boolean {
  const a = readFileSync(prefix);
  const b = readFileSync(file);
  return b.length > a.length && b.subarray(0, a.length).equals(a);
}
