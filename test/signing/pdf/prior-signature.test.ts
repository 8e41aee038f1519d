import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signPdf, verifyPdf } from '../../../src/signing/pdf/index.js';
import { mutoolVerify, pdfsigSign, pdfsigVerify, qpdfCheck, type Variety } from '../../support/pdf-fixtures.js';
import { isBytePrefix, makePdfSigningSetup } from '../../support/pdf-signer.js';

const dir = t.testdir();
const setup = await makePdfSigningSetup(dir);
t.teardown(() => setup.close());
const { fx, token, trust, orgCert } = setup;

// First signature by another tool (poppler + NSS, adbe.pkcs7.detached), then ours, then a third.
const BASES: Variety[] = ['plain-1.4', 'objstm', 'linearized-objstm'];
for (const base of BASES) {
  t.test(`${base}: signed by pdfsig first, then by us twice — every signature stays valid`, async (t) => {
    const first = join(dir, `${base}.pdfsig.pdf`);
    pdfsigSign(fx.nssDir, fx.files[base], first, { field: 'ChuKyCaNhan' });
    const p0 = pdfsigVerify(first);
    t.ok(p0.signatures[0]?.valid && p0.signatures[0].totalDocument, `pdfsig's own signature is valid: ${p0.raw}`);
    const [own] = await verifyPdf(first, trust, { orgCert });
    t.match(own, { integrity: 'valid', coversWholeDocument: true, certificateTrusted: true, byOrganisationKey: false, modifiedAfter: false });

    const second = join(dir, `${base}.second.pdf`);
    await signPdf({ input: first, output: second, token });
    t.ok(isBytePrefix(first, second), 'the pdfsig-signed bytes are a prefix');
    const p1 = pdfsigVerify(second);
    t.equal(p1.signatures.length, 2, p1.raw);
    t.ok(p1.signatures.every((s) => s.valid), 'pdfsig: both valid');
    t.notOk(p1.signatures[0]?.totalDocument, 'first no longer covers the whole file');
    t.ok(p1.signatures[1]?.totalDocument, 'ours covers the whole file');
    t.ok(qpdfCheck(second).ok, 'qpdf --check');

    const v = await verifyPdf(second, trust, { orgCert });
    t.equal(v.length, 2);
    t.match(v[0], { integrity: 'valid', modifiedAfter: true, coversWholeDocument: false, byOrganisationKey: false, certificateTrusted: true });
    t.match(v[1], { integrity: 'valid', modifiedAfter: false, coversWholeDocument: true, byOrganisationKey: true, certificateTrusted: true });
    t.match(v[0]?.signer?.subject, /Nguyen Van A/);

    const third = join(dir, `${base}.third.pdf`);
    await signPdf({ input: second, output: third, token, fieldName: 'ChuKyThu3' });
    const p2 = pdfsigVerify(third);
    t.equal(p2.signatures.length, 3);
    t.ok(p2.signatures.every((s) => s.valid), 'pdfsig: all three valid');
    t.same(p2.signatures.map((s) => s.totalDocument), [false, false, true]);
    const mu = mutoolVerify(third);
    t.equal((mu.match(/signature is valid but there have been edits since signing/g) ?? []).length, 2, mu);
    t.match(mu, /unchanged since signing/);
    const v3 = await verifyPdf(third, trust, { orgCert });
    t.same(v3.map((s) => [s.integrity, s.modifiedAfter, s.coversWholeDocument]), [
      ['valid', true, false],
      ['valid', true, false],
      ['valid', false, true],
    ]);
  });
}

t.test('one flipped byte in a signed range → invalid for pdfsig and for us', async (t) => {
  const first = join(dir, 'tamper.pdfsig.pdf');
  pdfsigSign(fx.nssDir, fx.files['plain-1.4'], first);
  const signed = join(dir, 'tamper.signed.pdf');
  await signPdf({ input: first, output: signed, token });
  const bytes = readFileSync(signed);
  // Inside the first content stream's compressed data: still parseable, but not the signed bytes.
  const at = bytes.indexOf('stream\n', bytes.indexOf('/Length')) + 7 + 20;
  const flipped = Buffer.from(bytes);
  flipped[at] = (flipped[at] as number) ^ 0x01;
  const bad = join(dir, 'tamper.flipped.pdf');
  writeFileSync(bad, flipped);

  const p = pdfsigVerify(bad);
  t.equal(p.signatures.length, 2);
  t.ok(p.signatures.every((s) => !s.valid), `pdfsig reports both invalid: ${p.raw}`);
  const v = await verifyPdf(bad, trust, { orgCert });
  t.same(v.map((s) => s.integrity), ['invalid', 'invalid']);
  t.match(v[1]?.problems?.join('\n'), /does not match/);
});

t.test('a damaged signature value in /Contents → invalid for pdfsig and for us', async (t) => {
  const signed = join(dir, 'cms.signed.pdf');
  const res = await signPdf({ input: fx.files.objstm, output: signed, token });
  t.equal((await verifyPdf(signed, trust))[0]?.integrity, 'valid');
  const bytes = Buffer.from(readFileSync(signed));
  const hexStart = res.byteRange[1] + 1;
  // Our CMS is DER with a 2-byte length (30 82 LL LL) and ends with the RSA signature value:
  // flip a bit 10 bytes before its end.
  const cmsLen = 4 + parseInt(bytes.subarray(hexStart + 4, hexStart + 8).toString('latin1'), 16);
  const at = hexStart + 2 * (cmsLen - 10);
  bytes[at] = bytes[at] === 0x30 ? 0x31 : 0x30;
  const bad = join(dir, 'cms.flipped.pdf');
  writeFileSync(bad, bytes);
  t.notOk(pdfsigVerify(bad).signatures[0]?.valid, 'pdfsig: invalid');
  const [v] = await verifyPdf(bad, trust);
  t.equal(v?.integrity, 'invalid');
});

t.test('a ByteRange that skips more than /Contents is not integrity-valid', async (t) => {
  const signed = join(dir, 'gap.signed.pdf');
  const res = await signPdf({ input: fx.files['plain-1.4'], output: signed, token });
  const bytes = Buffer.from(readFileSync(signed));
  const text = bytes.toString('latin1');
  const brText = `[${res.byteRange.join(' ')}]`;
  const at = text.indexOf(brText);
  t.ok(at > 0);
  // Widen the hole by 10 bytes before the '<': those bytes would then be unsigned.
  const [a, b, c, d] = res.byteRange;
  const widened = `[${a} ${b - 10} ${c} ${d}]`.padEnd(brText.length, ' ');
  bytes.write(widened, at, 'latin1');
  const bad = join(dir, 'gap.widened.pdf');
  writeFileSync(bad, bytes);
  const [v] = await verifyPdf(bad, trust);
  t.equal(v?.integrity, 'invalid');
  t.equal(v?.coversWholeDocument, false);
  t.match(v?.problems?.join('\n'), /gap is not exactly the \/Contents/);
});
