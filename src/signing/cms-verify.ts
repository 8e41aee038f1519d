import { createHash, verify as cryptoVerify, X509Certificate as NodeX509, constants } from 'node:crypto';
import type { Readable } from 'node:stream';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { OID, toArrayBuffer } from './cms-oids.js';
import { checkCertificateChain, summarizeCertificate } from './certificates.js';
import type { TrustStore, VerifiedSignature } from './types.js';

/**
 * Verifies a detached CMS / CAdES signature: message-digest against the content, the signature
 * over the signed attributes with the signer certificate's key (RSA PKCS#1 v1.5, RSA-PSS, ECDSA),
 * the signing-certificate-v2 binding, and the chain to `trust.anchors` at signing time. Never
 * throws on a bad signature: every finding goes into `problems`.
 */
export interface CadesVerifyOptions {
  cms: Uint8Array;
  /** SHA-256 of the content when the caller already has it (PAdES ByteRange). */
  digest?: Uint8Array;
  content?: Uint8Array | Readable;
  trust: TrustStore;
  /** Time for certificate validity; default: the signed signing-time, else now. */
  at?: Date;
  /** The organisation's own certificate, to fill `byOrganisationKey`. */
  organisationCert?: Uint8Array;
}

const HASH_BY_OID: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  [OID.sha256]: 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

const SIG_HASH_BY_OID: Record<string, string> = {
  [OID.sha256WithRSA]: 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.113549.1.1.5': 'sha1',
  [OID.ecdsaWithSha256]: 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
};

interface Parsed {
  signedData: pkijs.SignedData;
  signer: pkijs.SignerInfo;
  /** The certificates exactly as encoded in the CMS (hashes and chains need the original bytes). */
  certs: { cert: pkijs.Certificate; der: Uint8Array }[];
}

/** `certificates [0] IMPLICIT CertificateSet` of the SignedData, plain X.509 entries only. */
function rawCertificates(signedDataSchema: asn1js.AsnType): { cert: pkijs.Certificate; der: Uint8Array }[] {
  const fields = (signedDataSchema as asn1js.Sequence).valueBlock.value;
  const set = fields.find((f) => f.idBlock.tagClass === 3 && f.idBlock.tagNumber === 0) as asn1js.Constructed | undefined;
  if (!set) return [];
  return set.valueBlock.value
    .filter((c) => c.idBlock.tagClass === 1 && c.idBlock.tagNumber === 16)
    .map((c) => {
      const der = new Uint8Array(c.valueBeforeDecodeView);
      return { cert: pkijs.Certificate.fromBER(toArrayBuffer(der)), der };
    });
}

function parse(cms: Uint8Array): Parsed {
  const ci = pkijs.ContentInfo.fromBER(toArrayBuffer(cms));
  if (ci.contentType !== OID.signedData) throw new Error('not a CMS SignedData');
  const signedData = new pkijs.SignedData({ schema: ci.content });
  const signer = signedData.signerInfos[0];
  if (!signer) throw new Error('no SignerInfo');
  return { signedData, signer, certs: rawCertificates(ci.content) };
}

async function hashContent(content: Uint8Array | Readable, alg: string): Promise<Uint8Array> {
  const h = createHash(alg);
  if (content instanceof Uint8Array) h.update(content);
  else for await (const chunk of content) h.update(chunk as Buffer);
  return new Uint8Array(h.digest());
}

function findSigner(si: pkijs.SignerInfo, certs: { cert: pkijs.Certificate; der: Uint8Array }[]) {
  if (si.sid instanceof pkijs.IssuerAndSerialNumber) {
    const sid = si.sid;
    return certs.find((c) => c.cert.issuer.isEqual(sid.issuer) && c.cert.serialNumber.isEqual(sid.serialNumber));
  }
  // [0] IMPLICIT SubjectKeyIdentifier: a primitive context tag holding the key id bytes.
  const view = (si.sid as { valueBlock?: { valueHexView?: Uint8Array } }).valueBlock?.valueHexView;
  if (!view || view.length === 0) return undefined;
  const wanted = Buffer.from(view).toString('hex');
  return certs.find((c) => {
    try {
      return new x509.X509Certificate(c.der).getExtension(x509.SubjectKeyIdentifierExtension)?.keyId === wanted;
    } catch {
      return false;
    }
  });
}

function attr(si: pkijs.SignerInfo, oid: string): asn1js.AsnType | undefined {
  return si.signedAttrs?.attributes.find((a) => a.type === oid)?.values[0];
}

/** Check the raw signature; returns a problem or null. */
function checkSignature(si: pkijs.SignerInfo, data: Uint8Array, signerDer: Uint8Array): string | null {
  const key = new NodeX509(signerDer).publicKey;
  const sig = si.signature.valueBlock.valueHexView;
  const algOid = si.signatureAlgorithm.algorithmId;
  const digestHash = HASH_BY_OID[si.digestAlgorithm.algorithmId];
  try {
    if (algOid === OID.rsassaPss) {
      const p = new pkijs.RSASSAPSSParams({ schema: si.signatureAlgorithm.algorithmParams });
      const hash = HASH_BY_OID[p.hashAlgorithm.algorithmId] ?? 'sha1';
      const ok = cryptoVerify(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: p.saltLength }, sig);
      return ok ? null : 'the signature value does not verify';
    }
    if (algOid === OID.rsaEncryption || algOid === OID.ecPublicKey) {
      if (!digestHash) return `unsupported digest algorithm ${si.digestAlgorithm.algorithmId}`;
      const ok = cryptoVerify(digestHash, data, algOid === OID.rsaEncryption ? { key, padding: constants.RSA_PKCS1_PADDING } : { key, dsaEncoding: 'der' }, sig);
      return ok ? null : 'the signature value does not verify';
    }
    const hash = SIG_HASH_BY_OID[algOid];
    if (!hash) return `unsupported signature algorithm ${algOid}`;
    const isEc = algOid.startsWith('1.2.840.10045.');
    const ok = cryptoVerify(hash, data, isEc ? { key, dsaEncoding: 'der' } : { key, padding: constants.RSA_PKCS1_PADDING }, sig);
    return ok ? null : 'the signature value does not verify';
  } catch (e) {
    return `the signature could not be checked (${(e as Error).message})`;
  }
}

function essCertHashMatches(value: asn1js.AsnType, signerDer: Uint8Array): boolean {
  // SigningCertificateV2 { certs SEQUENCE OF ESSCertIDv2 { [hashAlgorithm], certHash, … } }
  const certs = (value as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence | undefined;
  const first = certs?.valueBlock.value[0] as asn1js.Sequence | undefined;
  if (!first) return false;
  const parts = first.valueBlock.value;
  let alg = 'sha256';
  let i = 0;
  if (parts[0] instanceof asn1js.Sequence) {
    const id = new pkijs.AlgorithmIdentifier({ schema: parts[0] });
    alg = HASH_BY_OID[id.algorithmId] ?? 'unknown';
    i = 1;
  }
  const hash = parts[i];
  if (!(hash instanceof asn1js.OctetString) || alg === 'unknown') return false;
  const expected = createHash(alg).update(signerDer).digest();
  return Buffer.compare(Buffer.from(hash.valueBlock.valueHexView), expected) === 0;
}

function signingTimeOf(si: pkijs.SignerInfo): Date | null {
  const v = attr(si, OID.signingTime);
  if (v instanceof asn1js.UTCTime || v instanceof asn1js.GeneralizedTime) return v.toDate();
  return null;
}

function sameDer(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
}

export async function verifyCadesDetached(opts: CadesVerifyOptions): Promise<VerifiedSignature> {
  const result: VerifiedSignature = {
    format: 'cades',
    signer: null,
    signedAt: null,
    integrity: 'invalid',
    coversWholeDocument: false,
    certificateTrusted: false,
    problems: [],
  };
  const problems = result.problems!;
  let parsed: Parsed;
  try {
    parsed = parse(opts.cms);
  } catch (e) {
    problems.push(`not a readable CMS signature (${(e as Error).message})`);
    return result;
  }
  const { signedData, signer: si, certs } = parsed;
  const signerCert = findSigner(si, certs);
  if (!signerCert) {
    problems.push('the signer certificate is not included');
    return result;
  }
  result.signer = summarizeCertificate(signerCert.der);
  if (opts.organisationCert) result.byOrganisationKey = sameDer(signerCert.der, opts.organisationCert);
  const signedAt = signingTimeOf(si);
  result.signedAt = signedAt ? signedAt.toISOString() : null;

  const digestAlg = HASH_BY_OID[si.digestAlgorithm.algorithmId];
  let contentDigest: Uint8Array | null = null;
  const embedded = signedData.encapContentInfo.eContent?.valueBlock.valueHexView;
  if (!digestAlg) problems.push(`unsupported digest algorithm ${si.digestAlgorithm.algorithmId}`);
  else if (opts.digest && digestAlg === 'sha256') contentDigest = opts.digest;
  else if (opts.content) contentDigest = await hashContent(opts.content, digestAlg);
  else if (embedded) contentDigest = await hashContent(new Uint8Array(embedded), digestAlg);
  else problems.push('no content to check the signature against');

  let integrityOk = contentDigest !== null;
  let signedData_: Uint8Array;
  if (si.signedAttrs) {
    const md = attr(si, OID.messageDigest);
    if (!(md instanceof asn1js.OctetString)) {
      problems.push('the message-digest attribute is missing');
      integrityOk = false;
    } else if (contentDigest && !sameDer(new Uint8Array(md.valueBlock.valueHexView), contentDigest)) {
      problems.push('the content does not match the signed message digest');
      integrityOk = false;
    }
    const ct = attr(si, OID.contentType);
    if (!(ct instanceof asn1js.ObjectIdentifier) || ct.valueBlock.toString() !== signedData.encapContentInfo.eContentType) {
      problems.push('the content-type attribute is missing or wrong');
      integrityOk = false;
    }
    const scv2 = attr(si, OID.signingCertificateV2);
    if (scv2 && !essCertHashMatches(scv2, signerCert.der)) {
      problems.push('signing-certificate-v2 does not match the signer certificate');
      integrityOk = false;
    }
    signedData_ = new Uint8Array(si.signedAttrs.encodedValue.slice(0));
    signedData_[0] = 0x31; // signed as a SET, stored as [0] IMPLICIT (RFC 5652 §5.4)
  } else if (opts.content instanceof Uint8Array) {
    signedData_ = opts.content;
  } else {
    problems.push('no signed attributes and no content bytes to check the signature against');
    return result;
  }
  const sigProblem = checkSignature(si, signedData_, signerCert.der);
  if (sigProblem) {
    problems.push(sigProblem);
    integrityOk = false;
  }
  result.integrity = integrityOk ? 'valid' : 'invalid';
  result.coversWholeDocument = integrityOk;

  const chain = checkCertificateChain({
    leaf: signerCert.der,
    intermediates: certs.map((c) => c.der).filter((d) => !sameDer(d, signerCert.der)),
    trust: opts.trust,
    at: opts.at ?? signedAt ?? new Date(),
  });
  result.certificateTrusted = chain.trusted;
  problems.push(...chain.problems);
  return result;
}

/** The signer certificate (DER) of a CMS signature, or null when it cannot be found. */
export function cmsSignerCertificate(cms: Uint8Array): Uint8Array | null {
  try {
    const { signer, certs } = parse(cms);
    return findSigner(signer, certs)?.der ?? null;
  } catch {
    return null;
  }
}
