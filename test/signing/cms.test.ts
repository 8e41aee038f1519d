import t from 'tap';
import { spawnSync } from 'node:child_process';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createReadStream } from 'node:fs';
import { createCadesSignature, sha256Of } from '../../src/signing/cms-sign.js';
import { verifyCadesDetached } from '../../src/signing/cms-verify.js';
import { loadTrustStore, trustStoreFromDer } from '../../src/signing/certificates.js';
import { createDevCa } from '../../src/hsm/dev-ca.js';
import { readPemCertificate } from '../../src/hsm/dev-token.js';
import type { Mechanism } from '../../src/config/schema.js';
import { makeDevToken, openDevToken } from '../support/softhsm.js';

function opensslVerify(sig: string, content: string, ca: string): { ok: boolean; out: string } {
  const r = spawnSync('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', sig, '-content', content, '-CAfile', ca, '-purpose', 'any', '-out', '/dev/null'], { encoding: 'utf8' });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
}

function flipLast(b: Uint8Array): Uint8Array {
  const c = Uint8Array.from(b);
  c[c.length - 1] = c[c.length - 1]! ^ 0x01;
  return c;
}

const dir = t.testdir({});
const content = new TextEncoder().encode('Công văn số 123/UBND-VP về việc thử nghiệm chữ ký số.\n'.repeat(200));
const contentPath = join(dir, 'document.txt');
writeFileSync(contentPath, content);

for (const mechanism of ['RSA-PKCS', 'RSA-PSS', 'ECDSA'] as Mechanism[]) {
  t.test(`CAdES detached with ${mechanism}`, async (t) => {
    const dev = await makeDevToken(join(dir, mechanism), { mechanism });
    const token = await openDevToken(dev);
    t.teardown(() => token.close());
    t.equal(token.state(), 'ready');
    const trust = await loadTrustStore(dev.caCert);
    const orgCert = await readPemCertificate(dev.cert);

    const cms = await createCadesSignature({ digest: sha256Of(content), token, signingTime: new Date() });
    const sigPath = join(dir, `${mechanism}.p7s`);
    writeFileSync(sigPath, cms);

    const ossl = opensslVerify(sigPath, contentPath, dev.caCert);
    t.ok(ossl.ok, `openssl cms -verify accepts (${ossl.out.trim()})`);
    const ours = await verifyCadesDetached({ cms, content, trust, organisationCert: orgCert });
    t.equal(ours.integrity, 'valid', `ours: ${ours.problems?.join('; ')}`);
    t.equal(ours.certificateTrusted, true);
    t.equal(ours.byOrganisationKey, true);
    t.match(ours.signer?.subject ?? '', /UBND xã Tiên Lương/);
    t.ok(ours.signedAt, 'signing-time attribute present when asked');
    const streamed = await verifyCadesDetached({ cms, content: createReadStream(contentPath), trust });
    t.equal(streamed.integrity, 'valid', 'a streamed content verifies too');

    // One flipped byte in the content.
    const badContent = Uint8Array.from(content);
    badContent[100] = badContent[100]! ^ 0x20;
    const badContentPath = join(dir, `${mechanism}-bad.txt`);
    writeFileSync(badContentPath, badContent);
    t.notOk(opensslVerify(sigPath, badContentPath, dev.caCert).ok, 'openssl rejects a changed content');
    const r1 = await verifyCadesDetached({ cms, content: badContent, trust });
    t.equal(r1.integrity, 'invalid');
    t.match(r1.problems?.join(' '), /message digest/);

    // One flipped byte in the signature value (the last bytes of the DER).
    const badSig = flipLast(cms);
    const badSigPath = join(dir, `${mechanism}-bad.p7s`);
    writeFileSync(badSigPath, badSig);
    t.notOk(opensslVerify(badSigPath, contentPath, dev.caCert).ok, 'openssl rejects a changed signature');
    const r2 = await verifyCadesDetached({ cms: badSig, content, trust });
    t.equal(r2.integrity, 'invalid');

    // Another CA as the only anchor: integrity holds, trust does not.
    const other = await createDevCa(mechanism === 'ECDSA' ? 'ec' : 'rsa');
    const r3 = await verifyCadesDetached({ cms, content, trust: trustStoreFromDer([new Uint8Array(other.cert.rawData)]) });
    t.equal(r3.integrity, 'valid');
    t.equal(r3.certificateTrusted, false);
  });
}

t.test('PAdES-style CMS has no signing-time and carries ESS signing-certificate-v2', async (t) => {
  const dev = await makeDevToken(join(dir, 'pades'));
  const token = await openDevToken(dev);
  t.teardown(() => token.close());
  const cms = await createCadesSignature({ digest: sha256Of(content), token, signingTime: null });
  const p = join(dir, 'pades.p7s');
  writeFileSync(p, cms);
  const dump = spawnSync('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', p], { encoding: 'utf8' }).stdout;
  t.notMatch(dump, /signingTime/);
  t.match(dump, /id-smime-aa-signingCertificateV2/);
  t.match(dump, /messageDigest/);
  const r = await verifyCadesDetached({ cms, digest: sha256Of(content), trust: await loadTrustStore(dev.caCert) });
  t.equal(r.integrity, 'valid');
  t.equal(r.signedAt, null);
  t.ok(readFileSync(dev.pinFile).length > 0);
});
