import t from 'tap';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { auditPath, verifyAudit, type AuditEntry } from '../../src/store/index.js';
import { parseJournal } from '../../src/store/journal.js';
import { openStore, tempStateDir } from '../support/store.js';

/**
 * Group commit of `store.audit()`: concurrent calls (one per signature under load) share one
 * journal line and one fdatasync, yet each caller gets its own entry, in call order, and only once
 * that entry is in the synced journal.
 */
const journalOf = (dir: string) => path.join(dir, 'db', 'journal.jsonl');

t.test('concurrent audit calls are committed together, each caller gets its own entry', async (t) => {
  const dir = await tempStateDir(t);
  const store = await openStore(dir);
  const calls = Array.from({ length: 20 }, (_, i) => store.audit({ event: 'signed-file', actor: 'apikey:bench', subject: `van-ban-${i}.pdf` }));
  const entries = await Promise.all(calls);

  t.same(entries.map((e) => e.seq), Array.from({ length: 20 }, (_, i) => i + 1), 'seq follows the call order');
  t.same(entries.map((e) => e.subject), Array.from({ length: 20 }, (_, i) => `van-ban-${i}.pdf`), 'each caller got its own entry');
  for (let i = 1; i < entries.length; i++) t.equal(entries[i]!.prev, entries[i - 1]!.hash, `entry ${i + 1} chains to the one before`);

  // Resolved means in the journal (synced): every entry is there before any checkpoint.
  const { records } = parseJournal(await readFile(journalOf(dir)));
  const journaled = records.flatMap((r) => r.audit.map((e) => e.seq));
  t.same(journaled, entries.map((e) => e.seq), 'every acknowledged entry is in the journal');
  t.ok(records.length < entries.length, `grouped: ${entries.length} entries in ${records.length} journal line(s)`);

  await store.close();
  t.match(await verifyAudit(dir), { ok: true, entries: 20 });
});

t.test('a malformed entry fails only its own caller', async (t) => {
  const dir = await tempStateDir(t);
  const store = await openStore(dir);
  const good1 = store.audit({ event: 'a' });
  const bad = store.audit({ event: '' });
  const good2 = store.audit({ event: 'b' });
  await t.rejects(bad, { code: 'BAD_REQUEST' });
  const [e1, e2] = await Promise.all([good1, good2]);
  t.equal(e1.event, 'a');
  t.equal(e2.event, 'b');
  t.equal(e2.seq, e1.seq + 1, 'no gap left by the refused entry');
  await store.close();
  const log = (await readFile(auditPath(dir), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as AuditEntry);
  t.same(log.map((e) => e.event), ['a', 'b']);
});

t.test('a write submitted in between closes the group: submission order holds', async (t) => {
  const dir = await tempStateDir(t);
  const store = await openStore(dir);
  const first = store.audit({ event: 'first' });
  const tx = store.transaction((x) => x.audit({ event: 'in-transaction' }));
  // Submitted after the transaction: must not join the group opened before it.
  const later = [store.audit({ event: 'later-1' }), store.audit({ event: 'later-2' })];
  await Promise.all([first, tx, ...later]);
  const { records } = parseJournal(await readFile(journalOf(dir)));
  t.same(
    records.map((r) => r.audit.map((e) => e.event)),
    [['first'], ['in-transaction'], ['later-1', 'later-2']],
    'one line per write, the two later audit calls grouped',
  );
  await store.close();
  t.match(await verifyAudit(dir), { ok: true, entries: 4 });
});
