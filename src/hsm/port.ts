import type { Mechanism } from '../config/schema.js';
import type { HsmState } from '../events.js';

/**
 * The token port: what signing needs from the HSM, and nothing else. The graphene adapter
 * implements it over PKCS#11; everything above depends only on this interface.
 */
export interface SigningToken {
  /** The mechanism the key is used with (config `hsm.mechanism`). */
  readonly mechanism: Mechanism;
  /** Current state; `ready` is the only one in which `signDigest` can succeed. */
  state(): HsmState;
  /**
   * Sign a SHA-256 digest (32 bytes) with the organisation key. Returns the signature value as it
   * goes into CMS/XMLDSig: PKCS#1 v1.5 or PSS bytes for RSA, DER `ECDSA-Sig-Value` for ECDSA.
   * Rejects with AppError('HSM_UNAVAILABLE') when the token is not ready. Never blocks the loop.
   */
  signDigest(digest: Uint8Array): Promise<Uint8Array>;
  /** The signer certificate (DER) and the rest of the chain found on the token / trust dir. */
  certificate(): Promise<Uint8Array>;
  chain(): Promise<Uint8Array[]>;
  /** Summary for `hsm info`, health and the console. Never includes the PIN. */
  info(): Promise<TokenInfo>;
  close(): Promise<void>;
}

export interface TokenInfo {
  module: string;
  tokenLabel: string;
  keyLabel: string;
  state: HsmState;
  mechanism: Mechanism;
  mechanismsSupported: string[];
  certificate: { subject: string; issuer: string; serial: string; notBefore: string; notAfter: string } | null;
  lastError: string | null;
}
