import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';

t.test('serve with three mistakes in the config prints all three and exits 78', async (t) => {
  const dir = t.testdir();
  const file = join(dir, 'config.json');
  writeFileSync(
    file,
    JSON.stringify({
      organ: { id: 'not an organ id', name: 'UBND xã Tiên Lương', abbreviation: 'UBND' },
      http: { listen: '0.0.0.0:8443', tls: false },
      hsm: { mechanism: 'DSA' },
      relay: { receiptDeadlineHours: -1 },
    }),
  );
  const r = await runCli(['serve', '--config', file], { env: { EDOC_GATEWAY_CONFIG: '' } });
  t.equal(r.code, 78, 'exit 78');
  t.match(r.stderr, /organ\.id/, 'names organ.id');
  t.match(r.stderr, /hsm\.mechanism/, 'names hsm.mechanism');
  t.match(r.stderr, /relay\.receiptDeadlineHours/, 'names relay.receiptDeadlineHours');
  t.notMatch(r.stdout, /ready/, 'nothing started');
});

t.test('plain HTTP on a non-loopback address is refused; unknown fields and bad JSON are named', async (t) => {
  const dir = t.testdir();
  const a = join(dir, 'a.json');
  writeFileSync(a, JSON.stringify({ organ: { id: '000.46.24.H44', name: 'X', abbreviation: 'UBND' }, http: { listen: '0.0.0.0:8443', tls: false }, bogus: 1 }));
  let r = await runCli(['serve', '--config', a]);
  t.equal(r.code, 78);
  t.match(r.stderr, /unknown field "bogus"/);
  const b = join(dir, 'b.json');
  writeFileSync(b, '{ "organ": ');
  r = await runCli(['serve', '--config', b]);
  t.equal(r.code, 78);
  t.match(r.stderr, /not valid JSON/);
  r = await runCli(['serve', '--config', join(dir, 'missing.json')]);
  t.equal(r.code, 78);
  t.match(r.stderr, /cannot read the file: ENOENT/);
});

t.test('the loopback plain-HTTP rule is checked after all schema problems are fixed', async (t) => {
  const dir = t.testdir();
  const a = join(dir, 'a.json');
  writeFileSync(a, JSON.stringify({ organ: { id: '000.46.24.H44', name: 'X', abbreviation: 'UBND' }, http: { listen: '0.0.0.0:8443', tls: false } }));
  const r = await runCli(['serve', '--config', a]);
  t.equal(r.code, 78);
  t.match(r.stderr, /http\.tls: plain HTTP \(false\) is only allowed on a loopback listen address/);
});

t.test('usage errors exit 2, help exits 0', async (t) => {
  t.equal((await runCli(['nonsense'])).code, 2);
  t.equal((await runCli(['serve', '--bogus'])).code, 2);
  const h = await runCli(['--help']);
  t.equal(h.code, 0);
  t.match(h.stdout, /serve/);
  t.match(h.stdout, /audit/);
});
