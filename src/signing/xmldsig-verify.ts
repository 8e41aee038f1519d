import { constants, createHash, verify as cryptoVerify, X509Certificate as NodeX509 } from 'node:crypto';
import type { Document, Element } from '@xmldom/xmldom';
import { checkCertificateChain, summarizeCertificate } from './certificates.js';
import type { TrustStore, VerifiedSignature } from './types.js';
import { DS_NS, URI, canonicalize, dsChild, dsChildren, parseXmlStrict } from './xmldsig-dom.js';

/**
 * Verifies XMLDSig signatures: every Reference digest (enveloped-signature and C14N transforms,
 * same-document URIs only), the SignatureValue over canonical SignedInfo with the KeyInfo
 * certificate (RSA-SHA256/SHA1, ECDSA-SHA256, RSA-PSS-SHA256), and the chain to the trust
 * anchors. Independent of the signer's code path except for the C14N transforms (xmldsigjs).
 */
export interface XmlVerifyOptions {
  organisationCert?: Uint8Array;
  at?: Date;
}

const DIGEST: Record<string, string> = { [URI.sha256]: 'sha256', [URI.sha1]: 'sha1', [URI.sha512]: 'sha512' };
const C14N_METHODS = new Set<string>([URI.excC14n, URI.excC14nWithComments, URI.c14n, URI.c14nWithComments]);

function emptyResult(problem: string): VerifiedSignature {
  return { format: 'xmldsig', signer: null, signedAt: null, integrity: 'invalid', coversWholeDocument: false, certificateTrusted: false, problems: [problem] };
}

function text(e: Element | null): string {
  return (e?.textContent ?? '').replace(/\s+/g, '');
}

function findById(doc: Document, id: string): Element | null {
  const all = doc.getElementsByTagName('*');
  for (let i = 0; i < all.length; i++) {
    const e = all.item(i)!;
    if (e.getAttribute('Id') === id || e.getAttribute('ID') === id || e.getAttribute('id') === id) return e;
  }
  return null;
}

/** Digest of one Reference; null with a problem when it cannot be computed. */
function referenceDigest(doc: Document, sig: Element, ref: Element, problems: string[]): { ok: boolean; whole: boolean } {
  const uri = ref.getAttribute('URI') ?? '';
  const target = uri === '' ? doc : uri.startsWith('#') ? findById(doc, uri.slice(1)) : null;
  if (!target) {
    problems.push(`reference "${uri}" cannot be resolved (only same-document references are accepted)`);
    return { ok: false, whole: false };
  }
  const transforms = dsChildren(dsChild(ref, 'Transforms') ?? sig, 'Transform').map((t) => t.getAttribute('Algorithm') ?? '');
  let c14n: string = URI.c14n; // XMLDSig §4.3.3.2: a node-set becomes octets through inclusive C14N
  let enveloped = false;
  for (const t of transforms) {
    if (t === URI.enveloped) enveloped = true;
    else if (C14N_METHODS.has(t)) c14n = t;
    else {
      problems.push(`unsupported transform ${t}`);
      return { ok: false, whole: false };
    }
  }
  // URI="" excludes comments whatever the C14N variant says (XMLDSig §4.3.3.3).
  if (uri === '' && c14n === URI.excC14nWithComments) c14n = URI.excC14n;
  if (uri === '' && c14n === URI.c14nWithComments) c14n = URI.c14n;
  const alg = DIGEST[dsChild(ref, 'DigestMethod')?.getAttribute('Algorithm') ?? ''];
  if (!alg) {
    problems.push('unsupported digest method');
    return { ok: false, whole: false };
  }
  const parent = sig.parentNode;
  const next = sig.nextSibling;
  if (enveloped && parent) parent.removeChild(sig);
  let octets: Uint8Array;
  try {
    octets = canonicalize(target, c14n);
  } finally {
    if (enveloped && parent) parent.insertBefore(sig, next);
  }
  const digest = createHash(alg).update(octets).digest('base64');
  const ok = digest === text(dsChild(ref, 'DigestValue'));
  if (!ok) problems.push(`the digest of reference "${uri}" does not match: the document was changed`);
  const whole = uri === '' || target === doc.documentElement;
  return { ok, whole: whole && (enveloped || uri !== '') };
}

function checkSignatureValue(method: string, data: Uint8Array, sigValue: Buffer, certDer: Uint8Array): string | null {
  const key = new NodeX509(certDer).publicKey;
  try {
    let ok: boolean;
    switch (method) {
      case URI.rsaSha256:
        ok = cryptoVerify('sha256', data, { key, padding: constants.RSA_PKCS1_PADDING }, sigValue);
        break;
      case URI.rsaSha1:
        ok = cryptoVerify('sha1', data, { key, padding: constants.RSA_PKCS1_PADDING }, sigValue);
        break;
      case URI.rsaPssSha256:
        ok = cryptoVerify('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, sigValue);
        break;
      case URI.ecdsaSha256:
        ok = cryptoVerify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, sigValue);
        break;
      default:
        return `unsupported signature method ${method}`;
    }
    return ok ? null : 'the signature value does not verify';
  } catch (e) {
    return `the signature could not be checked (${(e as Error).message})`;
  }
}

async function verifyOne(doc: Document, sig: Element, trust: TrustStore, opts: XmlVerifyOptions): Promise<VerifiedSignature> {
  const signedInfo = dsChild(sig, 'SignedInfo');
  if (!signedInfo) return emptyResult('Signature without SignedInfo');
  const certs = dsChildren(dsChild(dsChild(sig, 'KeyInfo') ?? sig, 'X509Data') ?? sig, 'X509Certificate').map(
    (c) => new Uint8Array(Buffer.from(text(c), 'base64')),
  );
  const leaf = certs[0];
  if (!leaf) return emptyResult('no certificate in KeyInfo/X509Data');
  const result: VerifiedSignature = { ...emptyResult(''), problems: [] };
  const problems = result.problems!;
  try {
    result.signer = summarizeCertificate(leaf);
  } catch {
    return emptyResult('the KeyInfo certificate cannot be read');
  }
  if (opts.organisationCert) result.byOrganisationKey = Buffer.compare(Buffer.from(leaf), Buffer.from(opts.organisationCert)) === 0;

  const refs = dsChildren(signedInfo, 'Reference');
  if (refs.length === 0) problems.push('SignedInfo has no Reference');
  let refsOk = refs.length > 0;
  let whole = false;
  for (const ref of refs) {
    const r = referenceDigest(doc, sig, ref, problems);
    refsOk &&= r.ok;
    whole ||= r.whole;
  }
  const c14n = dsChild(signedInfo, 'CanonicalizationMethod')?.getAttribute('Algorithm') ?? '';
  let sigOk = false;
  if (!C14N_METHODS.has(c14n)) problems.push(`unsupported canonicalisation ${c14n}`);
  else {
    const method = dsChild(signedInfo, 'SignatureMethod')?.getAttribute('Algorithm') ?? '';
    const problem = checkSignatureValue(method, canonicalize(signedInfo, c14n), Buffer.from(text(dsChild(sig, 'SignatureValue')), 'base64'), leaf);
    if (problem) problems.push(problem);
    else sigOk = true;
  }
  result.integrity = refsOk && sigOk ? 'valid' : 'invalid';
  result.coversWholeDocument = result.integrity === 'valid' && whole;
  const chain = checkCertificateChain({ leaf, intermediates: certs.slice(1), trust, at: opts.at ?? new Date() });
  result.certificateTrusted = chain.trusted;
  problems.push(...chain.problems);
  return result;
}

/** Every ds:Signature in the document, verified; an empty list when there is none. */
export async function verifyXmlSignatures(xml: string, trust: TrustStore, opts: XmlVerifyOptions = {}): Promise<VerifiedSignature[]> {
  const doc = parseXmlStrict(xml);
  const sigs = doc.getElementsByTagNameNS(DS_NS, 'Signature');
  const out: VerifiedSignature[] = [];
  for (let i = 0; i < sigs.length; i++) out.push(await verifyOne(doc, sigs.item(i)!, trust, opts));
  return out;
}

/** The document's (first) XML signature; a bad or missing one is an `invalid` result, not a throw. */
export async function verifyXmlSignature(xml: string, trust: TrustStore, opts: XmlVerifyOptions = {}): Promise<VerifiedSignature> {
  let all: VerifiedSignature[];
  try {
    all = await verifyXmlSignatures(xml, trust, opts);
  } catch (e) {
    return emptyResult((e as Error).message);
  }
  return all[0] ?? emptyResult('no XML signature in the document');
}
