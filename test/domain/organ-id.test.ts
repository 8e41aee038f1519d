import t from 'tap';
import fc from 'fast-check';
import { isLegacyOrganId, isValidOrganId, legacyTail, mayDenoteSameAgency, parseOrganId } from '../../src/domain/organ-id.js';
import { arbOrganId } from '../support/domain.js';

t.test('both generations and real-traffic forms are valid', async (t) => {
  const cases: Array<[string, 'legacy' | 'general']> = [
    ['000.00.00.G22', 'legacy'],
    ['000.46.24.H44', 'legacy'],
    ['G12', 'general'],
    ['H99.46', 'general'],
    ['0101234567', 'general'],
    ['02.29.W00', 'general'],
    ['A'.repeat(35), 'general'],
  ];
  for (const [id, gen] of cases) t.same(parseOrganId(id), { ok: true, id, generation: gen }, id);
});

t.test('normalisation: trim, NFC, ASCII upper case only', async (t) => {
  t.same(parseOrganId('  000.00.00.g22\n'), { ok: true, id: '000.00.00.G22', generation: 'legacy' });
  t.same(parseOrganId('h99.46'), { ok: true, id: 'H99.46', generation: 'general' });
  t.notOk(parseOrganId('gı2').ok, 'dotless i is not upper-cased into I');
  t.notOk(parseOrganId('ß').ok, 'ß does not become SS');
});

t.test('invalid ids say why', async (t) => {
  const bad = ['', '   ', '.G12', 'G12.', 'G12..H', 'G 12', 'G-12', 'Đ12', 'A'.repeat(36), '000,00', 'x'.repeat(10_000)];
  for (const id of bad) {
    const r = parseOrganId(id);
    t.equal(r.ok, false, JSON.stringify(id.slice(0, 40)));
    if (!r.ok) t.type(r.problem, 'string');
  }
  for (const x of [null, undefined, 12, {}, [], true]) t.notOk(isValidOrganId(x), String(x));
});

t.test('legacy tail and same-agency matching', async (t) => {
  t.ok(isLegacyOrganId('000.00.00.G12'));
  t.notOk(isLegacyOrganId('02.29.W00'));
  t.equal(legacyTail('000.00.00.G12'), 'G12');
  t.equal(legacyTail('000.00.24.H44'), '24.H44');
  t.equal(legacyTail('G12'), undefined);
  t.ok(mayDenoteSameAgency('G12', '000.00.00.G12'));
  t.ok(mayDenoteSameAgency('000.00.00.g12', 'g12'), 'after normalisation');
  t.ok(mayDenoteSameAgency('H44', 'h44'));
  t.notOk(mayDenoteSameAgency('H99', '000.46.24.H99'), 'a commune under H99 is not H99');
  t.notOk(mayDenoteSameAgency('H99.46', '000.46.24.H99'), 're-issued codes need configured aliases');
  t.notOk(mayDenoteSameAgency('G12', 'G13'));
  t.notOk(mayDenoteSameAgency('000.00.00.G12', '000.00.00.G13'));
  t.notOk(mayDenoteSameAgency('G12', 'bad id!'));
});

t.test('property: generated ids are valid and the parser never throws', async (t) => {
  fc.assert(fc.property(arbOrganId(), (id) => parseOrganId(id).ok && parseOrganId(id.toLowerCase()).ok), { numRuns: 200 });
  fc.assert(
    fc.property(fc.anything(), fc.anything(), (a, b) => {
      parseOrganId(a);
      return typeof mayDenoteSameAgency(a, b) === 'boolean';
    }),
    { numRuns: 200 },
  );
  fc.assert(
    fc.property(fc.string({ maxLength: 40 }), (s) => {
      const r = parseOrganId(s);
      return !r.ok || (/^[0-9A-Z]+(\.[0-9A-Z]+)*$/.test(r.id) && r.id.length <= 35);
    }),
    { numRuns: 200 },
  );
  t.pass('held');
});
