import { webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { Mechanism } from '../config/schema.js';

/**
 * Object identifiers and AlgorithmIdentifiers shared by the CMS signer and verifier. pkijs needs a
 * crypto engine even to encode some structures; Node's WebCrypto is registered once here.
 */
pkijs.setEngine('node', new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as pkijs.CryptoEngineParameters['crypto'] }));

export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  sha256: '2.16.840.1.101.3.4.2.1',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRSA: '1.2.840.113549.1.1.11',
  rsassaPss: '1.2.840.113549.1.1.10',
  mgf1: '1.2.840.113549.1.1.8',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecPublicKey: '1.2.840.10045.2.1',
} as const;

export function sha256Algorithm(): pkijs.AlgorithmIdentifier {
  // RFC 5754: SHA-2 identifiers are written without NULL parameters in CMS.
  return new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 });
}

/** RSASSA-PSS-params for SHA-256 / MGF1-SHA-256 / salt 32 (RFC 4055 §3.1). */
export function pssParams(): pkijs.RSASSAPSSParams {
  return new pkijs.RSASSAPSSParams({
    hashAlgorithm: sha256Algorithm(),
    maskGenAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.mgf1, algorithmParams: sha256Algorithm().toSchema() }),
    saltLength: 32,
  });
}

/** The SignerInfo signatureAlgorithm for a token mechanism. */
export function signatureAlgorithm(mech: Mechanism): pkijs.AlgorithmIdentifier {
  switch (mech) {
    case 'RSA-PKCS':
      // rsaEncryption (with NULL) is what OpenSSL, NSS and most CAdES producers write.
      return new pkijs.AlgorithmIdentifier({ algorithmId: OID.rsaEncryption, algorithmParams: new asn1js.Null() });
    case 'RSA-PSS':
      return new pkijs.AlgorithmIdentifier({ algorithmId: OID.rsassaPss, algorithmParams: pssParams().toSchema() });
    case 'ECDSA':
      return new pkijs.AlgorithmIdentifier({ algorithmId: OID.ecdsaWithSha256 });
  }
}

export function toArrayBuffer(u: Uint8Array): ArrayBuffer {
  return u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength) as ArrayBuffer;
}
