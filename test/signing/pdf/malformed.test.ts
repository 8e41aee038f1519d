import t from 'tap';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../../src/errors.js';
import { inspectPdf } from '../../../src/signing/pdf/inspect.js';
import { signPdfFile } from '../../../src/signing/pdf/pades-sign.js';
import { verifyPdf } from '../../../src/signing/pdf/index.js';
import { trustStoreFromDer } from '../../../src/signing/certificates.js';
import { makePdfFixtures } from '../../support/pdf-fixtures.js';

const dir = t.testdir();
const fx = makePdfFixtures(dir);
const plain = readFileSync(fx.files['plain-1.4']);
const startxrefOf = (b: Buffer): number => Number(/startxref\s+(\d+)/.exec(b.subarray(b.length - 64).toString('latin1'))?.[1]);

function write(name: string, bytes: Buffer | string): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

const encrypted = join(dir, 'encrypted.pdf');
const enc = spawnSync('qpdf', ['--encrypt', 'u', 'o', '256', '--', fx.files['plain-1.4'], encrypted]);
if (enc.status !== 0) throw new Error(`qpdf --encrypt failed: ${enc.stderr}`);

const garbageXref = Buffer.from(plain);
garbageXref.write('#garbage', startxrefOf(plain), 'latin1');
const wrongObject = Buffer.from(plain.toString('latin1').replace(/startxref\s+\d+/, 'startxref\n9'), 'latin1');
const beyondEof = Buffer.from(plain.toString('latin1').replace(/startxref\s+\d+/, 'startxref\n99999999'), 'latin1');

const CASES: Record<string, string> = {
  'not a PDF': write('text.pdf', 'Kính gửi: Sở Nội vụ\n'),
  empty: write('empty.pdf', ''),
  truncated: write('truncated.pdf', plain.subarray(0, Math.floor(plain.length * 0.6))),
  'garbage at the xref offset': write('garbage-xref.pdf', garbageXref),
  'startxref into the middle of an object': write('wrong-xref.pdf', wrongObject),
  'startxref beyond the end': write('beyond.pdf', beyondEof),
  'no header': write('no-header.pdf', Buffer.concat([Buffer.from('GIF89a'), plain.subarray(8)])),
  encrypted,
};

for (const [name, file] of Object.entries(CASES)) {
  t.test(`${name} → MALFORMED_PDF`, async (t) => {
    await t.rejects(inspectPdf(file), { code: 'MALFORMED_PDF' }, 'inspect refuses');
    await t.rejects(verifyPdf(file, trustStoreFromDer([])), { code: 'MALFORMED_PDF' }, 'verify refuses');
    await t.rejects(verifyPdf(readFileSync(file), trustStoreFromDer([])), { code: 'MALFORMED_PDF' }, 'verify refuses bytes');
    const output = join(dir, `out-${name.replace(/\W+/g, '-')}.pdf`);
    await t.rejects(
      signPdfFile({ input: file, output, buildCms: async () => t.fail('no CMS for a bad file') as never }),
      { code: 'MALFORMED_PDF' },
      'sign refuses',
    );
    t.notOk(existsSync(output), 'no output left behind');
  });
}

// Random damage must end in a clean MALFORMED_PDF or a successful read, never a crash or a hang.
t.test('fuzzed PDFs fail only with MALFORMED_PDF', async (t) => {
  const base = readFileSync(fx.files.objstm);
  let refused = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.nat(base.length - 1),
      fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
      async (cut, flips) => {
        const b = Buffer.from(base.subarray(0, Math.max(cut, base.length - 2000)));
        for (const [at, v] of flips) if (at < b.length) b[at] = v;
        try {
          await inspectPdf(b);
        } catch (e) {
          if (!(e instanceof AppError) || e.code !== 'MALFORMED_PDF') throw e;
          refused++;
        }
      },
    ),
    { numRuns: 150 },
  );
  t.ok(refused > 0, `${refused} of 150 damaged files refused, none crashed`);
});

/** A hand-built PDF whose object stream's /Length lives inside that same object stream. */
function selfReferentialObjStm(): Buffer {
  const parts: Buffer[] = [];
  let pos = 0;
  const put = (b: Buffer | string): void => {
    const buf = typeof b === 'string' ? Buffer.from(b, 'latin1') : b;
    parts.push(buf);
    pos += buf.length;
  };
  put('%PDF-1.5\n');
  const inner = ['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [] /Count 0 >>', '40'];
  let header = '';
  let body = '';
  inner.forEach((o, i) => {
    header += `${[1, 2, 4][i]} ${body.length} `;
    body += o + ' ';
  });
  const data = header + body;
  const off3 = pos;
  put(`3 0 obj\n<< /Type /ObjStm /N 3 /First ${header.length} /Length 4 0 R >>\nstream\n${data}\nendstream\nendobj\n`);
  const off5 = pos;
  const rows = Buffer.alloc(5 * 7);
  const row = (i: number, type: number, f1: number, f2: number): void => {
    rows[i * 7] = type;
    rows.writeUInt32BE(f1, i * 7 + 1);
    rows.writeUInt16BE(f2, i * 7 + 5);
  };
  row(0, 2, 3, 0);
  row(1, 2, 3, 1);
  row(2, 1, off3, 0);
  row(3, 2, 3, 2);
  row(4, 1, off5, 0);
  put(`5 0 obj\n<< /Type /XRef /Size 6 /Index [1 5] /W [1 4 2] /Root 1 0 R /Length ${rows.length} >>\nstream\n`);
  put(rows);
  put(`\nendstream\nendobj\nstartxref\n${off5}\n%%EOF\n`);
  return Buffer.concat(parts);
}

t.test('an object stream whose /Length is inside itself is refused, not looped on', async (t) => {
  await t.rejects(inspectPdf(selfReferentialObjStm()), { code: 'MALFORMED_PDF' });
});
