import t from 'tap';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';

/** The problem lines of a ConfigError as the CLI prints them ("  - field: problem"). */
const problemLines = (stderr: string): string[] => stderr.split('\n').filter((l) => l.startsWith('  - '));

const ORGAN = { id: '000.46.24.H44', name: 'UBND xã Tiên Lương', abbreviation: 'UBND' };

t.test('serve with three mistakes in the config prints all three and exits 78, nothing started', async (t) => {
  const dir = t.testdir();
  mkdirSync(join(dir, 'trust'));
  const file = join(dir, 'config.json');
  const stateDir = join(dir, 'state');
  writeFileSync(
    file,
    JSON.stringify({
      organ: { ...ORGAN, id: 'not an organ id' },
      stateDir,
      http: { listen: '127.0.0.1:8443', tls: false },
      hsm: { mechanism: 'DSA' },
      trust: { anchors: join(dir, 'trust') },
      axis: { embedded: true },
      relay: { receiptDeadlineHours: -1 },
    }),
  );
  const r = await runCli(['serve', '--config', file], { env: { EDOC_GATEWAY_CONFIG: '' } });
  t.equal(r.code, 78, 'exit 78');
  const lines = problemLines(r.stderr);
  t.equal(lines.length, 3, `exactly the three mistakes are listed:\n${r.stderr}`);
  t.match(r.stderr, /organ\.id/, 'names organ.id');
  t.match(r.stderr, /hsm\.mechanism/, 'names hsm.mechanism');
  t.match(r.stderr, /relay\.receiptDeadlineHours/, 'names relay.receiptDeadlineHours');
  t.equal(r.stdout, '', 'no log line: nothing started');
  t.notOk(existsSync(stateDir), 'the state directory was not created');
});

t.test('schema, semantic, domain and missing-file problems are all listed in one run', async (t) => {
  const dir = t.testdir();
  const file = join(dir, 'config.json');
  const stateDir = join(dir, 'state');
  writeFileSync(
    file,
    JSON.stringify({
      organ: ORGAN,
      stateDir,
      http: { listen: '0.0.0.0:8443', tls: false }, // plain HTTP off loopback (semantic)
      hsm: { sessions: 0 }, // schema
      trust: { anchors: 'no-such-trust-dir' }, // relative to the config file, missing
      axis: { endpoint: 'https://lgsp.example/axis', systemId: '000.46.24.H44', secretFile: 'axis-secret', pollSeconds: 60 },
      relay: { paperlessTypes: ['CV', 'XX'] }, // XX fits the schema's pattern, not the catalogue
      webhooks: [{ url: 'http://127.0.0.1:9000/hook', secretFile: join(dir, 'empty-secret'), events: ['outgoing.status'] }],
    }),
  );
  writeFileSync(join(dir, 'empty-secret'), '');
  const r = await runCli(['serve', '--config', file], { env: { EDOC_GATEWAY_CONFIG: '' } });
  t.equal(r.code, 78);
  const lines = problemLines(r.stderr);
  t.match(r.stderr, /hsm\.sessions: must be >= 1/);
  t.match(r.stderr, /http\.tls: plain HTTP \(false\) is only allowed on a loopback listen address/);
  t.match(r.stderr, /relay\.paperlessTypes\.1: "XX" is not a document type id/);
  t.match(r.stderr, new RegExp(`trust\\.anchors: cannot read ${join(dir, 'no-such-trust-dir')} \\(ENOENT\\)`));
  t.match(r.stderr, new RegExp(`axis\\.secretFile: cannot read ${join(dir, 'axis-secret')} \\(ENOENT\\)`));
  t.match(r.stderr, /webhooks\.0\.secretFile: .* is empty/);
  t.equal(lines.length, 6, `six problems, none twice:\n${r.stderr}`);
  t.notOk(existsSync(stateDir), 'the state directory was not created');
});

t.test('a problem the schema names is not repeated by the later checks', async (t) => {
  const dir = t.testdir();
  mkdirSync(join(dir, 'trust'));
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify({ organ: { ...ORGAN, id: 'x y' }, stateDir: join(dir, 'state'), http: { listen: 'nope', tls: false }, trust: { anchors: join(dir, 'trust') }, axis: { embedded: true } }));
  const r = await runCli(['serve', '--config', file], { env: { EDOC_GATEWAY_CONFIG: '' } });
  t.equal(r.code, 78);
  t.same(
    problemLines(r.stderr).map((l) => l.slice(4, l.indexOf(': '))),
    ['organ.id', 'http.listen'],
    'one line per field (the OrganId and HOST:PORT checks do not add a second)',
  );
});

t.test('plain HTTP on a non-loopback address is refused; unknown fields and bad JSON are named', async (t) => {
  const dir = t.testdir();
  const a = join(dir, 'a.json');
  writeFileSync(a, JSON.stringify({ organ: { id: '000.46.24.H44', name: 'X', abbreviation: 'UBND' }, http: { listen: '0.0.0.0:8443', tls: false }, bogus: 1 }));
  let r = await runCli(['serve', '--config', a]);
  t.equal(r.code, 78);
  t.match(r.stderr, /unknown field "bogus"/);
  t.match(r.stderr, /http\.tls: plain HTTP \(false\) is only allowed on a loopback listen address/, 'reported together with the schema problem');
  const b = join(dir, 'b.json');
  writeFileSync(b, '{\n  "organ": ');
  r = await runCli(['serve', '--config', b]);
  t.equal(r.code, 78);
  t.match(r.stderr, /not valid JSON \(line 2, column \d+\)/);
  r = await runCli(['serve', '--config', join(dir, 'missing.json')]);
  t.equal(r.code, 78);
  t.match(r.stderr, /cannot read the file: ENOENT/);
});

t.test('--config pointed at a secret file by mistake: refused without printing the secret', async (t) => {
  const dir = t.testdir();
  const pin = join(dir, 'hsm-pin');
  writeFileSync(pin, 'PIN-4711-bi-mat\n');
  const r = await runCli(['serve', '--config', pin]);
  t.equal(r.code, 78);
  t.match(r.stderr, /not valid JSON/);
  t.notMatch(r.stderr + r.stdout, /4711|bi-mat/, 'no part of the file is echoed');
});

t.test('usage errors exit 2, help exits 0', async (t) => {
  t.equal((await runCli(['nonsense'])).code, 2);
  t.equal((await runCli(['serve', '--bogus'])).code, 2);
  const h = await runCli(['--help']);
  t.equal(h.code, 0);
  t.match(h.stdout, /serve/);
  t.match(h.stdout, /audit/);
  const s = await runCli(['serve', '--help']);
  t.equal(s.code, 0);
  t.match(s.stdout, /usage: edoc-gateway serve/);
});
