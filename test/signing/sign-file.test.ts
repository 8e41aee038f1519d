import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signFile } from '../../src/signing/sign-file.js';
import { verifyFile } from '../../src/signing/verify-file.js';
import { checkPriorSignature, hasPriorSignature } from '../../src/signing/prior-signature.js';
import { verifyPdf } from '../../src/signing/pdf/index.js';
import { pdfsigSign, pdfsigVerify } from '../support/pdf-fixtures.js';
import { makePdfSigningSetup } from '../support/pdf-signer.js';

const dir = t.testdir({});
const setup = await makePdfSigningSetup(dir);
t.teardown(() => setup.close());
const { fx, token, trust, orgCert } = setup;
const policy = { requirePriorSignature: true, trust };

t.test('PDF: refused without a prior signature by someone else, signed incrementally with one', async (t) => {
  await t.rejects(signFile({ path: fx.files['plain-1.4'], output: join(dir, 'x.pdf'), token, policy }), { code: 'PRIOR_SIGNATURE_REQUIRED' });

  const personal = join(dir, 'personal.pdf');
  pdfsigSign(fx.nssDir, fx.files['plain-1.4'], personal, { field: 'ChuKyCaNhan' });
  const out = join(dir, 'sealed.pdf');
  const r = await signFile({ path: personal, output: out, token, policy });
  t.match(r, { format: 'pades', contentType: 'application/pdf', suffix: '.pdf', output: out, bytes: null });
  t.ok(r.signatureId.length > 0, `X-Signature-Id ${r.signatureId}`);
  t.ok(pdfsigVerify(out).signatures.every((s) => s.valid), 'pdfsig: both signatures valid');

  const v = await verifyFile({ file: out, trust, orgCert });
  t.equal(v.valid, true);
  t.same(v.signatures.map((s) => s.byOrganisationKey), [false, true]);

  // In memory (the HTTP path) gives the same kind of result.
  const mem = await signFile({ bytes: readFileSync(personal), token, policy });
  t.equal(mem.format, 'pades');
  t.ok(mem.bytes && Buffer.from(mem.bytes).subarray(0, 5).toString() === '%PDF-');

  // A PDF signed only by the organisation does not satisfy the policy.
  const orgOnly = join(dir, 'org-only.pdf');
  await signFile({ path: fx.files['plain-1.4'], output: orgOnly, token });
  const results = await verifyPdf(orgOnly, trust, { orgCert });
  t.equal(results.length, 1);
  t.equal(hasPriorSignature(results, orgCert), false);
  t.throws(() => checkPriorSignature(results, orgCert), { code: 'PRIOR_SIGNATURE_REQUIRED' });
  await t.rejects(signFile({ path: orgOnly, output: join(dir, 'y.pdf'), token, policy }), { code: 'PRIOR_SIGNATURE_REQUIRED' });
});

t.test('prior-signature policy: an untrusted or broken personal signature does not count', async (t) => {
  const base = { format: 'pades' as const, signer: null, signedAt: null, coversWholeDocument: false };
  t.equal(hasPriorSignature([{ ...base, integrity: 'valid', certificateTrusted: false, byOrganisationKey: false }], orgCert), false);
  t.equal(hasPriorSignature([{ ...base, integrity: 'invalid', certificateTrusted: true, byOrganisationKey: false }], orgCert), false);
  t.equal(hasPriorSignature([{ ...base, integrity: 'valid', certificateTrusted: true, byOrganisationKey: false }], orgCert), true);
});

t.test('any other file: detached CAdES .p7s; verify with the signature, reject changed content', async (t) => {
  const content = new TextEncoder().encode('Biên bản họp ngày 27/11/2026\n');
  const r = await signFile({ bytes: content, token });
  t.match(r, { format: 'cades', contentType: 'application/pkcs7-signature', suffix: '.p7s' });
  t.match(r.signatureId, /^cades-[0-9a-f]{24}$/);
  const ok = await verifyFile({ file: content, signature: r.bytes!, trust, orgCert });
  t.equal(ok.valid, true);
  t.equal(ok.signatures[0]?.byOrganisationKey, true);
  const changed = Uint8Array.from(content);
  changed[0] = changed[0]! ^ 1;
  t.equal((await verifyFile({ file: changed, signature: r.bytes!, trust })).valid, false);

  // From a path, written to `output`, checked from paths (streamed) and as PEM.
  const p = join(dir, 'note.txt');
  writeFileSync(p, content);
  const out = join(dir, 'note.txt.p7s');
  const r2 = await signFile({ path: p, output: out, token });
  t.equal(r2.output, out);
  t.equal((await verifyFile({ file: p, signature: out, trust })).valid, true);
  const pem = `-----BEGIN PKCS7-----\n${readFileSync(out).toString('base64')}\n-----END PKCS7-----\n`;
  t.equal((await verifyFile({ file: p, signature: new TextEncoder().encode(pem), trust })).valid, true);

  await t.rejects(signFile({ bytes: content, token, format: 'pades' }), { code: 'UNSUPPORTED_MEDIA_TYPE' });
  await t.rejects(signFile({ bytes: content, token, format: 'xmldsig' }), { code: 'UNSUPPORTED_MEDIA_TYPE' });
  await t.rejects(verifyFile({ file: content, trust }), { code: 'BAD_REQUEST' });
});

t.test('XML: enveloped XMLDSig; a PDF can still be CAdES-signed on request', async (t) => {
  const xml = new TextEncoder().encode('<?xml version="1.0" encoding="UTF-8"?>\n<root><a>Tiên Lương</a></root>\n');
  const r = await signFile({ bytes: xml, token });
  t.match(r, { format: 'xmldsig', contentType: 'application/xml', suffix: '.xml' });
  const v = await verifyFile({ file: r.bytes!, trust, orgCert });
  t.equal(v.valid, true);
  t.equal(v.signatures[0]?.format, 'xmldsig');
  const unsigned = await verifyFile({ file: xml, trust });
  t.equal(unsigned.valid, false, 'an unsigned XML is not valid');

  const pdf = readFileSync(fx.files['plain-1.4']);
  const c = await signFile({ bytes: pdf, token, format: 'cades' });
  t.equal(c.format, 'cades');
  t.equal((await verifyFile({ file: pdf, signature: c.bytes!, trust })).valid, true);
});
