import { createHash, webcrypto } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';

export interface TlsMaterial {
  cert: string;
  key: string;
  fingerprint: string;
}

/**
 * TLS for the LAN endpoint: the configured certificate, or a self-signed one created on first start
 * and kept in the state directory so its fingerprint stays the same across restarts (staff
 * accept it once in the browser). Returns null only for `tls: false` (loopback, checked by config).
 */
export async function loadTls(config: Config, logger: Logger): Promise<TlsMaterial | null> {
  const tls = config.http.tls;
  if (tls === false) return null;
  if (typeof tls === 'object') {
    const [cert, key] = await Promise.all([readFile(tls.cert, 'utf8'), readFile(tls.key, 'utf8')]);
    return { cert, key, fingerprint: fingerprintOf(cert) };
  }
  const dir = join(config.stateDir, 'tls');
  const certPath = join(dir, 'self-signed.crt');
  const keyPath = join(dir, 'self-signed.key');
  try {
    const [cert, key] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
    return { cert, key, fingerprint: fingerprintOf(cert) };
  } catch {
    /* first start: create below */
  }
  const made = await makeSelfSigned(config.organ.name);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(keyPath, made.key, { mode: 0o600 });
  await writeFile(certPath, made.cert, { mode: 0o644 });
  logger.info({ fingerprint: made.fingerprint }, 'created a self-signed TLS certificate');
  return made;
}

export function fingerprintOf(pem: string): string {
  const b64 = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  const hex = createHash('sha256').update(Buffer.from(b64, 'base64')).digest('hex').toUpperCase();
  return hex.match(/../g)?.join(':') ?? hex;
}

export async function makeSelfSigned(commonName: string, hosts: string[] = ['localhost', '127.0.0.1', '::1']): Promise<TlsMaterial> {
  // Loaded here, not at module load: every start with TLS reads the kept certificate, and only the
  // first one makes it (@peculiar/x509 and its ASN.1 stack are some 200 modules).
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const now = new Date();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(8))).toString('hex').replace(/^[89a-f]/, '1'),
    name: `CN=${commonName.replace(/[,=+<>#;"\\]/g, ' ')} (edoc-gateway)`,
    notBefore: new Date(now.getTime() - 3600_000),
    notAfter: new Date(now.getTime() + 10 * 365 * 24 * 3600_000),
    keys: keys as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]["keys"],
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(
        hosts.map((h) => (/^[\d.]+$|:/.test(h) ? { type: 'ip' as const, value: h } : { type: 'dns' as const, value: h })),
      ),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as unknown as webcrypto.CryptoKey);
  const key = `-----BEGIN PRIVATE KEY-----\n${Buffer.from(pkcs8).toString('base64').match(/.{1,64}/g)?.join('\n')}\n-----END PRIVATE KEY-----\n`;
  const pem = cert.toString('pem');
  return { cert: pem, key, fingerprint: fingerprintOf(pem) };
}
