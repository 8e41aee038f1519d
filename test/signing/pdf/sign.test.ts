import t from 'tap';
import { join } from 'node:path';
import { signPdf, signPdfBuffer, signPdfBytes, inspectPdf, verifyPdf } from '../../../src/signing/pdf/index.js';
import { createCadesSignature } from '../../../src/signing/cms-sign.js';
import { FileSource } from '../../../src/signing/pdf/source.js';
import { PdfReader } from '../../../src/signing/pdf/reader.js';
import { PdfRef, serialize } from '../../../src/signing/pdf/objects.js';
import { VARIETIES, mutoolVerify, pdfsigVerify, qpdfCheck } from '../../support/pdf-fixtures.js';
import { isBytePrefix, makePdfSigningSetup } from '../../support/pdf-signer.js';
import { readFile } from 'node:fs/promises';

const dir = t.testdir();
const setup = await makePdfSigningSetup(dir);
t.teardown(() => setup.close());
const { fx, token, trust, orgCert } = setup;
// /M has whole seconds; the dev certificate was issued just now, so "now" is inside its validity.
const signingTime = new Date(Math.floor(Date.now() / 1000) * 1000);

async function xrefOf(file: string): Promise<PdfReader['xref']> {
  const src = await FileSource.open(file);
  try {
    return (await PdfReader.open(src)).xref;
  } finally {
    await src.close();
  }
}

for (const v of VARIETIES) {
  t.test(`${v}: signed by incremental update, valid for pdfsig, qpdf, MuPDF and us`, async (t) => {
    const input = fx.files[v];
    const output = join(dir, `${v}.signed.pdf`);
    const res = await signPdf({ input, output, token, signingTime, reason: 'Phát hành văn bản' });
    t.ok(isBytePrefix(input, output), 'the original is an exact byte prefix');

    const popp = pdfsigVerify(output);
    t.equal(popp.signatures.length, 1, popp.raw);
    t.ok(popp.signatures[0]?.valid, 'pdfsig: Signature is Valid.');
    t.ok(popp.signatures[0]?.totalDocument, 'pdfsig: Total document signed');
    t.equal(popp.signatures[0]?.subFilter, 'ETSI.CAdES.detached');
    t.equal(popp.signatures[0]?.field, res.signatureId);
    const q = qpdfCheck(output);
    t.ok(q.ok, `qpdf --check: ${q.ok ? 'clean' : q.output}`);
    t.match(mutoolVerify(output), /unchanged since signing/, 'mutool sign -v agrees');

    // The update continues the chain in the same kind, with /Prev and the original /ID.
    const before = await xrefOf(input);
    const after = await xrefOf(output);
    t.equal(after.lastKind, before.lastKind, `update written as ${before.lastKind}`);
    t.equal(after.sections.length, before.sections.length + 1);
    t.equal(after.trailer.get('Prev'), before.startxref, '/Prev = previous startxref');
    t.equal(serialize(after.trailer.get('ID') ?? null), serialize(before.trailer.get('ID') ?? null), '/ID kept');
    t.same(after.trailer.get('Root'), before.trailer.get('Root') as PdfRef);

    const [sig, ...rest] = await verifyPdf(output, trust, { orgCert });
    t.same(rest, []);
    t.match(sig, {
      format: 'pades',
      integrity: 'valid',
      coversWholeDocument: true,
      modifiedAfter: false,
      certificateTrusted: true,
      byOrganisationKey: true,
      signedAt: signingTime.toISOString(),
    });
    t.same(sig?.problems, [], 'no problems');

    const info = await inspectPdf(output);
    t.equal(info.signatures.length, 1);
    t.match(info.signatures[0], { fieldName: res.signatureId, subFilter: 'ETSI.CAdES.detached', byteRange: res.byteRange, reason: 'Phát hành văn bản' });
    t.equal(info.pages, 2);
  });
}

t.test('the /Contents placeholder has the requested size and the defaults otherwise', async (t) => {
  const output = join(dir, 'big-placeholder.pdf');
  const res = await signPdf({ input: fx.files['plain-1.4'], output, token, contentsBytes: 40_000 });
  t.equal(res.byteRange[2] - (res.byteRange[0] + res.byteRange[1]), 40_000 * 2 + 2, 'gap = <hex> of 40000 bytes');
  t.ok(pdfsigVerify(output).signatures[0]?.valid);
  const small = join(dir, 'default-placeholder.pdf');
  const res2 = await signPdf({ input: fx.files['plain-1.4'], output: small, token });
  t.equal(res2.byteRange[2] - res2.byteRange[1], 16 * 1024 * 2 + 2, '16 KiB by default');
});

t.test('a field name is unique; a taken one is refused', async (t) => {
  const once = join(dir, 'named.pdf');
  await signPdf({ input: fx.files.acroform, output: once, token, fieldName: 'ChuKyToChuc' });
  t.equal((await inspectPdf(once)).signatures[0]?.fieldName, 'ChuKyToChuc');
  await t.rejects(signPdf({ input: once, output: join(dir, 'named2.pdf'), token, fieldName: 'ChuKyToChuc' }), { code: 'CONFLICT' });
  await t.rejects(signPdf({ input: once, output: join(dir, 'named3.pdf'), token, fieldName: 'ho_ten' }), { code: 'CONFLICT' }, 'the text field name is taken too');
});

// The in-memory path (HTTP uploads) must produce exactly what the file path produces: with
// RSA PKCS#1 v1.5 (deterministic) and the same /M, the two outputs are the same bytes.
for (const v of VARIETIES) {
  t.test(`${v}: signing in memory gives the same bytes as signing file to file`, async (t) => {
    const bytes = await readFile(fx.files[v]);
    const fromFile = join(dir, `${v}.file-path.pdf`);
    const file = await signPdf({ input: fx.files[v], output: fromFile, token, signingTime, fieldName: 'SoSanh' });
    const mem = await signPdfBuffer(bytes, token, { signingTime, fieldName: 'SoSanh' });
    t.same(mem.byteRange, file.byteRange);
    t.ok(mem.signed.equals(await readFile(fromFile)), 'identical output');
    t.ok(mem.signed.subarray(0, bytes.length).equals(bytes), 'the original is an exact byte prefix');
    t.ok(mem.signed.subarray(bytes.length).equals(mem.update), '`update` is what follows it');
  });
}

t.test('in memory, a CMS larger than the placeholder is redone with room to spare', async (t) => {
  const bytes = await readFile(fx.files['plain-1.4']);
  let calls = 0;
  const r = await signPdfBytes({
    bytes,
    buildCms: (digest) => {
      calls++;
      return createCadesSignature({ digest, token, signingTime: null });
    },
    signingTime,
    contentsBytes: 64,
  });
  t.equal(calls, 2, 'signed a second time with a bigger placeholder');
  const signed = Buffer.concat([bytes, r.update]);
  const [sig] = await verifyPdf(signed, trust, { orgCert });
  t.equal(sig?.integrity, 'valid');
  t.equal(sig?.coversWholeDocument, true);
});

t.test('signPdfBuffer signs bytes in memory the same way', async (t) => {
  const bytes = await readFile(fx.files.objstm);
  const res = await signPdfBuffer(bytes, token, { signingTime });
  t.ok(res.signed.subarray(0, bytes.length).equals(bytes), 'prefix kept');
  const [sig] = await verifyPdf(res.signed, trust, { orgCert });
  t.equal(sig?.integrity, 'valid');
  t.equal(sig?.coversWholeDocument, true);
});

t.test('the output must be another file; the original is never touched', async (t) => {
  const input = join(dir, 'same.pdf');
  await (await import('node:fs/promises')).copyFile(fx.files['plain-1.4'], input);
  await t.rejects(signPdf({ input, output: input, token }), { code: 'BAD_REQUEST' });
  t.ok((await readFile(input)).equals(await readFile(fx.files['plain-1.4'])), 'unchanged');
});

t.test('when the HSM refuses, the error passes through and no output is left', async (t) => {
  const { AppError } = await import('../../../src/errors.js');
  const { existsSync, readdirSync } = await import('node:fs');
  // The real token's certificate, but a key that has gone away (token pulled mid-operation).
  const down = Object.create(token, {
    signDigest: { value: async () => Promise.reject(new AppError('HSM_UNAVAILABLE', 'token removed')) },
  }) as typeof token;
  const output = join(dir, 'hsm-down.pdf');
  await t.rejects(signPdf({ input: fx.files['plain-1.4'], output, token: down }), { code: 'HSM_UNAVAILABLE' });
  t.notOk(existsSync(output), 'no output');
  t.same(readdirSync(dir).filter((f) => f.includes('.partial-')), [], 'no partial file');
});
