import t from 'tap';
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { createCadesSignature } from '../../src/signing/cms-sign.js';
import { OID, sha256Algorithm, signatureAlgorithm, toArrayBuffer } from '../../src/signing/cms-oids.js';
import { createDevCa } from '../../src/hsm/dev-ca.js';
import type { Mechanism } from '../../src/config/schema.js';
import type { SigningToken } from '../../src/hsm/port.js';

/**
 * createCadesSignature assembles the CMS from pieces cached per certificate. This checks it
 * byte for byte against the whole structure built the straightforward way with pkijs (what the
 * signer did before the cache), for each mechanism, with and without signing-time, and after the
 * token's certificate changes (the cache must not serve the old one).
 */
function reference(certDer: Uint8Array, chainDer: Uint8Array[], mechanism: Mechanism, digest: Uint8Array, signature: Uint8Array, signingTime: Date | null): Uint8Array {
  const cert = pkijs.Certificate.fromBER(toArrayBuffer(certDer));
  const attr = (type: string, value: asn1js.AsnType) => new pkijs.Attribute({ type, values: [value] });
  const certHash = createHash('sha256').update(certDer).digest();
  const issuerSerial = new asn1js.Sequence({
    value: [new asn1js.Sequence({ value: [new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 4 }, value: [cert.issuer.toSchema()] })] }), cert.serialNumber],
  });
  const ess = new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: toArrayBuffer(certHash) }), issuerSerial] })] })] });
  const attrs = [
    attr(OID.contentType, new asn1js.ObjectIdentifier({ value: OID.data })),
    attr(OID.messageDigest, new asn1js.OctetString({ valueHex: toArrayBuffer(digest) })),
    attr(OID.signingCertificateV2, ess),
  ];
  if (signingTime) attrs.push(attr(OID.signingTime, new asn1js.UTCTime({ valueDate: signingTime })));
  attrs.sort((a, b) => Buffer.compare(Buffer.from(a.toSchema().toBER(false)), Buffer.from(b.toSchema().toBER(false))));
  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
    digestAlgorithm: sha256Algorithm(),
    signedAttrs: new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes: attrs }),
    signatureAlgorithm: signatureAlgorithm(mechanism),
    signature: new asn1js.OctetString({ valueHex: toArrayBuffer(signature) }),
  });
  const signedData = new pkijs.SignedData({
    version: 1,
    digestAlgorithms: [sha256Algorithm()],
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.data }),
    certificates: [cert, ...chainDer.map((d) => pkijs.Certificate.fromBER(toArrayBuffer(d)))],
    signerInfos: [signerInfo],
  });
  return new Uint8Array(new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) }).toSchema().toBER(false));
}

function fakeToken(mechanism: Mechanism, cert: { der: Uint8Array }, chain: Uint8Array[], signature: Uint8Array, seen: Uint8Array[]): SigningToken {
  return {
    mechanism,
    state: () => 'ready',
    signDigest: async (d) => {
      seen.push(d);
      return signature;
    },
    certificate: async () => cert.der,
    chain: async () => chain,
    info: async () => {
      throw new Error('not used');
    },
    close: async () => undefined,
  };
}

t.test('same bytes as the pkijs-built structure', async (t) => {
  const rsa = new Uint8Array((await createDevCa('rsa')).cert.rawData);
  const ec = new Uint8Array((await createDevCa('ec')).cert.rawData);
  const digest = createHash('sha256').update('content').digest();
  // A 300-byte signature pushes SignerInfo lengths into the two-byte form.
  const signature = new Uint8Array(300).map((_, i) => (i * 7) & 0xff);
  for (const mechanism of ['RSA-PKCS', 'RSA-PSS', 'ECDSA'] as Mechanism[]) {
    for (const signingTime of [null, new Date(Date.UTC(2026, 10, 27, 8, 30, 0))]) {
      const cert = { der: mechanism === 'ECDSA' ? ec : rsa };
      const chain = [mechanism === 'ECDSA' ? rsa : ec];
      const seen: Uint8Array[] = [];
      const token = fakeToken(mechanism, cert, chain, signature, seen);
      const got = await createCadesSignature({ digest, token, signingTime });
      t.same(Buffer.from(got), Buffer.from(reference(cert.der, chain, mechanism, digest, signature, signingTime)), `${mechanism}, time ${signingTime !== null}`);
      // The HSM got the hash of the signed attributes as a SET, as stored in the output.
      const parsed = pkijs.ContentInfo.fromBER(toArrayBuffer(got));
      const si = new pkijs.SignedData({ schema: parsed.content }).signerInfos[0]!;
      const setDer = new Uint8Array(si.signedAttrs!.toSchema().toBER(false));
      setDer[0] = 0x31;
      t.same(Buffer.from(seen[0]!), createHash('sha256').update(setDer).digest());
      // A renewed certificate on the same token is not served from the cache.
      cert.der = cert.der === rsa ? ec : rsa;
      const again = await createCadesSignature({ digest, token, signingTime });
      t.same(Buffer.from(again), Buffer.from(reference(cert.der, chain, mechanism, digest, signature, signingTime)), `${mechanism} after the certificate changed`);
    }
  }
});
