import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

/**
 * The little the PDF verifier must know about a CMS before handing it to the CMS verifier: which
 * digest to compute over the ByteRange (other tools may use SHA-384/512) and which certificate
 * signed (to recognise the organisation key). Full verification is `verifyCadesDetached`'s job.
 */
export interface CmsInfo {
  /** The encoded CMS alone (the /Contents placeholder's zero padding removed). */
  der: Uint8Array;
  /** node:crypto hash name for the signer's digest algorithm, or null when unsupported. */
  digestAlgorithm: string | null;
  /** DER of the signer certificate when the CMS carries it. */
  signerCert: Uint8Array | null;
}

const DIGESTS: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

export function readCmsInfo(contents: Uint8Array): CmsInfo {
  if (contents[0] !== 0x30) throw new Error('/Contents does not hold a CMS');
  // BER, not only DER: NSS (pdfsig) writes indefinite lengths. The parse stops at the end of the
  // first element, which is where the zero padding of the placeholder begins.
  const asn = asn1js.fromBER(Uint8Array.from(contents));
  if (asn.offset === -1) throw new Error(`/Contents CMS is not valid BER (${asn.result.error})`);
  const der = contents.subarray(0, asn.offset);
  const ci = new pkijs.ContentInfo({ schema: asn.result });
  if (ci.contentType !== '1.2.840.113549.1.7.2') throw new Error('/Contents is not CMS SignedData');
  const sd = new pkijs.SignedData({ schema: ci.content });
  const si = sd.signerInfos[0];
  if (!si) throw new Error('CMS has no SignerInfo');
  const digestAlgorithm = DIGESTS[si.digestAlgorithm.algorithmId] ?? null;
  let signerCert: Uint8Array | null = null;
  for (const c of sd.certificates ?? []) {
    if (!(c instanceof pkijs.Certificate)) continue;
    if (matchesSid(c, si.sid)) {
      signerCert = new Uint8Array(c.toSchema().toBER(false));
      break;
    }
  }
  return { der, digestAlgorithm, signerCert };
}

function matchesSid(cert: pkijs.Certificate, sid: unknown): boolean {
  if (sid instanceof pkijs.IssuerAndSerialNumber) {
    return cert.issuer.isEqual(sid.issuer) && cert.serialNumber.isEqual(sid.serialNumber);
  }
  // subjectKeyIdentifier form: [0] IMPLICIT OCTET STRING
  const ski = cert.extensions?.find((e) => e.extnID === '2.5.29.14');
  if (!ski || !(sid instanceof asn1js.Primitive)) return false;
  const want = Buffer.from(sid.valueBlock.valueHexView);
  const parsed = asn1js.fromBER(ski.extnValue.valueBlock.valueHexView);
  const have = parsed.result instanceof asn1js.OctetString ? Buffer.from(parsed.result.valueBlock.valueHexView) : null;
  return have !== null && have.equals(want);
}
