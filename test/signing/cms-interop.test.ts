import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyCadesDetached } from '../../src/signing/cms-verify.js';
import { checkCertificateChain, loadTrustStore, parseCertificates, trustStoreFromDer } from '../../src/signing/certificates.js';

/**
 * Our verifier against CMS made by another producer (OpenSSL), with a root → intermediate → leaf
 * chain, and the trust store / chain rules (anchors dir, intermediates, validity at a time).
 */
const dir = t.testdir({
  'ca.cnf': '[v3_ca]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n' +
    '[v3_leaf]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n',
});
const p = (f: string): string => join(dir, f);

function ossl(...args: string[]): void {
  const r = spawnSync('openssl', args, { encoding: 'utf8', cwd: dir });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
}

// Root (self-signed) → intermediate → two leaves (RSA and P-256), all with OpenSSL.
ossl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'root.key', '-out', 'root.pem', '-subj', '/C=VN/O=Test Root/CN=Test Root CA', '-days', '3650', '-extensions', 'v3_ca', '-config', '/etc/ssl/openssl.cnf', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
ossl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'int.key', '-out', 'int.csr', '-subj', '/C=VN/O=Test/CN=Test Intermediate CA');
ossl('x509', '-req', '-in', 'int.csr', '-CA', 'root.pem', '-CAkey', 'root.key', '-CAcreateserial', '-out', 'int.pem', '-days', '1825', '-extfile', 'ca.cnf', '-extensions', 'v3_ca');
ossl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'rsa.key', '-out', 'rsa.csr', '-subj', '/C=VN/O=So Noi vu/CN=Nguyen Van A');
ossl('x509', '-req', '-in', 'rsa.csr', '-CA', 'int.pem', '-CAkey', 'int.key', '-CAcreateserial', '-out', 'rsa.pem', '-days', '365', '-extfile', 'ca.cnf', '-extensions', 'v3_leaf');
ossl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ec.key', '-out', 'ec.csr', '-subj', '/C=VN/O=So Noi vu/CN=Tran Thi B');
ossl('x509', '-req', '-in', 'ec.csr', '-CA', 'int.pem', '-CAkey', 'int.key', '-CAcreateserial', '-out', 'ec.pem', '-days', '365', '-extfile', 'ca.cnf', '-extensions', 'v3_leaf');

const content = Buffer.from('Tờ trình số 5/TTr-SNV\n'.repeat(50));
writeFileSync(p('content.txt'), content);
const der = (f: string): Uint8Array => parseCertificates(readFileSync(p(f)))[0]!;

const CASES: [string, string, string[]][] = [
  ['RSA PKCS#1 v1.5', 'rsa', []],
  ['RSA-PSS', 'rsa', ['-keyopt', 'rsa_padding_mode:pss', '-keyopt', 'rsa_pss_saltlen:32']],
  ['ECDSA P-256', 'ec', []],
];

for (const [name, key, extra] of CASES) {
  t.test(`OpenSSL-made detached CMS (${name}) with the intermediate inside`, async (t) => {
    const out = p(`${key}-${extra.length}.p7s`);
    ossl('cms', '-sign', '-binary', '-md', 'sha256', '-in', 'content.txt', '-signer', `${key}.pem`, '-inkey', `${key}.key`, '-certfile', 'int.pem', '-outform', 'DER', '-out', out, ...extra);
    const cms = new Uint8Array(readFileSync(out));
    const trust = trustStoreFromDer([der('root.pem')]);
    const r = await verifyCadesDetached({ cms, content, trust });
    t.equal(r.integrity, 'valid', String(r.problems));
    t.equal(r.certificateTrusted, true, String(r.problems));
    t.ok(r.signedAt, 'OpenSSL adds signing-time');
    t.match(r.signer?.subject, /Nguyen Van A|Tran Thi B/);
    const changed = Buffer.from(content);
    changed[3] = changed[3]! ^ 1;
    t.equal((await verifyCadesDetached({ cms, content: changed, trust })).integrity, 'invalid');
    const later = new Date(Date.now() + 2 * 365 * 24 * 3600 * 1000);
    const expired = await verifyCadesDetached({ cms, content, trust, at: later });
    t.equal(expired.certificateTrusted, false, 'not trusted at a time the leaf has expired');
    t.match(expired.problems?.join(' '), /not valid at/);
  });
}

t.test('chains: the intermediate is needed, the anchor must be in the store', async (t) => {
  const root = der('root.pem');
  const int = der('int.pem');
  const leaf = der('rsa.pem');
  const now = new Date();
  t.equal(checkCertificateChain({ leaf, intermediates: [int], trust: trustStoreFromDer([root]), at: now }).trusted, true);
  const noInt = checkCertificateChain({ leaf, intermediates: [], trust: trustStoreFromDer([root]), at: now });
  t.equal(noInt.trusted, false);
  t.match(noInt.problems.join(' '), /does not chain/);
  t.equal(checkCertificateChain({ leaf, intermediates: [], trust: trustStoreFromDer([int]), at: now }).trusted, true, 'an intermediate may itself be an anchor');
  t.equal(checkCertificateChain({ leaf, intermediates: [int], trust: trustStoreFromDer([]), at: now }).trusted, false);
  const before = new Date(Date.now() - 2 * 24 * 3600 * 1000);
  t.equal(checkCertificateChain({ leaf, intermediates: [int], trust: trustStoreFromDer([root]), at: before }).trusted, false, 'not yet valid');
});

t.test('loadTrustStore reads a directory of PEM bundles and DER files, skipping junk', async (t) => {
  const trustDir = t.testdir({
    'bundle.pem': readFileSync(p('root.pem'), 'utf8') + readFileSync(p('int.pem'), 'utf8'),
    'leaf.der': Buffer.from(der('ec.pem')),
    'notes.txt': 'ignored: not a certificate extension',
    'broken.pem': '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
  });
  const store = await loadTrustStore(trustDir);
  t.equal(store.anchors().length, 3);
  const single = await loadTrustStore(p('root.pem'));
  t.equal(single.anchors().length, 1);
  await t.rejects(loadTrustStore(join(trustDir, 'missing')), { code: 'CONFIG_INVALID' });
});
