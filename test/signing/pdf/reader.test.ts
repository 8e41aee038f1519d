import t from 'tap';
import fc from 'fast-check';
import { FileSource, BufferSource } from '../../../src/signing/pdf/source.js';
import { PdfReader } from '../../../src/signing/pdf/reader.js';
import { Lexer } from '../../../src/signing/pdf/lexer.js';
import { PdfDict, PdfName, PdfRef, PdfString, serialize, type PdfObject } from '../../../src/signing/pdf/objects.js';
import { firstPage, pageCount } from '../../../src/signing/pdf/structure.js';
import { parsePdfDate, pdfDate } from '../../../src/signing/pdf/pdf-date.js';
import { inspectPdf } from '../../../src/signing/pdf/inspect.js';
import { makePdfFixtures, VARIETIES, type Variety } from '../../support/pdf-fixtures.js';

const fx = makePdfFixtures(t.testdir());

// What each variety's xref chain must look like, as the tools wrote it.
const EXPECT: Record<Variety, { lastKind: 'table' | 'stream'; minSections: number }> = {
  'plain-1.4': { lastKind: 'table', minSections: 1 },
  acroform: { lastKind: 'table', minSections: 1 },
  objstm: { lastKind: 'stream', minSections: 1 },
  'xref-stream-1.7': { lastKind: 'stream', minSections: 1 },
  linearized: { lastKind: 'table', minSections: 2 },
  'linearized-objstm': { lastKind: 'stream', minSections: 2 },
  incremental: { lastKind: 'table', minSections: 2 },
  'incremental-on-objstm': { lastKind: 'stream', minSections: 2 },
  hybrid: { lastKind: 'table', minSections: 1 },
};

for (const v of VARIETIES) {
  t.test(`reads the xref chain, catalog and page 1 of ${v}`, async (t) => {
    const src = await FileSource.open(fx.files[v]);
    try {
      const r = await PdfReader.open(src);
      t.equal(r.xref.lastKind, EXPECT[v].lastKind, 'kind of the last section');
      t.ok(r.xref.sections.length >= EXPECT[v].minSections, `${r.xref.sections.length} sections`);
      t.equal(await pageCount(r), 2);
      const page = await firstPage(r);
      t.equal((page.dict.get('Type') as PdfName).name, 'Page');
      t.ok(Array.isArray(page.dict.get('MediaBox')), 'page 1 has its MediaBox');
      const info = await inspectPdf(fx.files[v]);
      t.equal(info.pages, 2);
      t.equal(info.encrypted, false);
      t.same(info.signatures, []);
      t.match(info.version, /^1\.[4-7]$/);
    } finally {
      await src.close();
    }
  });
}

t.test('PDF 1.7 variety reports its version', async (t) => {
  t.equal((await inspectPdf(fx.files['xref-stream-1.7'])).version, '1.7');
  t.equal((await inspectPdf(fx.files['plain-1.4'])).version, '1.4');
});

t.test('the lexer parses the value forms of §7.3', async (t) => {
  const src = Buffer.from(
    '<< /A#20b (x\\(y\\)\\101\\n) /H <48 69 7> /N -1.5 /R 12 0 R /Arr [1 2 R true null /K] /D << /E .5 >> >>',
    'latin1',
  );
  const d = new Lexer(src).parseObject() as PdfDict;
  t.ok(d instanceof PdfDict);
  t.equal(Buffer.from((d.get('A b') as PdfString).bytes).toString('latin1'), 'x(y)A\n');
  t.equal(Buffer.from((d.get('H') as PdfString).bytes).toString('latin1'), 'Hip');
  t.equal(d.get('N'), -1.5);
  t.same(d.get('R'), new PdfRef(12, 0));
  const arr = d.get('Arr') as PdfObject[];
  t.equal(arr.length, 4, '"1 2 R" is one reference, not three values');
  t.same(arr[0], new PdfRef(1, 2));
  t.equal((d.get('D') as PdfDict).get('E'), 0.5);
});

// Property: whatever the serialiser writes, the lexer reads back to the same value.
const pdfValue: fc.Arbitrary<PdfObject> = fc.letrec<{ value: PdfObject }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer({ min: -1e6, max: 1e6 }),
    fc.double({ min: -1e4, max: 1e4, noNaN: true }).map((x) => Math.round(x * 1000) / 1000),
    fc.string({ maxLength: 8 }).filter((s) => s.length > 0 && [...s].every((c) => c.charCodeAt(0) < 256)).map((s) => new PdfName(s)),
    fc.uint8Array({ maxLength: 16 }).map((b) => new PdfString(b, false)),
    fc.uint8Array({ maxLength: 16 }).map((b) => new PdfString(b, true)),
    fc.tuple(fc.nat(1e5), fc.nat(10)).map(([n, g]) => new PdfRef(n, g)),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.stringMatching(/^[A-Za-z]{1,6}$/), tie('value'), { maxKeys: 4 }).map((o) => {
      const d = new PdfDict();
      for (const [k, v] of Object.entries(o)) d.set(k, v);
      return d;
    }),
  ),
})).value;

t.test('serialise → parse round-trips any value', async (t) => {
  fc.assert(
    fc.property(pdfValue, (v) => {
      const text = serialize(v);
      const back = new Lexer(Buffer.from(text, 'latin1')).parseObject();
      return serialize(back) === text;
    }),
    { numRuns: 300 },
  );
  t.pass('300 random values round-tripped');
});

t.test('PDF dates', async (t) => {
  const d = new Date('2026-11-27T09:08:07Z');
  t.equal(pdfDate(d), "D:20261127090807+00'00'");
  t.equal(parsePdfDate(pdfDate(d))?.toISOString(), d.toISOString());
  t.equal(parsePdfDate("D:20261127160807+07'00'")?.toISOString(), d.toISOString(), 'offset applied');
  t.equal(parsePdfDate('D:2026')?.toISOString(), '2026-01-01T00:00:00.000Z');
  t.equal(parsePdfDate('yesterday'), null);
});

t.test('a buffer source reads like a file source', async (t) => {
  const { readFile } = await import('node:fs/promises');
  const r = await PdfReader.open(new BufferSource(await readFile(fx.files.objstm)));
  t.equal(await pageCount(r), 2);
});
