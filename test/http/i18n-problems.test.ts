import t from 'tap';
import fc from 'fast-check';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROBLEM_TEXTS, localizeDetails, problemEntry, translateProblem } from '../../src/http/i18n-problems.js';
import { parseDocumentId, parseOrganId, validateMetadata } from '../../src/domain/index.js';
import { METADATA_CORRUPTIONS, sampleMetadata, setPath } from '../support/domain.js';

/**
 * The problem-text catalogue: every problem text the service can produce has a Vietnamese
 * rendering (found by scanning src/ and by running the validators over bad input), each template
 * is reachable, and details keep `field` while only `problem` changes language.
 */
const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');
const PLACEHOLDER = /%\{(\w+)(?::(int|problem))?\}/g;
// Vietnamese letters that ASCII and English never use: a real translation has some.
const VI_LETTER = /[ăâđêôơưàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ]/i;

function sampleParams(en: string, seed: number): Map<string, string> {
  const values = new Map<string, string>();
  let i = 0;
  for (const m of en.matchAll(PLACEHOLDER)) {
    i++;
    values.set(m[1]!, m[2] === 'int' ? String(seed * 10 + i) : m[2] === 'problem' ? 'must be a string' : `Giá trị ${seed}-${i}`);
  }
  return values;
}

const render = (template: string, values: Map<string, string>): string => template.replace(PLACEHOLDER, (_, name: string) => values.get(name) ?? '');

t.test('every entry: same placeholders, Vietnamese with diacritics in NFC, and it wins for its own text', async (t) => {
  const seen = new Set<string>();
  PROBLEM_TEXTS.forEach((entry, i) => {
    const names = (s: string) => [...s.matchAll(PLACEHOLDER)].map((m) => m[0]).sort();
    t.same(names(entry.vi), names(entry.en), `${entry.en}: same placeholders`);
    t.ok(VI_LETTER.test(entry.vi), `${entry.en}: "${entry.vi}" is Vietnamese`);
    t.equal(entry.vi, entry.vi.normalize('NFC'), `${entry.en}: NFC`);
    t.notOk(seen.has(entry.en), `${entry.en}: listed once`);
    seen.add(entry.en);
    const values = sampleParams(entry.en, i);
    const text = render(entry.en, values);
    t.equal(problemEntry(text), entry, `"${text}" is recognised as its own entry (not shadowed by an earlier one)`);
    const nested = new Map([...values].map(([k, v]) => [k, v === 'must be a string' ? translateProblem(v, 'vi')! : v]));
    t.equal(translateProblem(text, 'vi'), render(entry.vi, nested), `"${text}" in Vietnamese`);
    t.equal(translateProblem(text, 'en'), text, 'English is the text itself');
  });
});

t.test('the wording of administrative Vietnamese for the common problems', async (t) => {
  t.equal(translateProblem('is required', 'vi'), 'là bắt buộc');
  t.equal(translateProblem('must be at most 500 characters', 'vi'), 'không được vượt quá 500 ký tự');
  t.equal(translateProblem('must be a real calendar date written YYYY-MM-DD', 'vi'), 'phải là ngày có thật, viết theo định dạng YYYY-MM-DD');
  t.equal(translateProblem('organ id must not be empty', 'vi'), 'phần mã cơ quan không được để trống', 'nested problems are translated too');
  t.equal(translateProblem('G22 is not in the agency directory', 'vi'), 'G22 không có trong danh bạ cơ quan', 'values are kept');
  t.equal(
    translateProblem('must start with "QĐ-", the abbreviation of Quyết định ("HĐ" is Hợp đồng)', 'vi'),
    'phải bắt đầu bằng "QĐ-" là chữ viết tắt của loại văn bản Quyết định ("HĐ" là Hợp đồng)',
  );
  t.equal(translateProblem('organ id is what it is', 'vi'), undefined, 'an unknown nested problem is not half-translated');
  t.equal(translateProblem('something new', 'vi'), undefined);
});

t.test('details: field and order kept, problem translated, English untouched', async (t) => {
  const details = [
    { field: 'subject', problem: 'must be at most 500 characters' },
    { field: 'recipients[1]', problem: 'duplicates recipients[0]' },
    { field: 'x', problem: 'a text nobody translated' },
  ];
  t.equal(localizeDetails(details, 'en'), details, 'English: the same value');
  const heard: string[] = [];
  const vi = localizeDetails(details, 'vi', (p) => heard.push(p)) as typeof details;
  t.same(vi.map((d) => d.field), details.map((d) => d.field));
  t.same(vi.map((d) => Object.keys(d)), details.map((d) => Object.keys(d)), 'same members in the same order');
  t.same(vi.map((d) => d.problem), ['không được vượt quá 500 ký tự', 'bị trùng với recipients[0]', 'không hợp lệ (a text nobody translated)']);
  t.same(heard, ['a text nobody translated'], 'the missing translation is reported');
  const other = { field: 'file', contentType: 'application/pdf' };
  t.equal(localizeDetails(other, 'vi'), other, 'details that are not a problem list are left alone');
  t.equal(localizeDetails(undefined, 'vi'), undefined);
});

/** Every .ts file under src/ except the staff page's own assets. */
async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await sourceFiles(p)));
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

// Start-up configuration problems go to the operator's console and journal, never into an HTTP
// body (the service does not run with a bad configuration), so they stay English.
const NOT_HTTP = [path.join(SRC, 'config') + path.sep];

// A literal (quoted or template) in the places problem texts are written: `problem: …`,
// `problem = …`, `p.add(field, …)` / `w.add(field, …)`, and literals of a `problem:` ternary.
const LITERAL = String.raw`('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|\x60(?:[^\x60\\]|\\.)*\x60)`;
const SITES = [
  new RegExp(String.raw`\bproblem\s*[:=]\s*` + LITERAL, 'g'),
  new RegExp(String.raw`\bproblem\s*:\s*[^,{}\n]*?(?<!\?)\?(?![?.])\s*` + LITERAL + String.raw`\s*:\s*` + LITERAL + '?', 'g'),
  new RegExp(String.raw`\b[pw]\.add\(\s*[^,]+,\s*` + LITERAL, 'g'),
  new RegExp(String.raw`\b[pw]\.add\(\s*[^,]+,\s*[^,\n]*?(?<!\?)\?(?![?.])\s*` + LITERAL, 'g'),
];

/**
 * A template literal with sample values: an integer for each interpolation, or a known problem
 * where the interpolated value is itself a problem (`organ id ${organ.problem}`).
 */
function withSamples(text: string): string {
  return text.replace(/\$\{([^}]*)\}/g, (_, expr: string) => (/problem/i.test(expr) ? 'must be a string' : '7'));
}

function unquote(literal: string): string {
  const body = literal.slice(1, -1);
  return literal.startsWith('`') ? body : (JSON.parse(`"${body.replace(/\\'/g, "'").replace(/"/g, '\\"')}"`) as string);
}

t.test('every problem text written in src/ has a Vietnamese rendering', async (t) => {
  const found: { where: string; text: string }[] = [];
  for (const file of await sourceFiles(SRC)) {
    if (NOT_HTTP.some((d) => file.startsWith(d))) continue;
    const code = await readFile(file, 'utf8');
    for (const site of SITES) {
      for (const m of code.matchAll(site)) {
        for (const lit of m.slice(1).filter((x): x is string => x !== undefined)) {
          found.push({ where: `${path.relative(SRC, file)}:${code.slice(0, m.index).split('\n').length}`, text: unquote(lit) });
        }
      }
    }
  }
  // The scan must keep finding the texts it is there for (a broken pattern would find nothing).
  const texts = new Set(found.map((f) => f.text));
  t.ok(texts.size >= 40, `${texts.size} distinct problem texts found in src/`);
  if (process.env.SHOW_PROBLEMS) t.comment([...texts].join("\n"));
  for (const must of ['is required', 'must be at most ${rule.max} characters', 'organ id ${organ.problem}', '${id} is not in the agency directory', 'at most ${limit} attachments', 'is empty']) {
    t.ok(texts.has(must), `the scan finds "${must}"`);
  }
  for (const f of found) {
    t.ok(translateProblem(withSamples(f.text), 'vi') !== undefined, `${f.where}: "${f.text}" is in the catalogue`);
  }
});

t.test('every problem and warning the metadata validator produces translates', async (t) => {
  const texts = new Set<string>();
  const collect = (r: ReturnType<typeof validateMetadata>) => {
    if (r.ok) r.warnings.forEach((w) => texts.add(w.problem));
    else {
      r.problems.forEach((p) => texts.add(p.problem));
      if ('warnings' in r) r.warnings.forEach((w) => texts.add(w.problem));
    }
  };
  for (const [field, values] of METADATA_CORRUPTIONS) for (const v of values) collect(validateMetadata(setPath(sampleMetadata(), field, v)));
  // Notation vs type: a slip (warning), another type's abbreviation (problem with a hint), none.
  for (const [type, notation] of [['HD', 'Hd-UBND'], ['HD', 'HĐ-UBND'], ['QD', 'UBND-VP'], ['CV', 'QĐ-UBND'], ['QD', 'qđ-UBND']]) {
    collect(validateMetadata({ ...sampleMetadata(), type, notation }));
  }
  collect(validateMetadata('not an object'));
  collect(validateMetadata({ ...sampleMetadata(), dueDate: '2026-01-01' }));
  collect(validateMetadata({ ...sampleMetadata(), toPlaces: Array.from({ length: 101 }, () => 'x') }));
  collect(validateMetadata({ ...sampleMetadata(), recipients: ['x'.repeat(300)] }));
  for (const id of [5, 'x'.repeat(301), 'no commas', ',2026/01/01,1/A', 'G22,2026/02/30,1/A', 'G22,2026/01/01,1', 'G22,2026/01/01,/A']) {
    collect(validateMetadata({ ...sampleMetadata(), responseFor: { organId: 'G22', documentId: id } }));
    const d = parseDocumentId(id);
    if (!d.ok) texts.add(d.problem);
  }
  for (const id of [5, '', ' ', 'a b', 'x'.repeat(36), 'x'.repeat(201)]) {
    const r = parseOrganId(id);
    if (!r.ok) texts.add(r.problem);
  }
  // And whatever random JSON-ish input provokes.
  fc.assert(
    fc.property(fc.dictionary(fc.constantFrom('type', 'number', 'notation', 'subject', 'recipients', 'signer', 'dueDate', 'priority', 'responseFor', 'toPlaces', 'zz'), fc.jsonValue({ maxDepth: 2 })), (patch) => {
      collect(validateMetadata({ ...sampleMetadata(), ...patch }));
      return true;
    }),
    { numRuns: 300, seed: 20261127 },
  );
  t.ok(texts.size >= 30, `${texts.size} distinct texts produced`);
  for (const text of texts) t.ok(translateProblem(text, 'vi') !== undefined, `"${text}" translates`);
});
