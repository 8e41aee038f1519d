/**
 * Shared shapes of the signing module. The signer side takes a SigningToken (src/hsm/port.ts);
 * the verifier side returns VerifiedSignature records matching `POST /api/v1/verify` of
 * spec/http-api.md.
 */
export type SignatureFormat = 'pades' | 'cades' | 'xmldsig';

export interface SignerSummary {
  subject: string;
  issuer: string;
  serial: string;
  notBefore: string;
  notAfter: string;
}

export interface VerifiedSignature {
  format: SignatureFormat;
  signer: SignerSummary | null;
  /** ISO 8601: PDF `/M`, CMS signingTime when present, or null. */
  signedAt: string | null;
  integrity: 'valid' | 'invalid';
  coversWholeDocument: boolean;
  certificateTrusted: boolean;
  /** PDF only: bytes appended after this signature's range (later incremental updates). */
  modifiedAfter?: boolean;
  /** True when the signer certificate is the organisation key's own (for the prior-signature policy). */
  byOrganisationKey?: boolean;
  problems?: string[];
}

export interface VerifyResult {
  valid: boolean;
  signatures: VerifiedSignature[];
}

/** Trust anchors (CA certificates, DER) used to build and check chains. */
export interface TrustStore {
  anchors(): Uint8Array[];
}
