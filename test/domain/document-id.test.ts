import t from 'tap';
import fc from 'fast-check';
import { canonicalDocumentId, deriveDocumentId, parseDocumentId } from '../../src/domain/document-id.js';
import { arbOrganId } from '../support/domain.js';

t.test('derive', async (t) => {
  t.equal(
    deriveDocumentId({ organId: '000.46.24.H44', promulgationDate: '2026-11-26', number: '12', notation: 'QĐ-UBND' }),
    '000.46.24.H44,2026/11/26,12/QĐ-UBND',
  );
  t.equal(
    deriveDocumentId({ organId: 'G22', promulgationDate: '2026-01-02', number: '05', notation: 'UBND-VP'.normalize('NFD') }),
    'G22,2026/01/02,05/UBND-VP',
  );
  t.throws(() => deriveDocumentId({ organId: 'G22', promulgationDate: '2026/01/02', number: '05', notation: 'X' }), RangeError);
});

t.test('parse real-shaped ids', async (t) => {
  t.same(parseDocumentId('000.00.00.G22,2015/09/30,7816/VPCP-TTĐT'), {
    ok: true,
    value: { organId: '000.00.00.G22', promulgationDate: '2015-09-30', number: '7816', notation: 'VPCP-TTĐT' },
  });
  t.same(parseDocumentId('000.00.00.H99,2026/11/20,318/UBND-VP'), {
    ok: true,
    value: { organId: '000.00.00.H99', promulgationDate: '2026-11-20', number: '318', notation: 'UBND-VP' },
  });
  const nd = parseDocumentId('000.00.00.G22,2026/01/15,12/2026/NĐ-CP');
  t.same(nd.ok && nd.value.notation, '2026/NĐ-CP', 'a notation holding a slash survives');
  const loose = parseDocumentId(' 000.00.00.g22 , 2015-09-30 , 7816/VPCP-TTĐT '.normalize('NFD'));
  t.same(loose.ok && loose.value, { organId: '000.00.00.G22', promulgationDate: '2015-09-30', number: '7816', notation: 'VPCP-TTĐT' });
});

t.test('parse refuses malformed ids', async (t) => {
  const bad = [
    '', 'abc', '000.00.00.G22,2015/09/30', '000.00.00.G22,2015/02/30,1/X', 'bad id,2015/09/30,1/X',
    '000.00.00.G22,2015/09/30,7816', '000.00.00.G22,2015/09/30,/X', '000.00.00.G22,2015/09/30,1/', 'x'.repeat(1000),
  ];
  for (const s of bad) t.equal(parseDocumentId(s).ok, false, s.slice(0, 50));
  for (const x of [null, 1, {}, []]) t.equal(parseDocumentId(x).ok, false);
});

t.test('canonical spelling', async (t) => {
  t.equal(canonicalDocumentId(' 000.00.00.g22,2015-09-30,7816/VPCP-TTĐT'), '000.00.00.G22,2015/09/30,7816/VPCP-TTĐT');
  t.equal(canonicalDocumentId(' junk '), 'junk');
});

t.test('property: parse(derive(x)) gives x back', async (t) => {
  const arbParts = fc.record({
    organId: arbOrganId(),
    promulgationDate: fc
      .record({ y: fc.integer({ min: 1900, max: 2999 }), m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 28 }) })
      .map(({ y, m, d }) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`),
    number: fc.stringMatching(/^[0-9]{2,7}$/),
    notation: fc.constantFrom('QĐ-UBND', 'UBND-VP', '2026/NĐ-CP', 'TTLT-BTC-BNV', 'VPCP-TTĐT'),
  });
  fc.assert(
    fc.property(arbParts, (parts) => {
      const r = parseDocumentId(deriveDocumentId(parts));
      return r.ok && JSON.stringify(r.value) === JSON.stringify(parts);
    }),
    { numRuns: 200 },
  );
  fc.assert(fc.property(fc.anything(), (x) => typeof parseDocumentId(x).ok === 'boolean'), { numRuns: 200 });
  t.pass('held');
});
