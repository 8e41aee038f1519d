import { AppError } from '../errors.js';
import { summarizeCertificate } from './certificates.js';
import type { VerifiedSignature } from './types.js';

/**
 * The prior-signature policy (`signing.requirePriorSignature`): the organisation seals only what
 * a competent person already signed, so a PDF must carry a valid signature — intact and chaining
 * to `trust.anchors` — by someone other than the organisation key.
 */
function byOrganisation(s: VerifiedSignature, orgCertDer: Uint8Array | null): boolean {
  if (s.byOrganisationKey !== undefined) return s.byOrganisationKey;
  if (!orgCertDer || !s.signer) return false;
  const org = summarizeCertificate(orgCertDer);
  return s.signer.serial === org.serial && s.signer.issuer === org.issuer;
}

export function hasPriorSignature(results: VerifiedSignature[], orgCertDer: Uint8Array | null): boolean {
  return results.some((s) => s.integrity === 'valid' && s.certificateTrusted && !byOrganisation(s, orgCertDer));
}

/** True when the policy is met; otherwise throws AppError('PRIOR_SIGNATURE_REQUIRED'). */
export function checkPriorSignature(results: VerifiedSignature[], orgCertDer: Uint8Array | null): true {
  if (hasPriorSignature(results, orgCertDer)) return true;
  const seen = results.length === 0 ? 'the file has no signature' : `none of its ${results.length} signature(s) is a valid one by another signer`;
  throw new AppError('PRIOR_SIGNATURE_REQUIRED', `a valid signature by the competent person is required before the organisation signs: ${seen}`, {
    signatures: results.map((s) => ({ integrity: s.integrity, certificateTrusted: s.certificateTrusted, byOrganisationKey: byOrganisation(s, orgCertDer), signer: s.signer?.subject ?? null })),
  });
}
