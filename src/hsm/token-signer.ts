import { MechanismEnum, RsaMgf, RsaPssParams, type PrivateKey, type Session } from 'graphene-pk11';
import type { Mechanism } from '../config/schema.js';
import { ecdsaRawToDer, sha256DigestInfo } from './der.js';

/**
 * How each configured mechanism turns a SHA-256 digest into a signature on the token. The token
 * only ever sees a digest: RSA PKCS#1 v1.5 as CKM_RSA_PKCS over DigestInfo, PSS as
 * CKM_RSA_PKCS_PSS (SHA-256, MGF1-SHA-256, salt 32) over the digest, ECDSA as raw CKM_ECDSA
 * (all SoftHSM 2.6 offers) with r‖s converted to DER afterwards.
 */
interface Plan {
  mechanism: Parameters<Session['createSign']>[0];
  input: Uint8Array;
  finish: (sig: Uint8Array) => Uint8Array;
}

function plan(mech: Mechanism, digest: Uint8Array): Plan {
  switch (mech) {
    case 'RSA-PKCS':
      return { mechanism: 'RSA_PKCS', input: sha256DigestInfo(digest), finish: (s) => s };
    case 'RSA-PSS':
      return {
        mechanism: { name: 'RSA_PKCS_PSS', params: new RsaPssParams(MechanismEnum.SHA256, RsaMgf.MGF1_SHA256, 32) },
        input: digest,
        finish: (s) => s,
      };
    case 'ECDSA':
      return { mechanism: 'ECDSA', input: digest, finish: ecdsaRawToDer };
  }
}

/** PKCS#11 mechanism names needed for each configured mechanism (for `hsm info` and checks). */
export const REQUIRED_MECHANISM: Record<Mechanism, string> = { 'RSA-PKCS': 'RSA_PKCS', 'RSA-PSS': 'RSA_PKCS_PSS', ECDSA: 'ECDSA' };

/**
 * One sign on one session, asynchronously: C_SignInit is a quick synchronous call, C_Sign runs
 * on a libuv worker thread (graphene's `once(data, cb)`), so the event loop never waits on the
 * token. The caller guarantees the session is not used by anyone else meanwhile.
 */
export function signOnSession(session: Session, key: PrivateKey, mech: Mechanism, digest: Uint8Array): Promise<Uint8Array> {
  if (digest.length !== 32) return Promise.reject(new RangeError('signDigest expects a 32-byte SHA-256 digest'));
  const p = plan(mech, digest);
  return new Promise((resolve, reject) => {
    try {
      const signer = session.createSign(p.mechanism, key);
      signer.once(Buffer.from(p.input), (err: Error | null, sig: Buffer) => {
        if (err) reject(err);
        else {
          try {
            resolve(p.finish(new Uint8Array(sig)));
          } catch (e) {
            reject(e as Error);
          }
        }
      });
    } catch (e) {
      reject(e as Error);
    }
  });
}
