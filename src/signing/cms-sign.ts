import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { SigningToken } from '../hsm/port.js';
import { OID, sha256Algorithm, signatureAlgorithm, toArrayBuffer } from './cms-oids.js';

/**
 * Detached CMS SignedData, ETSI CAdES baseline B (EN 319 122-1): signed attributes content-type,
 * message-digest and signing-certificate-v2, plus signing-time only when asked (PAdES keeps the
 * time in the signature dictionary's /M). The private-key operation is the token's: we encode the
 * signed attributes ourselves, hash them, and hand the digest to `token.signDigest`.
 */
export interface CadesSignOptions {
  /** SHA-256 of the signed content (the PDF ByteRange, the file, …). */
  digest: Uint8Array;
  token: SigningToken;
  contentType?: 'data';
  /** Adds a signing-time attribute when given; PAdES passes null. */
  signingTime?: Date | null;
}

function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

function attribute(type: string, value: asn1js.AsnType): pkijs.Attribute {
  return new pkijs.Attribute({ type, values: [value] });
}

/** ESSCertIDv2 with the default hash (SHA-256, so omitted per DER) and the issuer/serial. */
function signingCertificateV2(cert: pkijs.Certificate, certDer: Uint8Array): asn1js.Sequence {
  const issuerSerial = new asn1js.Sequence({
    value: [
      // GeneralNames { directoryName [4] EXPLICIT Name }
      new asn1js.Sequence({ value: [new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 4 }, value: [cert.issuer.toSchema()] })] }),
      cert.serialNumber,
    ],
  });
  const essCertIdV2 = new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: toArrayBuffer(sha256(certDer)) }), issuerSerial] });
  return new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [essCertIdV2] })] });
}

function signingTimeValue(t: Date): asn1js.AsnType {
  // RFC 5652 §11.3: UTCTime for 1950–2049, GeneralizedTime otherwise.
  const y = t.getUTCFullYear();
  return y >= 1950 && y < 2050 ? new asn1js.UTCTime({ valueDate: t }) : new asn1js.GeneralizedTime({ valueDate: t });
}

/** DER tag-length-value; definite lengths in the minimal form, as asn1js writes them. */
function tlv(tag: number, ...parts: Uint8Array[]): Buffer {
  const len = parts.reduce((n, p) => n + p.length, 0);
  let header: number[];
  if (len < 0x80) header = [tag, len];
  else {
    const bytes: number[] = [];
    for (let n = len; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
    header = [tag, 0x80 | bytes.length, ...bytes];
  }
  return Buffer.concat([Buffer.from(header), ...parts]);
}

function der(schema: { toBER(sizeOnly?: boolean): ArrayBuffer }): Buffer {
  return Buffer.from(schema.toBER(false));
}

/**
 * Everything of the CMS that depends only on the token's certificate, chain and mechanism, encoded
 * once. Parsing the certificates and re-encoding them through asn1js cost ~10 ms of CPU per
 * signature (a third of the service's CPU under load); per signature only the message digest, the
 * optional signing time and the signature value change. The pieces are encoded by pkijs itself, so
 * the output is the same bytes as building the whole structure with pkijs.
 */
interface CmsTemplate {
  contentTypeAttr: Buffer;
  signingCertAttr: Buffer;
  /** INTEGER version 1 + IssuerAndSerialNumber + digestAlgorithm: the SignerInfo up to signedAttrs. */
  signerInfoHead: Buffer;
  signatureAlgorithm: Buffer;
  /** version, digestAlgorithms, encapContentInfo and the [0] certificates of SignedData. */
  signedDataHead: Buffer;
  contentTypeOid: Buffer;
}

const templates = new Map<string, CmsTemplate>();
// A token keeps one certificate; a few entries cover a certificate renewed while running.
const MAX_TEMPLATES = 4;
let messageDigestPrefix: Buffer | null = null;

function buildTemplate(certDer: Uint8Array, chainDer: Uint8Array[], mechanism: SigningToken['mechanism']): CmsTemplate {
  const cert = pkijs.Certificate.fromBER(toArrayBuffer(certDer));
  const certificates = [cert, ...chainDer.map((d) => pkijs.Certificate.fromBER(toArrayBuffer(d)))];
  const certSet = new pkijs.CertificateSet({ certificates }).toSchema();
  const sid = new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber });
  const digestAlg = der(sha256Algorithm().toSchema());
  return {
    contentTypeAttr: der(attribute(OID.contentType, new asn1js.ObjectIdentifier({ value: OID.data })).toSchema()),
    signingCertAttr: der(attribute(OID.signingCertificateV2, signingCertificateV2(cert, certDer)).toSchema()),
    signerInfoHead: Buffer.concat([der(new asn1js.Integer({ value: 1 })), der(sid.toSchema()), digestAlg]),
    signatureAlgorithm: der(signatureAlgorithm(mechanism).toSchema()),
    signedDataHead: Buffer.concat([
      der(new asn1js.Integer({ value: 1 })),
      tlv(0x31, digestAlg),
      der(new pkijs.EncapsulatedContentInfo({ eContentType: OID.data }).toSchema()),
      der(new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: certSet.valueBlock.value })),
    ]),
    contentTypeOid: der(new asn1js.ObjectIdentifier({ value: OID.signedData })),
  };
}

function templateFor(certDer: Uint8Array, chainDer: Uint8Array[], mechanism: SigningToken['mechanism']): CmsTemplate {
  // Keyed by the certificate and chain bytes themselves: a renewed certificate gets a new entry.
  const key = [mechanism, Buffer.from(certDer).toString('base64'), ...chainDer.map((d) => Buffer.from(d).toString('base64'))].join(':');
  let t = templates.get(key);
  if (!t) {
    t = buildTemplate(certDer, chainDer, mechanism);
    if (templates.size >= MAX_TEMPLATES) templates.delete(templates.keys().next().value as string);
    templates.set(key, t);
  }
  return t;
}

function messageDigestAttr(digest: Uint8Array): Buffer {
  // SEQUENCE { OID messageDigest, SET { OCTET STRING (32) } }: the digest is the last 32 bytes.
  messageDigestPrefix ??= (() => {
    const full = der(attribute(OID.messageDigest, new asn1js.OctetString({ valueHex: new ArrayBuffer(32) })).toSchema());
    return full.subarray(0, full.length - 32);
  })();
  return Buffer.concat([messageDigestPrefix, digest]);
}

export async function createCadesSignature(opts: CadesSignOptions): Promise<Uint8Array> {
  if (opts.digest.length !== 32) throw new RangeError('digest must be a 32-byte SHA-256 value');
  const tpl = templateFor(await opts.token.certificate(), await opts.token.chain(), opts.token.mechanism);

  const attrs = [tpl.contentTypeAttr, messageDigestAttr(opts.digest), tpl.signingCertAttr];
  if (opts.signingTime) attrs.push(der(attribute(OID.signingTime, signingTimeValue(opts.signingTime)).toSchema()));
  // DER SET OF sorts its elements by their encodings (X.690 §11.6).
  attrs.sort(Buffer.compare);
  // The signature covers the attributes encoded as a universal SET (tag 0x31); they are stored as
  // the [0] IMPLICIT field (tag 0xA0) of SignerInfo (RFC 5652 §5.4).
  const toSign = tlv(0x31, ...attrs);
  const signature = await opts.token.signDigest(sha256(toSign));
  const signedAttrs = Buffer.from(toSign);
  signedAttrs[0] = 0xa0;

  const signerInfo = tlv(0x30, tpl.signerInfoHead, signedAttrs, tpl.signatureAlgorithm, tlv(0x04, signature));
  const signedData = tlv(0x30, tpl.signedDataHead, tlv(0x31, signerInfo));
  return new Uint8Array(tlv(0x30, tpl.contentTypeOid, tlv(0xa0, signedData)));
}

/** Convenience for whole files: hash then sign. */
export function sha256Of(data: Uint8Array): Uint8Array {
  return sha256(data);
}
