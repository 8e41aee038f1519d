import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTestPki, type TestPki } from './pdf-pki.js';

/**
 * The PDF varieties of spec/signatures.md, made at test time by real tools from the committed
 * Chromium PDF (test/fixtures/pdf/make.sh): qpdf for object streams, xref streams and
 * linearization, MuPDF for an AcroForm and an incremental update, pdfsig (poppler + NSS) for a
 * PDF already signed by another tool.
 */
const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'pdf');

export const VARIETIES = [
  'plain-1.4', // Chromium: classic table, no /ID, no AcroForm, inline-less page (no /Annots)
  'acroform', // MuPDF full save: AcroForm with a text field, page /Annots as an indirect array
  'objstm', // qpdf: xref stream + object streams (catalog and pages compressed)
  'xref-stream-1.7', // qpdf: PDF 1.7, xref stream, from the AcroForm variety
  'linearized', // qpdf --linearize: first-page xref at the start, /Prev to the main one
  'linearized-objstm', // linearized with xref streams and object streams
  'incremental', // MuPDF incremental save on the AcroForm variety: a /Prev chain already
  'incremental-on-objstm', // MuPDF incremental save on top of an xref-stream file
  'hybrid', // a classic table whose trailer has /XRefStm (Word-style hybrid), built from objstm
] as const;
export type Variety = (typeof VARIETIES)[number];

export interface PdfFixtures {
  dir: string;
  pki: TestPki;
  /** NSS database holding the signer key (nick "signer") and the CA as trusted. */
  nssDir: string;
  files: Record<Variety, string>;
}

function run(cmd: string, args: string[]): void {
  // qpdf exits 3 for warnings only; the file is still written.
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0 && !(cmd === 'qpdf' && r.status === 3)) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  }
}

export function makePdfFixtures(dir: string): PdfFixtures {
  mkdirSync(join(dir, 'pki'), { recursive: true });
  const pki = makeTestPki(join(dir, 'pki'));
  const f = (name: string): string => join(dir, `${name}.pdf`);
  copyFileSync(join(FIXTURES, 'plain-1.4.pdf'), f('plain-1.4'));
  run('mutool', ['run', join(FIXTURES, 'add-form.js'), f('plain-1.4'), f('acroform')]);
  run('qpdf', ['--object-streams=generate', f('plain-1.4'), f('objstm')]);
  run('qpdf', ['--object-streams=generate', '--force-version=1.7', f('acroform'), f('xref-stream-1.7')]);
  run('qpdf', ['--linearize', f('acroform'), f('linearized')]);
  run('qpdf', ['--linearize', '--object-streams=generate', f('acroform'), f('linearized-objstm')]);
  run('mutool', ['run', join(FIXTURES, 'touch-incremental.js'), f('acroform'), f('incremental')]);
  run('mutool', ['run', join(FIXTURES, 'touch-incremental.js'), f('objstm'), f('incremental-on-objstm')]);
  makeHybrid(f('objstm'), f('hybrid'));
  const files = Object.fromEntries(VARIETIES.map((v) => [v, f(v)])) as Record<Variety, string>;
  return { dir, pki, nssDir: makeNssDb(join(dir, 'nss'), pki), files };
}

/**
 * No tool here writes hybrid files (MS Word does), so one is derived by hand from qpdf's output:
 * a classic table (object 0 only) whose trailer points with /XRefStm at qpdf's xref stream, which
 * lists every object — readers must follow /XRefStm to find anything (ISO 32000-1 §7.5.8.4).
 */
function makeHybrid(from: string, to: string): void {
  const bytes = readFileSync(from);
  const text = bytes.toString('latin1');
  const xrefStm = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(text)?.[1]);
  const dict = text.slice(xrefStm, text.indexOf('stream', xrefStm));
  const pick = (re: RegExp): string => {
    const m = re.exec(dict);
    if (!m) throw new Error(`hybrid fixture: ${re} not in the xref stream dictionary`);
    return m[0];
  };
  const trailer = [pick(/\/Root \d+ \d+ R/), pick(/\/Size \d+/), pick(/\/ID \[[^\]]*\]/), `/XRefStm ${xrefStm}`].join(' ');
  const start = bytes.length + 1;
  const section = `\nxref\n0 1\n0000000000 65535 f\r\ntrailer\n<< ${trailer} >>\nstartxref\n${start}\n%%EOF\n`;
  writeFileSync(to, Buffer.concat([bytes, Buffer.from(section, 'latin1')]));
}

/** An NSS database with the test signer's key and the test CA trusted, for pdfsig. */
export function makeNssDb(nssDir: string, pki: TestPki): string {
  mkdirSync(nssDir, { recursive: true });
  const db = `sql:${nssDir}`;
  run('certutil', ['-N', '-d', db, '--empty-password']);
  run('pk12util', ['-i', pki.p12, '-d', db, '-W', pki.p12Password]);
  run('certutil', ['-M', '-n', 'PDF Test Root - Test CA', '-t', 'CT,C,C', '-d', db]);
  return nssDir;
}

/** Sign with poppler's pdfsig (another tool than ours): adbe.pkcs7.detached (22.12 cannot add ETSI). */
export function pdfsigSign(nssDir: string, input: string, output: string, opts: { field?: string } = {}): void {
  // pdfsig 22.12 -add-signature supports SHA256 only.
  const args = ['-add-signature', '-nssdir', nssDir, '-nick', 'signer', '-digest', 'SHA256'];
  if (opts.field) args.push('-new-signature-field-name', opts.field);
  run('pdfsig', [...args, input, output]);
}

export interface PdfsigSignature {
  field: string;
  valid: boolean;
  totalDocument: boolean;
  subFilter: string;
}

/** pdfsig's verdict for each signature (without certificate validation: the CA is ours). */
export function pdfsigVerify(file: string): { raw: string; signatures: PdfsigSignature[] } {
  const r = spawnSync('pdfsig', ['-nocert', file], { encoding: 'utf8' });
  const raw = `${r.stdout}${r.stderr}`;
  const blocks = raw.split(/^Signature #\d+:$/m).slice(1);
  const signatures = blocks.map((b) => ({
    field: /Signature Field Name: (.*)$/m.exec(b)?.[1]?.trim() ?? '',
    valid: /Signature Validation: Signature is Valid\./.test(b),
    totalDocument: /^\s*- Total document signed$/m.test(b),
    subFilter: /Signature Type: (.*)$/m.exec(b)?.[1]?.trim() ?? '',
  }));
  return { raw, signatures };
}

/** `qpdf --check`: exit 0 (clean) or 3 (warnings) is a pass only when no error is printed. */
export function qpdfCheck(file: string): { ok: boolean; output: string } {
  const r = spawnSync('qpdf', ['--check', file], { encoding: 'utf8' });
  const output = `${r.stdout}${r.stderr}`;
  return { ok: r.status === 0 && /No syntax or stream encoding errors found/.test(output), output };
}

/** `mutool sign -v`: MuPDF's own ByteRange/digest check. */
export function mutoolVerify(file: string): string {
  const r = spawnSync('mutool', ['sign', '-v', file], { encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`;
}
