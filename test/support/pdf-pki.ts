import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';

/**
 * The PKI of the "other tool" signer in the PDF tests, made with the openssl CLI: a CA and a
 * signer certificate (RSA 2048), packed as PKCS#12 for the NSS database pdfsig signs from. The
 * gateway's own signatures come from the SoftHSM token (test/support/softhsm.ts).
 */
export interface TestPki {
  dir: string;
  caPem: string;
  caDer: Uint8Array;
  certPem: string;
  certDer: Uint8Array;
  keyPem: string;
  /** PKCS#12 of the signer (password below), for importing into an NSS database. */
  p12: string;
  p12Password: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

export function makeTestPki(dir: string, cn = 'Nguyen Van A (test signer)'): TestPki {
  const days = '3650';
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', days,
    '-subj', '/C=VN/O=Test CA/CN=PDF Test Root', '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'signer.key', '-out', 'signer.csr', '-subj', `/C=VN/O=Test Office/CN=${cn}`], dir);
  writeFileSync(join(dir, 'ext.cnf'), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nextendedKeyUsage=emailProtection,codeSigning\n');
  openssl(['x509', '-req', '-in', 'signer.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'signer.pem',
    '-days', days, '-extfile', 'ext.cnf'], dir);
  const p12Password = 'p12-test-pw';
  openssl(['pkcs12', '-export', '-in', 'signer.pem', '-inkey', 'signer.key', '-certfile', 'ca.pem', '-name', 'signer',
    '-out', 'signer.p12', '-passout', `pass:${p12Password}`], dir);
  const caPem = join(dir, 'ca.pem');
  const certPem = join(dir, 'signer.pem');
  return {
    dir,
    caPem,
    caDer: new Uint8Array(new X509Certificate(readFileSync(caPem)).raw),
    certPem,
    certDer: new Uint8Array(new X509Certificate(readFileSync(certPem)).raw),
    keyPem: join(dir, 'signer.key'),
    p12: join(dir, 'signer.p12'),
    p12Password,
  };
}
