import t from 'tap';
import fc from 'fast-check';
import { validateMetadata } from '../../src/domain/metadata.js';
import { METADATA_CORRUPTIONS as CORRUPTIONS, arbValidMetadata, sampleMetadata, setPath, toNfd } from '../support/domain.js';

// Property tests of metadata validation. numRuns stays modest: the whole area runs in seconds.
const RUNS = 200;

function names(problemField: string, field: string): boolean {
  return problemField === field || problemField.startsWith(`${field}.`) || problemField.startsWith(`${field}[`);
}

t.test('validateMetadata never throws, whatever it is given', async (t) => {
  fc.assert(fc.property(fc.anything(), (x) => typeof validateMetadata(x).ok === 'boolean'), { numRuns: RUNS });
  // Valid shapes with arbitrary values swapped in reach deeper code paths than random objects.
  const keys = Object.keys(sampleMetadata());
  fc.assert(
    fc.property(fc.dictionary(fc.constantFrom(...keys, 'signer'), fc.anything()), (patch) => {
      const r = validateMetadata({ ...sampleMetadata(), ...patch });
      return typeof r.ok === 'boolean';
    }),
    { numRuns: RUNS },
  );
  t.pass('held');
});

t.test('valid generated metadata passes without warnings, and normalising is idempotent', async (t) => {
  fc.assert(
    fc.property(arbValidMetadata(), (m) => {
      const r = validateMetadata(m);
      if (!r.ok || r.warnings.length > 0) return false;
      const again = validateMetadata(r.metadata);
      return again.ok && JSON.stringify(again.metadata) === JSON.stringify(r.metadata);
    }),
    { numRuns: RUNS },
  );
  t.pass('held');
});

t.test('any single corrupted field yields problems naming that field, and only it', async (t) => {
  const arbCase = fc.constantFrom(...CORRUPTIONS).chain(([field, values]) =>
    fc.tuple(fc.constant(field), fc.constantFrom(...values)),
  );
  fc.assert(
    fc.property(arbValidMetadata(), arbCase, (m, [field, value]) => {
      const r = validateMetadata(setPath(m, field, value));
      return !r.ok && r.code !== 'SECRET_DOCUMENT' && r.problems.length > 0 && r.problems.every((p) => names(p.field, field));
    }),
    { numRuns: RUNS },
  );
  t.pass('held');
});

t.test('any secrecy but none is refused as secret, whatever else is wrong', async (t) => {
  const notNone = fc.anything().filter((x) => x !== 'none' && x !== undefined && x !== null && !(typeof x === 'string' && x.trim().toLowerCase() === 'none'));
  fc.assert(
    fc.property(arbValidMetadata(), notNone, fc.boolean(), (m, secrecy, breakOthers) => {
      const input = { ...m, secrecy, ...(breakOthers ? { subject: '', recipients: 'x' } : {}) };
      const r = validateMetadata(input);
      return !r.ok && r.code === 'SECRET_DOCUMENT';
    }),
    { numRuns: RUNS },
  );
  t.pass('held');
});

t.test('NFD and NFC inputs give identical results', async (t) => {
  const arbMaybeCorrupt = fc.tuple(arbValidMetadata(), fc.option(fc.constantFrom(...CORRUPTIONS), { nil: undefined }), fc.nat());
  fc.assert(
    fc.property(arbMaybeCorrupt, ([m, corruption, pick]) => {
      const input = corruption === undefined ? m : setPath(m, corruption[0], corruption[1][pick % corruption[1].length]);
      const nfc = validateMetadata(input);
      const nfd = validateMetadata(toNfd(input));
      return JSON.stringify(nfc) === JSON.stringify(nfd);
    }),
    { numRuns: RUNS },
  );
  t.pass('held');
});
