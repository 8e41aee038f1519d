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

/** DER SET OF sorts its elements by their encodings (X.690 §11.6). */
function sortAttributes(attrs: pkijs.Attribute[]): pkijs.Attribute[] {
  const enc = attrs.map((a) => ({ a, der: Buffer.from(a.toSchema().toBER(false)) }));
  enc.sort((x, y) => Buffer.compare(x.der, y.der));
  return enc.map((e) => e.a);
}

function signingTimeValue(t: Date): asn1js.AsnType {
  // RFC 5652 §11.3: UTCTime for 1950–2049, GeneralizedTime otherwise.
  const y = t.getUTCFullYear();
  return y >= 1950 && y < 2050 ? new asn1js.UTCTime({ valueDate: t }) : new asn1js.GeneralizedTime({ valueDate: t });
}

export async function createCadesSignature(opts: CadesSignOptions): Promise<Uint8Array> {
  if (opts.digest.length !== 32) throw new RangeError('digest must be a 32-byte SHA-256 value');
  const certDer = await opts.token.certificate();
  const chainDer = await opts.token.chain();
  const cert = pkijs.Certificate.fromBER(toArrayBuffer(certDer));

  const attrs = [
    attribute(OID.contentType, new asn1js.ObjectIdentifier({ value: OID.data })),
    attribute(OID.messageDigest, new asn1js.OctetString({ valueHex: toArrayBuffer(opts.digest) })),
    attribute(OID.signingCertificateV2, signingCertificateV2(cert, certDer)),
  ];
  if (opts.signingTime) attrs.push(attribute(OID.signingTime, signingTimeValue(opts.signingTime)));
  const signedAttrs = new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes: sortAttributes(attrs) });

  // The signature covers the attributes encoded as a universal SET (tag 0x31), not as the
  // [0] IMPLICIT field they are stored in (RFC 5652 §5.4).
  const toSign = new Uint8Array(signedAttrs.toSchema().toBER(false));
  toSign[0] = 0x31;
  const signature = await opts.token.signDigest(sha256(toSign));

  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
    digestAlgorithm: sha256Algorithm(),
    signedAttrs,
    signatureAlgorithm: signatureAlgorithm(opts.token.mechanism),
    signature: new asn1js.OctetString({ valueHex: toArrayBuffer(signature) }),
  });
  const signedData = new pkijs.SignedData({
    version: 1,
    digestAlgorithms: [sha256Algorithm()],
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.data }),
    certificates: [cert, ...chainDer.map((d) => pkijs.Certificate.fromBER(toArrayBuffer(d)))],
    signerInfos: [signerInfo],
  });
  const contentInfo = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
  return new Uint8Array(contentInfo.toSchema().toBER(false));
}

/** Convenience for whole files: hash then sign. */
export function sha256Of(data: Uint8Array): Uint8Array {
  return sha256(data);
}
