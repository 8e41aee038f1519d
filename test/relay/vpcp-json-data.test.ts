import t from 'tap';
import fc from 'fast-check';
import { JsonDataScanner } from '../../src/relay/vpcp/json-data-stream.js';

function scan(json: string, cuts: number[]): { data: string; rest: unknown; found: boolean } {
  let data = '';
  const s = new JsonDataScanner((x) => (data += x));
  let from = 0;
  for (const c of [...cuts.filter((x) => x > 0 && x < json.length).sort((a, b) => a - b), json.length]) {
    s.push(json.slice(from, c));
    from = c;
  }
  return { data, rest: JSON.parse(s.remainder()), found: s.found };
}

t.test('streams the top-level data string, keeps the rest parseable, at any chunking', async (t) => {
  const obj = fc.record({
    status: fc.constantFrom('OK', 'FAIL'),
    ErrorCode: fc.string(),
    data: fc.string({ unit: 'binary' }),
    nested: fc.record({ data: fc.string(), list: fc.array(fc.string()) }),
  });
  await fc.assert(
    fc.property(obj, fc.array(fc.nat(400)), fc.boolean(), (o, cuts, slashes) => {
      let json = JSON.stringify(o);
      // Some Java JSON writers escape '/' as '\/'.
      if (slashes) json = json.replace(/\//g, '\\/');
      const r = scan(json, cuts);
      return r.found && r.data === o.data && JSON.stringify(r.rest) === JSON.stringify({ ...o, data: '' });
    }),
    { numRuns: 300 },
  );
  t.pass('300 generated answers');
});

t.test('no data, or data that is not a string', async (t) => {
  t.same(scan('{"status":"FAIL","ErrorCode":"NOT_FOUND"}', [5]), { data: '', rest: { status: 'FAIL', ErrorCode: 'NOT_FOUND' }, found: false });
  t.same(scan('{"status":"OK","data":null}', []), { data: '', rest: { status: 'OK', data: null }, found: false });
  t.same(scan('{"data":{"data":"x"},"status":"OK"}', []).found, false, 'only the top level counts');
});

t.test('the rest is bounded', async (t) => {
  const s = new JsonDataScanner(() => undefined, 100);
  t.throws(() => s.push(`{"x":"${'a'.repeat(200)}"}`));
});
