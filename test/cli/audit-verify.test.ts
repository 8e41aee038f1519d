import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';
import { openStore, tempStateDir } from '../support/store.js';
import { auditPath } from '../../src/store/index.js';

/**
 * `edoc-gateway audit verify` as an admin runs it: exit 0 on an intact chain, exit 1 naming the
 * first broken entry when a byte is changed, an entry removed, or two entries swapped.
 */
async function stateWithEntries(t: { teardown(fn: () => unknown): void }, n: number): Promise<string> {
  const dir = await tempStateDir(t, 'edoc-audit-cli-');
  const store = await openStore(dir);
  for (let i = 1; i <= n; i++) {
    await store.transaction((tx) => {
      tx.collection<{ id: string; n: number }>('meta').put({ id: `k${i}`, n: i });
      tx.audit({ event: 'test.entry', subject: `k${i}`, data: { n: i, text: 'Quyết định số 12/QĐ-UBND' } });
    });
  }
  // A checkpoint makes the audit file the only copy of most entries, as on a long-running box.
  await store.checkpoint();
  await store.close();
  return dir;
}

const lines = (dir: string): string[] => readFileSync(auditPath(dir), 'utf8').split('\n').filter((l) => l.length > 0);
const write = (dir: string, ls: string[]): void => writeFileSync(auditPath(dir), `${ls.join('\n')}\n`);

t.test('intact chain: exit 0', async (t) => {
  const dir = await stateWithEntries(t, 6);
  const r = await runCli(['audit', 'verify', '--state-dir', dir]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /audit chain OK: 6 entries/);
  const j = await runCli(['audit', 'verify', '--state-dir', dir, '--json']);
  t.same(JSON.parse(j.stdout).ok, true);
});

t.test('a changed byte inside entry 3: exit 1 naming entry 3', async (t) => {
  const dir = await stateWithEntries(t, 6);
  const ls = lines(dir);
  ls[2] = ls[2]!.replace('"n":3', '"n":4');
  write(dir, ls);
  const r = await runCli(['audit', 'verify', '--state-dir', dir]);
  t.equal(r.code, 1);
  t.match(r.stdout, /BROKEN at entry seq 3 \(line 3\)/);
});

t.test('an entry removed: exit 1 at the gap', async (t) => {
  const dir = await stateWithEntries(t, 6);
  const ls = lines(dir);
  ls.splice(3, 1);
  write(dir, ls);
  const r = await runCli(['audit', 'verify', '--state-dir', dir]);
  t.equal(r.code, 1);
  t.match(r.stdout, /BROKEN at entry seq 4 \(line 4\)/);
});

t.test('two entries swapped: exit 1 at the first of them', async (t) => {
  const dir = await stateWithEntries(t, 6);
  const ls = lines(dir);
  [ls[1], ls[2]] = [ls[2]!, ls[1]!];
  write(dir, ls);
  const r = await runCli(['audit', 'verify', '--state-dir', dir]);
  t.equal(r.code, 1);
  t.match(r.stdout, /BROKEN at entry seq 2 \(line 2\)/);
});

t.test('usage: audit without verify exits 2; a state directory that does not exist is not "OK"', async (t) => {
  const r = await runCli(['audit']);
  t.equal(r.code, 2);
  const dir = await tempStateDir(t, 'edoc-audit-cli-');
  const typo = await runCli(['audit', 'verify', '--state-dir', join(dir, 'no-such-dir')]);
  t.equal(typo.code, 2);
  t.match(typo.stderr, /no state directory at .*no-such-dir/);
  t.notMatch(typo.stdout, /OK/);
});
