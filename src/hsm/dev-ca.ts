import 'reflect-metadata';
import { webcrypto } from 'node:crypto';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
type RsaHashedKeyGenParams = webcrypto.RsaHashedKeyGenParams;
type EcKeyGenParams = webcrypto.EcKeyGenParams;
import * as x509 from '@peculiar/x509';

/**
 * A software certificate authority for development, tests and the demo only: it issues the
 * organisation certificate whose public key comes from the token. Production certificates come
 * from the Government Cipher Committee CA (domain.md §6), never from here.
 */
const crypto = webcrypto;
x509.cryptoProvider.set(crypto);

export type KeyFamily = 'rsa' | 'ec';

export interface DevCa {
  cert: x509.X509Certificate;
  privateKeyPkcs8: Uint8Array;
  signingKey: CryptoKey;
  algorithm: RsaHashedKeyGenParams | EcKeyGenParams;
}

const RSA: RsaHashedKeyGenParams = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) };
const EC: EcKeyGenParams & { hash: string } = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

/** Vietnamese names in UTF8String (C stays PrintableString, RFC 5280 Appendix A). */
export function vnName(cn: string, o: string, l: string): x509.Name {
  return new x509.Name([
    { '2.5.4.6': [{ printableString: 'VN' }] },
    { '2.5.4.7': [{ utf8String: l }] },
    { '2.5.4.10': [{ utf8String: o }] },
    { '2.5.4.3': [{ utf8String: cn }] },
  ]);
}

const YEAR_MS = 365 * 24 * 3600 * 1000;

export async function createDevCa(family: KeyFamily, now = new Date()): Promise<DevCa> {
  const algorithm = family === 'rsa' ? RSA : EC;
  const keys = (await crypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: vnName('Dev CA — Ban Cơ yếu (thử nghiệm)', 'Môi trường phát triển edoc-gateway', 'Hà Nội'),
    notBefore: new Date(now.getTime() - 3600_000),
    notAfter: new Date(now.getTime() + 10 * YEAR_MS),
    keys,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const privateKeyPkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', keys.privateKey));
  return { cert, privateKeyPkcs8, signingKey: keys.privateKey, algorithm };
}

export interface IssueOptions {
  ca: DevCa;
  /** DER SubjectPublicKeyInfo of the token's key. */
  spki: Uint8Array;
  subject: x509.Name;
  now?: Date;
  years?: number;
}

/** The organisation certificate: end entity, digitalSignature + nonRepudiation. */
export async function issueOrgCertificate(opts: IssueOptions): Promise<x509.X509Certificate> {
  const now = opts.now ?? new Date();
  const publicKey = new x509.PublicKey(opts.spki);
  return x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: opts.subject,
    issuer: opts.ca.cert.subjectName,
    notBefore: new Date(now.getTime() - 3600_000),
    notAfter: new Date(now.getTime() + (opts.years ?? 3) * YEAR_MS),
    publicKey,
    signingKey: opts.ca.signingKey,
    signingAlgorithm: opts.ca.algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation, true),
      await x509.SubjectKeyIdentifierExtension.create(publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(opts.ca.cert),
    ],
  });
}

function randomSerial(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[0] = (b[0]! & 0x7f) | 0x01; // positive and no leading zero byte
  return Buffer.from(b).toString('hex');
}
