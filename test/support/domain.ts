import fc from 'fast-check';
import { DOCUMENT_TYPES } from '../../src/domain/catalogue.js';

/**
 * Test data for the domain model: a known-good submission and fast-check generators of valid
 * metadata and OrganIds. Other areas (documents/, http/) can use them for realistic requests.
 */

/** A valid submission, as a client would send it (spec/http-api.md example). */
export function sampleMetadata(): Record<string, unknown> {
  return {
    type: 'QD',
    number: '12',
    notation: 'QĐ-UBND',
    promulgationDate: '2026-11-26',
    place: 'Tiên Lương',
    subject: 'Về việc triển khai kết nối trục liên thông văn bản',
    recipients: ['000.00.24.H44', '000.00.00.G22'],
    priority: 0,
    secrecy: 'none',
    signer: { competence: 'TM.', position: 'Chủ tịch', fullName: 'Nguyễn Văn A' },
    dueDate: '2026-12-05',
    steeringType: 1,
    toPlaces: ['Như trên', 'Lưu: VT'],
    content: 'Tóm tắt nội dung.\nDòng thứ hai.',
    pageAmount: 2,
    promulgationAmount: 1,
  };
}

const VI_CHARS = [...'aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ'];
const VI_UPPER = VI_CHARS.map((c) => c.toUpperCase());

/** Vietnamese-looking text (precomposed letters, spaces, some punctuation), never blank. */
export function arbVietnameseText(min: number, max: number): fc.Arbitrary<string> {
  const ch = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...VI_CHARS) },
    { weight: 2, arbitrary: fc.constantFrom(...VI_UPPER) },
    { weight: 2, arbitrary: fc.constant(' ') },
    { weight: 1, arbitrary: fc.constantFrom(',', '.', ':', '-', '(', ')', '0', '7') },
  );
  return fc
    .array(ch, { minLength: min, maxLength: max })
    .map((cs) => cs.join(''))
    .filter((s) => s.trim().length >= min && s.trim() === s);
}

const group = fc.stringMatching(/^[0-9A-Z]{1,4}$/);

/** OrganIds of both generations, tax codes and hub codes. */
export function arbOrganId(): fc.Arbitrary<string> {
  return fc.oneof(
    fc
      .tuple(fc.stringMatching(/^[0-9]{3}$/), fc.stringMatching(/^[0-9]{2}$/), fc.stringMatching(/^[0-9]{2}$/), fc.stringMatching(/^[A-Z][0-9]{2}$/))
      .map((g) => g.join('.')),
    fc.array(group, { minLength: 1, maxLength: 5 }).map((g) => g.join('.')),
    fc.stringMatching(/^[0-9]{10}$/),
  );
}

/** Valid metadata (every optional field sometimes present). */
export function arbValidMetadata(): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .record({
      docType: fc.constantFrom(...DOCUMENT_TYPES),
      number: fc.integer({ min: 1, max: 9_999_999 }),
      issuer: fc.constantFrom('UBND', 'VP', 'UBND-VP', 'BTC', 'STTTT'),
      date: fc.record({ y: fc.integer({ min: 2000, max: 2099 }), m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 28 }) }),
      dueYears: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
      subject: arbVietnameseText(1, 120),
      recipients: fc.uniqueArray(arbOrganId(), { minLength: 1, maxLength: 5 }),
      priority: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
      fullName: arbVietnameseText(1, 40),
      position: fc.option(arbVietnameseText(1, 40), { nil: undefined }),
      competence: fc.option(fc.constantFrom('TM.', 'KT.', 'TL.', 'TUQ.', 'Q.'), { nil: undefined }),
      place: fc.option(arbVietnameseText(1, 40), { nil: undefined }),
      steeringType: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
      toPlaces: fc.option(fc.array(arbVietnameseText(1, 30), { maxLength: 3 }), { nil: undefined }),
      content: fc.option(arbVietnameseText(1, 200), { nil: undefined }),
      pageAmount: fc.option(fc.integer({ min: 0, max: 500 }), { nil: undefined }),
    })
    .map((r) => {
      const iso = (y: number, m: number, d: number) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
      const signer: Record<string, unknown> = { fullName: r.fullName };
      if (r.position !== undefined) signer['position'] = r.position;
      if (r.competence !== undefined) signer['competence'] = r.competence;
      const m: Record<string, unknown> = {
        type: r.docType.id,
        number: String(r.number).padStart(2, '0'),
        notation: r.docType.abbreviation === null ? r.issuer : `${r.docType.abbreviation}-${r.issuer}`,
        promulgationDate: iso(r.date.y, r.date.m, r.date.d),
        subject: r.subject,
        recipients: r.recipients,
        secrecy: 'none',
        signer,
      };
      // Same day or a later year: never before the promulgation date.
      if (r.dueYears !== undefined) m['dueDate'] = iso(r.date.y + r.dueYears, r.date.m, r.date.d);
      const optional: Record<string, unknown> = {
        priority: r.priority, place: r.place, steeringType: r.steeringType, toPlaces: r.toPlaces,
        content: r.content, pageAmount: r.pageAmount,
      };
      for (const [k, v] of Object.entries(optional)) if (v !== undefined) m[k] = v;
      return m;
    });
}

/** Deep copy with every string NFD-normalised (what a macOS client might send). */
export function toNfd<T>(x: T): T {
  return mapStrings(x, (s) => s.normalize('NFD')) as T;
}

export function mapStrings(x: unknown, f: (s: string) => string): unknown {
  if (typeof x === 'string') return f(x);
  if (Array.isArray(x)) return x.map((v) => mapStrings(v, f));
  if (typeof x === 'object' && x !== null) {
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, mapStrings(v, f)]));
  }
  return x;
}

/**
 * A bad-input corpus: for each metadata field (path), values that are wrong for it and for nothing
 * else. Apply one with setPath() to valid metadata: validation must name that field only.
 */
export const METADATA_CORRUPTIONS: ReadonlyArray<readonly [string, readonly unknown[]]> = [
  ['type', ['XX', 5, null, '', 'QDD', ['QD']]],
  ['number', ['0', 'abc', 12, '12345678', '', '1.5']],
  ['notation', ['has space', '', '-X', 5, 'a,b', 'X--Y']],
  ['promulgationDate', ['2026-02-30', 'yesterday', 5, '2026-00-10', null]],
  ['place', [5, 'x\u0000', 'p'.repeat(201), {}]],
  ['subject', ['', 'a'.repeat(501), 'x\u0000', 5, '   ', null]],
  ['recipients', [[], 'G22', ['bad id'], ['G22', 'g22'], null, [null], {}]],
  ['priority', [5, -1, '1', 1.5, true]],
  ['signer', ['Nguyễn Văn A', 5, []]],
  ['signer.fullName', ['', 5, 'a\u0007', null, 'n'.repeat(151)]],
  ['signer.competence', ['XX', 5, 'Chủ tịch']],
  ['signer.position', [5, 'x\ny']],
  ['signer.nickname', ['extra']],
  ['dueDate', ['2026-13-01', 5, '1899-01-01']],
  ['steeringType', [0, 4, '2']],
  ['toPlaces', ['x', [5], ['a\u0000'], ['']]],
  ['content', [5, 'x\u0000', 'c'.repeat(4001)]],
  ['pageAmount', [-1, 'x', 1.5]],
  ['promulgationAmount', [-1, 100_001]],
  ['responseFor', ['x', { organId: 'bad id', documentId: 'nope' }, { organId: 'G22' }]],
  ['unexpectedField', ['anything']],
];

/** Deep copy of `o` with `path` (`a` or `a.b`) set to `value`. */
export function setPath(o: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(o);
  const [head, tail] = path.split('.') as [string, string | undefined];
  if (tail === undefined) copy[head] = value;
  else {
    const inner = (typeof copy[head] === 'object' && copy[head] !== null ? copy[head] : {}) as Record<string, unknown>;
    inner[tail] = value;
    copy[head] = inner;
  }
  return copy;
}
