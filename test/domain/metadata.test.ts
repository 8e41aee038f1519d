import t from 'tap';
import { validateMetadata, type MetadataResult } from '../../src/domain/metadata.js';
import { deriveDocumentId } from '../../src/domain/document-id.js';
import { sampleMetadata } from '../support/domain.js';

function withField(patch: Record<string, unknown>): Record<string, unknown> {
  return { ...sampleMetadata(), ...patch };
}

function problemsOf(r: MetadataResult): Array<{ field: string; problem: string }> {
  return r.ok ? [] : r.problems;
}

function fieldsOf(r: MetadataResult): string[] {
  return problemsOf(r).map((p) => p.field);
}

t.test('the spec example is valid and comes back normalised', async (t) => {
  const r = validateMetadata(sampleMetadata());
  t.ok(r.ok);
  if (!r.ok) return;
  t.same(r.warnings, []);
  t.equal(r.metadata.type, 'QD');
  t.equal(r.metadata.number, '12');
  t.equal(r.metadata.priority, 0);
  t.same(r.metadata.signer, { competence: 'TM.', position: 'Chủ tịch', fullName: 'Nguyễn Văn A' });
  t.equal(
    deriveDocumentId({ organId: '000.46.24.H44', ...r.metadata }),
    '000.46.24.H44,2026/11/26,12/QĐ-UBND',
    'the documentId derives from the normalised metadata',
  );
});

t.test('minimal metadata: defaults applied, optional fields absent', async (t) => {
  const r = validateMetadata({
    type: 'cv',
    number: '5',
    notation: ' UBND-VP ',
    promulgationDate: '2026-01-05',
    subject: '  V/v họp giao ban  ',
    recipients: ['h44'],
    secrecy: 'none',
    signer: { fullName: 'Lê Thị C', position: '   ', competence: null },
    place: null,
  });
  t.same(r, {
    ok: true,
    metadata: {
      type: 'CV',
      number: '05',
      notation: 'UBND-VP',
      promulgationDate: '2026-01-05',
      subject: 'V/v họp giao ban',
      recipients: ['H44'],
      priority: 0,
      secrecy: 'none',
      signer: { fullName: 'Lê Thị C' },
    },
    warnings: [],
  });
});

t.test('text is NFC-normalised and trimmed', async (t) => {
  const r = validateMetadata(withField({ subject: ' Về việc '.normalize('NFD'), notation: 'QĐ-UBND'.normalize('NFD') }));
  t.ok(r.ok);
  if (r.ok) {
    t.equal(r.metadata.subject, 'Về việc'.normalize('NFC'));
    t.equal(r.metadata.notation, 'QĐ-UBND'.normalize('NFC'));
  }
});

t.test('number rules', async (t) => {
  const num = (n: unknown) => validateMetadata(withField({ number: n }));
  t.match(num('7'), { ok: true, metadata: { number: '07' } });
  t.match(num('007'), { ok: true, metadata: { number: '07' } });
  t.match(num('0123'), { ok: true, metadata: { number: '123' } });
  t.match(num('7816'), { ok: true, metadata: { number: '7816' } });
  for (const bad of ['0', '00', '12a', '1 2', '-3', '١٢', '12345678', 12, '', null]) {
    t.same(fieldsOf(num(bad)), ['number'], `number ${JSON.stringify(bad)}`);
  }
});

t.test('notation and the type abbreviation', async (t) => {
  const check = (type: string, notation: string) => validateMetadata(withField({ type, notation }));
  // [type, notation, expected warning fields] for notations that are accepted.
  const accepted: Array<[string, string, string[], string]> = [
    ['QD', 'QĐ-UBND', [], 'exact'],
    ['TTR', 'TTr-UBND', [], 'mixed-case abbreviation'],
    ['ND', '2026/NĐ-CP', [], 'a year before the abbreviation'],
    ['TT', 'TTLT-BTC-BNV', [], 'joint document'],
    ['CV', 'UBND-VP', [], 'Công văn has no abbreviation'],
    ['QD', 'QD-UBND', ['notation'], 'missing diacritic: warning'],
    ['TTR', 'TTR-UBND', ['notation'], 'case: warning'],
    ['CV', 'QĐ-UBND', ['notation'], 'CV looking like a QĐ: warning'],
  ];
  for (const [type, notation, warned, why] of accepted) {
    const r = check(type, notation);
    t.ok(r.ok, `${notation}: ${why}`);
    t.same(r.ok ? r.warnings.map((w) => w.field) : null, warned, `${notation}: warnings`);
  }
  t.same(fieldsOf(check('QD', 'UBND-VP')), ['notation'], 'no abbreviation where one is due: problem');
  t.same(fieldsOf(check('QD', 'QĐUBND')), ['notation']);
  t.same(fieldsOf(check('HDG', 'TB-UBND')), ['notation']);
  t.same(fieldsOf(check('HD', 'HĐ-UBND')), ['notation'], 'HĐ is Hợp đồng: not a slip for Hướng dẫn');
  t.same(fieldsOf(check('DUA', 'ĐA-UBND')), ['notation'], 'ĐA is Đề án: not a slip for Dự án');
  t.same(fieldsOf(check('DEA', 'DA-UBND')), ['notation'], 'DA is Dự án');
  for (const bad of ['QĐ UBND', 'QĐ-', '-UBND', 'QĐ,UBND', 'QĐ--UBND', 'x'.repeat(61)]) {
    t.same(fieldsOf(check('CV', bad)), ['notation'], `shape ${bad.slice(0, 20)}`);
  }
});

t.test('dates are real calendar dates', async (t) => {
  t.ok(validateMetadata(withField({ promulgationDate: '2024-02-29', dueDate: '2024-03-01' })).ok, 'leap day');
  for (const bad of ['2026-02-29', '2026-13-01', '2026-04-31', '26-11-2026', '2026/11/26', '2026-1-5', '', 20261126]) {
    t.same(fieldsOf(validateMetadata(withField({ promulgationDate: bad, dueDate: null }))), ['promulgationDate'], `date ${String(bad)}`);
  }
  t.same(fieldsOf(validateMetadata(withField({ dueDate: '2026-11-25' }))), ['dueDate'], 'due before promulgation');
});

t.test('subject length counts characters, after normalisation', async (t) => {
  t.ok(validateMetadata(withField({ subject: 'ệ'.repeat(500).normalize('NFD') })).ok, '500 decomposed characters fit');
  t.same(fieldsOf(validateMetadata(withField({ subject: 'a'.repeat(501) }))), ['subject']);
  t.same(fieldsOf(validateMetadata(withField({ subject: '   ' }))), ['subject']);
  t.same(fieldsOf(validateMetadata(withField({ subject: 'x'.repeat(1_000_000) }))), ['subject'], 'huge input is refused cheaply');
});

t.test('control characters are rejected, line breaks only in content', async (t) => {
  t.same(fieldsOf(validateMetadata(withField({ subject: 'Về\u0000việc' }))), ['subject']);
  t.same(fieldsOf(validateMetadata(withField({ subject: 'Về\nviệc' }))), ['subject']);
  t.same(fieldsOf(validateMetadata(withField({ signer: { fullName: 'A\u202Eb' } }))), ['signer.fullName']);
  t.same(fieldsOf(validateMetadata(withField({ toPlaces: ['ok', 'a\u0007'] }))), ['toPlaces[1]']);
  t.ok(validateMetadata(withField({ content: 'dòng 1\r\ndòng 2\tx' })).ok);
  t.same(fieldsOf(validateMetadata(withField({ content: 'x\u0000' }))), ['content']);
});

t.test('recipients', async (t) => {
  const rec = (r: unknown) => validateMetadata(withField({ recipients: r }));
  const good = rec(['000.00.00.g22', ' H44 ', '0101234567', '02.29.W00']);
  t.same(good.ok && good.metadata.recipients, ['000.00.00.G22', 'H44', '0101234567', '02.29.W00']);
  t.same(problemsOf(rec([])), [{ field: 'recipients', problem: 'must have 1 to 1000 recipients' }]);
  t.same(fieldsOf(rec('G22')), ['recipients']);
  t.same(fieldsOf(rec(undefined)), ['recipients']);
  t.same(problemsOf(rec(['G22', 'g22'])), [{ field: 'recipients[1]', problem: 'duplicates recipients[0]' }]);
  t.same(fieldsOf(rec(Array.from({ length: 1001 }, (_, i) => `A${i}`))), ['recipients']);
  const r = rec(['G22', 'not valid', 7]);
  t.match(r, { ok: false, code: 'UNKNOWN_RECIPIENT' }, 'only invalid ids: the dedicated code');
  t.same(fieldsOf(r), ['recipients[1]', 'recipients[2]']);
  t.match(validateMetadata(withField({ recipients: ['bad id'], subject: '' })), { ok: false, code: 'VALIDATION_FAILED' }, 'mixed problems');
  t.match(rec(['G22', 'G22']), { ok: false, code: 'VALIDATION_FAILED' }, 'a duplicate is not an unknown recipient');
});

t.test('priority, steeringType, amounts, competence', async (t) => {
  t.match(validateMetadata(withField({ priority: 4 })), { ok: true, metadata: { priority: 4 } });
  for (const bad of [5, -1, 1.5, '1']) t.same(fieldsOf(validateMetadata(withField({ priority: bad }))), ['priority'], `priority ${bad}`);
  for (const bad of [0, 4, '1']) t.same(fieldsOf(validateMetadata(withField({ steeringType: bad }))), ['steeringType']);
  t.same(fieldsOf(validateMetadata(withField({ pageAmount: -1 }))), ['pageAmount']);
  t.same(fieldsOf(validateMetadata(withField({ promulgationAmount: 'two' }))), ['promulgationAmount']);
  t.match(validateMetadata(withField({ signer: { fullName: 'A', competence: 'kt' } })), { ok: true, metadata: { signer: { competence: 'KT.' } } });
  t.same(fieldsOf(validateMetadata(withField({ signer: { fullName: 'A', competence: 'Chủ tịch' } }))), ['signer.competence']);
  t.same(fieldsOf(validateMetadata(withField({ signer: null }))), ['signer.fullName']);
  t.same(fieldsOf(validateMetadata(withField({ signer: 'Nguyễn Văn A' }))), ['signer']);
});

t.test('responseFor', async (t) => {
  const ok = validateMetadata(withField({ responseFor: { organId: '000.00.00.h99', documentId: '000.00.00.H99,2026/11/20,318/UBND-VP' } }));
  t.match(ok, { ok: true, metadata: { responseFor: { organId: '000.00.00.H99', documentId: '000.00.00.H99,2026/11/20,318/UBND-VP' } } });
  const bad = validateMetadata(withField({ responseFor: { organId: 'x y', documentId: 'nope', extra: 1 } }));
  t.same(fieldsOf(bad), ['responseFor.organId', 'responseFor.documentId', 'responseFor.extra']);
  t.same(fieldsOf(validateMetadata(withField({ responseFor: {} }))), ['responseFor.organId', 'responseFor.documentId']);
});

t.test('secrecy: refused before anything else', async (t) => {
  for (const s of ['mat', 'toi-mat', 'tuyet-mat', 'Tối mật', 'secret', 0, true, {}]) {
    const r = validateMetadata({ ...withField({ secrecy: s }), subject: 42, recipients: 'x' });
    t.same(r.ok ? null : [r.code, r.problems], ['SECRET_DOCUMENT', [{ field: 'secrecy', problem: 'secret documents must not be sent over the exchange' }]], `secrecy ${JSON.stringify(s)}`);
  }
  t.match(validateMetadata(withField({ secrecy: 'Tuyệt mật' })), { code: 'SECRET_DOCUMENT', secrecy: 'tuyet-mat' });
  t.match(validateMetadata(withField({ secrecy: 'hmm' })), { code: 'SECRET_DOCUMENT', secrecy: 'unrecognised' });
  const { secrecy: _omit, ...rest } = sampleMetadata();
  t.same(problemsOf(validateMetadata(rest)), [{ field: 'secrecy', problem: 'is required' }], 'missing is a validation problem');
});

t.test('all problems at once, unknown fields included', async (t) => {
  const r = validateMetadata({ secrecy: 'none', reciepients: ['G22'] });
  t.match(r, { ok: false, code: 'VALIDATION_FAILED' });
  t.same(fieldsOf(r).sort(), ['notation', 'number', 'promulgationDate', 'reciepients', 'recipients', 'signer.fullName', 'subject', 'type'].sort());
});

t.test('any JS value is answered, never thrown', async (t) => {
  const hostile = new Proxy({}, { ownKeys: () => { throw new Error('boom'); }, get: () => { throw new Error('boom'); } });
  for (const v of [undefined, null, 0, 'x', [], [1], () => 1, Symbol('s'), 10n, hostile, Object.create(null)]) {
    const r = validateMetadata(v);
    t.equal(r.ok, false);
  }
  t.same(fieldsOf(validateMetadata([])), ['metadata']);
  const proto = JSON.parse('{"__proto__": {"secrecy": "none"}, "type": "QD"}') as unknown;
  t.match(validateMetadata(proto), { ok: false, code: 'VALIDATION_FAILED' }, 'a __proto__ key supplies nothing');
});
