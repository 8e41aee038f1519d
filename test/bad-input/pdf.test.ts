import t from 'tap';
import fc from 'fast-check';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeOffices, metadataFor, OFFICE_A, OFFICE_B, SAMPLE_PDF, until, upload, type Office } from '../support/office.js';
import { codeOf, snapshot } from '../support/fault-state.js';

/**
 * Bad PDFs at the signing entry points (documents.sign and documents.submit, what POST /sign and
 * POST /documents call): the hand-made corpus in test/fixtures/bad-input/pdf/ (truncated,
 * encrypted, broken xref, absurd /Size, loops, deep nesting, garbage), then fast-check truncations
 * and byte damage of a valid PDF. Every case is a typed MALFORMED_PDF (never a crash or an
 * untyped error) and leaves no blob, record, outbox or audit entry behind.
 */
const DIR = fileURLToPath(new URL('../fixtures/bad-input/pdf/', import.meta.url));
/** Not PDFs at all (no %PDF header): refusing them as the wrong media type is fine too. */
const NOT_PDF = new Set(['binary-garbage.pdf', 'html-named-pdf.pdf']);
/** Known bugs, kept visible as tap todos rather than hidden (none open now). */
const KNOWN: Record<string, string> = {};

let office: Office;
t.before(async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'edoc-bad-pdf-'));
  const offices = await makeOffices(dir, [OFFICE_A, OFFICE_B]);
  // Not t.testdir(): tap removes that before this teardown has stopped the simulator writing to it.
  t.teardown(async () => {
    await offices.close();
    await rm(dir, { recursive: true, force: true });
  });
  office = offices.offices[0]!;
});

let seq = 0;
async function attempt(bytes: Buffer): Promise<{ sign: string; submit: string }> {
  const p = path.join(office.dir, `in-${++seq}.pdf`);
  await writeFile(p, bytes);
  const file = await upload(office.dir, p, 'van-ban.pdf');
  const sign = await codeOf(office.core.documents.sign({ file, format: 'pades', actor: office.clerk }));
  const file2 = await upload(office.dir, p, 'van-ban.pdf');
  const submit = await codeOf(office.core.documents.submit({ metadata: metadataFor([OFFICE_B.id]), file: file2, attachments: [], actor: office.clerk }));
  return { sign, submit };
}

const refused = (name: string, c: string): boolean => c === 'MALFORMED_PDF' || (NOT_PDF.has(name) && c === 'UNSUPPORTED_MEDIA_TYPE');

t.test('the corpus: MALFORMED_PDF from both entry points, nothing stored', async (t) => {
  const names = (await readdir(DIR)).filter((f) => f.endsWith('.pdf')).sort();
  t.ok(names.length >= 25, 'the corpus is there');
  const control = await attempt(await readFile(path.join(DIR, 'valid-control.pdf')));
  t.same(control, { sign: 'OK', submit: 'OK' }, 'the unbroken control file signs and submits (the corpus is broken, not the harness)');
  // Let the control document leave first (its "sent" transition writes audit entries of its own,
  // which must not be counted against the corpus below). B does not poll in this rig, so no 01
  // comes back to add more.
  await until(
    async () =>
      office.core.store.activeCount('outbox') === 0 &&
      (await office.core.documents.list({ direction: 'outgoing' })).items.every((d) => d.state === 'sent'),
    30_000,
    'the control document to be sent',
  );
  const before = await snapshot(office.core.store);
  let unexpectedlyStored = 0;
  for (const name of names.filter((n) => n !== 'valid-control.pdf')) {
    const got = await attempt(await readFile(path.join(DIR, name)));
    const todo = KNOWN[name] ? { todo: KNOWN[name] } : {};
    t.ok(refused(name, got.sign), `${name}: sign → ${got.sign}`, todo);
    t.ok(refused(name, got.submit), `${name}: submit → ${got.submit}`, todo);
    if (!refused(name, got.submit)) unexpectedlyStored++;
  }
  const after = await snapshot(office.core.store);
  // A known-bug file that was wrongly accepted adds its own document; anything else is a leak.
  t.same(
    { ...after, blobs: 0, outgoing: after.outgoing - unexpectedlyStored, auditLines: 0 },
    { ...before, blobs: 0, auditLines: 0 },
    'no record added; no temp file left',
  );
  if (unexpectedlyStored === 0) t.same(after, before, 'no blob or audit entry added either');
});

t.test('fast-check: a valid PDF truncated anywhere, or with bytes damaged', async (t) => {
  const sample = await readFile(SAMPLE_PDF);
  await until(() => office.core.store.activeCount('outbox') === 0, 30_000, 'the outbox to drain');
  const before = await snapshot(office.core.store);
  const seen: string[] = [];
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: sample.length - 8 }), async (cut) => {
      const got = await attempt(sample.subarray(0, cut));
      seen.push(got.sign);
      // Shorter than the `%PDF-1.x` header it is not recognisably a PDF: the wrong media type is fine.
      const ok = (c: string): boolean => c === 'MALFORMED_PDF' || (cut < 8 && c === 'UNSUPPORTED_MEDIA_TYPE');
      // Cut before the final %%EOF: the trailer is gone, so the file is broken whatever else is left.
      return ok(got.sign) && ok(got.submit);
    }),
    { numRuns: 25, seed: 20261127 },
  );
  t.ok(seen.length > 0, `truncations refused (${seen.length})`);
  t.same(await snapshot(office.core.store), before, 'truncations stored nothing');

  const typed = new Set(['OK', 'MALFORMED_PDF', 'UNSUPPORTED_MEDIA_TYPE', 'PRIOR_SIGNATURE_REQUIRED']);
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(fc.integer({ min: 0, max: sample.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
      async (edits) => {
        const bytes = Buffer.from(sample);
        for (const [at, v] of edits) bytes[at] = v;
        const got = await attempt(bytes);
        // Damage inside a content stream can leave a readable PDF: then it signs. Otherwise typed.
        return typed.has(got.sign) && typed.has(got.submit);
      },
    ),
    { numRuns: 25, seed: 7 },
  );
  t.pass('damaged PDFs: signed or refused with a typed error, never a crash');
});
