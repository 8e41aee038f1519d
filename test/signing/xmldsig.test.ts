import t from 'tap';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signXmlEnveloped } from '../../src/signing/xmldsig-sign.js';
import { verifyXmlSignature } from '../../src/signing/xmldsig-verify.js';
import { loadTrustStore } from '../../src/signing/certificates.js';
import { readPemCertificate } from '../../src/hsm/dev-token.js';
import type { Mechanism } from '../../src/config/schema.js';
import { makeDevToken, openDevToken } from '../support/softhsm.js';

const dir = t.testdir({});
const xmlsecVersion = spawnSync('xmlsec1', ['--version'], { encoding: 'utf8' }).stdout ?? '';

function xmlsecVerify(file: string, ca: string): { ok: boolean; out: string } {
  const r = spawnSync('xmlsec1', ['--verify', '--trusted-pem', ca, file], { encoding: 'utf8' });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
}

const SAMPLE = `<?xml version="1.0" encoding="UTF-8"?>
<edXML:edXMLEnvelope xmlns:edXML="http://www.e-doc.vn/Schema/" xmlns="urn:default">
  <edXML:edXMLHeader>
    <edXML:MessageHeader>
      <edXML:From><edXML:OrganId>000.00.00.H44</edXML:OrganId><edXML:OrganName>UBND xã Tiên Lương</edXML:OrganName></edXML:From>
      <edXML:Subject note="a &amp; b">Về việc thử nghiệm chữ ký số</edXML:Subject>
    </edXML:MessageHeader>
  </edXML:edXMLHeader>
  <!-- a comment -->
  <edXML:edXMLBody><plain>text</plain></edXML:edXMLBody>
</edXML:edXMLEnvelope>
`;

// xmlsec1 1.2.x has no RSA-PSS for XMLDSig (added in 1.3): PSS is checked by our verifier only.
const xmlsecHasPss = !/^xmlsec1 1\.2\./.test(xmlsecVersion);

for (const mechanism of ['RSA-PKCS', 'ECDSA', 'RSA-PSS'] as Mechanism[]) {
  t.test(`enveloped XMLDSig with ${mechanism}`, async (t) => {
    const dev = await makeDevToken(join(dir, mechanism), { mechanism });
    const token = await openDevToken(dev);
    t.teardown(() => token.close());
    const trust = await loadTrustStore(dev.caCert);
    const signed = await signXmlEnveloped(SAMPLE, token);
    const file = join(dir, `${mechanism}.xml`);
    writeFileSync(file, signed);
    t.match(signed, /<ds:Signature xmlns:ds="http:\/\/www\.w3\.org\/2000\/09\/xmldsig#">/);
    t.ok(signed.startsWith('<?xml'), 'the declaration is kept');

    if (mechanism !== 'RSA-PSS' || xmlsecHasPss) {
      const x = xmlsecVerify(file, dev.caCert);
      t.ok(x.ok, `xmlsec1 accepts: ${x.out.trim()}`);
    }
    const ours = await verifyXmlSignature(signed, trust, { organisationCert: await readPemCertificate(dev.cert) });
    t.equal(ours.integrity, 'valid', String(ours.problems?.join('; ')));
    t.equal(ours.certificateTrusted, true);
    t.equal(ours.coversWholeDocument, true);
    t.equal(ours.byOrganisationKey, true);
    t.match(ours.signer?.subject, /Tiên Lương/);

    // One changed byte in the content.
    const tampered = signed.replace('Về việc thử nghiệm', 'Về việc thử nghiêm');
    t.not(tampered, signed);
    const tf = join(dir, `${mechanism}-content.xml`);
    writeFileSync(tf, tampered);
    if (mechanism !== 'RSA-PSS' || xmlsecHasPss) t.notOk(xmlsecVerify(tf, dev.caCert).ok, 'xmlsec1 rejects changed content');
    const r1 = await verifyXmlSignature(tampered, trust);
    t.equal(r1.integrity, 'invalid');

    // One changed byte in the signature value.
    const m = /<ds:SignatureValue>([^<]+)<\/ds:SignatureValue>/.exec(signed)!;
    const sig = Buffer.from(m[1]!, 'base64');
    sig[10] = sig[10]! ^ 0x01;
    const badSig = signed.replace(m[1]!, sig.toString('base64'));
    const sf = join(dir, `${mechanism}-sig.xml`);
    writeFileSync(sf, badSig);
    if (mechanism !== 'RSA-PSS' || xmlsecHasPss) t.notOk(xmlsecVerify(sf, dev.caCert).ok, 'xmlsec1 rejects a changed signature');
    const r2 = await verifyXmlSignature(badSig, trust);
    t.equal(r2.integrity, 'invalid');
  });
}

t.test('DTDs and entities are refused; malformed XML is a clear error', async (t) => {
  const xxe = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>';
  const dev = await makeDevToken(join(dir, 'dtd'));
  const token = await openDevToken(dev);
  t.teardown(() => token.close());
  await t.rejects(signXmlEnveloped(xxe, token), { code: 'BAD_REQUEST', message: /DOCTYPE/ });
  await t.rejects(signXmlEnveloped('<a><b></a>', token), { code: 'BAD_REQUEST' });
  const r = await verifyXmlSignature(xxe, await loadTrustStore(dev.caCert));
  t.equal(r.integrity, 'invalid');
  t.match(r.problems?.join(' '), /DOCTYPE/);
  const unsigned = await verifyXmlSignature('<a/>', await loadTrustStore(dev.caCert));
  t.equal(unsigned.integrity, 'invalid');
  t.match(unsigned.problems?.join(' '), /no XML signature/);
});
