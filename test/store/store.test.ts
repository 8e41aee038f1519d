import t from 'tap';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { verifyAudit } from '../../src/store/index.js';
import { openStore, tempStateDir, type AppErrorLike } from '../support/store.js';

interface Doc {
  id: string;
  state: string;
  n?: number;
}

t.test('records survive a close and re-open; reads see the latest state', async (t) => {
  const dir = await tempStateDir(t);
  let store = await openStore(dir);
  const docs = store.collection<Doc>('outgoing');
  await docs.insert({ id: 'd1', state: 'queued' });
  await docs.insert({ id: 'd2', state: 'queued' });
  await docs.update('d1', (d) => {
    d.state = 'sent';
  });
  t.equal(await docs.delete('d2'), true);
  t.equal(await docs.delete('nope'), false);
  t.same(docs.getActive('d1'), { id: 'd1', state: 'sent' });
  await store.close();

  store = await openStore(dir);
  t.same(await store.collection<Doc>('outgoing').get('d1'), { id: 'd1', state: 'sent' });
  t.equal(await store.collection<Doc>('outgoing').get('d2'), undefined);
  await store.close();
});

t.test('insert of an existing id is CONFLICT, update of a missing id NOT_FOUND; nothing is written', async (t) => {
  const dir = await tempStateDir(t);
  const store = await openStore(dir);
  t.teardown(() => store.close());
  const docs = store.collection<Doc>('outgoing');
  await docs.insert({ id: 'a', state: 'x' });
  await t.rejects(docs.insert({ id: 'a', state: 'y' }), { code: 'CONFLICT' } satisfies AppErrorLike);
  await t.rejects(docs.update('b', (d) => d), { code: 'NOT_FOUND' } satisfies AppErrorLike);
  await t.rejects(docs.insert({ id: '', state: 'y' } as Doc), { code: 'BAD_REQUEST' } satisfies AppErrorLike);
  t.same(docs.getActive('a'), { id: 'a', state: 'x' });
  t.equal(store.auditHead.seq, 0, 'failed writes add no audit entry');
});

t.test('a transaction commits records in several collections and audit entries together', async (t) => {
  const dir = await tempStateDir(t);
  let store = await openStore(dir);
  const r = await store.transaction((tx) => {
    tx.collection<Doc>('outgoing').insert({ id: 'doc-1', state: 'signed' });
    tx.collection<{ id: string; doc: string }>('outbox').insert({ id: 'ob-1', doc: 'doc-1' });
    tx.audit({ event: 'document.signed', actor: 'clerk', subject: 'doc-1' });
    return 'done';
  });
  t.equal(r, 'done');
  t.equal(store.auditHead.seq, 1);
  // The commit is ONE journal line holding both records and the audit entry.
  const journal = (await readFile(path.join(dir, 'db', 'journal.jsonl'), 'utf8')).trim().split('\n');
  t.equal(journal.length, 1);
  const line = JSON.parse(journal[0]!.slice(17)) as { ops: unknown[]; audit: unknown[] };
  t.equal(line.ops.length, 2);
  t.equal(line.audit.length, 1);

  // A throwing transaction leaves no trace.
  await t.rejects(
    store.transaction((tx) => {
      tx.collection<Doc>('outgoing').insert({ id: 'doc-2', state: 'signed' });
      tx.audit({ event: 'document.signed', subject: 'doc-2' });
      throw new Error('validation failed');
    }),
    /validation failed/,
  );
  t.equal(store.collection('outgoing').getActive('doc-2'), undefined);
  t.equal(store.auditHead.seq, 1);
  await store.close();

  store = await openStore(dir);
  t.ok(store.collection('outbox').getActive('ob-1'));
  t.equal(store.auditHead.seq, 1);
  await store.close();
  t.match(await verifyAudit(dir), { ok: true, entries: 1 });
});

t.test('reads inside a transaction see its own changes; writes are serialised', async (t) => {
  const dir = await tempStateDir(t);
  const store = await openStore(dir);
  t.teardown(() => store.close());
  const counters = store.collection<{ id: string; n: number }>('meta');
  await counters.insert({ id: 'counter', n: 0 });
  // 50 concurrent read-modify-write updates: with lost updates the total would be smaller.
  await Promise.all(Array.from({ length: 50 }, () => counters.update('counter', (c) => ({ ...c, n: c.n + 1 }))));
  t.equal(counters.getActive('counter')?.n, 50);
  const seen = await store.transaction((tx) => {
    const c = tx.collection<{ id: string; n: number }>('meta');
    c.update('counter', (x) => ({ ...x, n: 100 }));
    return c.get('counter')?.n;
  });
  t.equal(seen, 100);
});

t.test('returned records are copies: mutating them does not change the store', async (t) => {
  const dir = await tempStateDir(t);
  const store = await openStore(dir);
  t.teardown(() => store.close());
  const docs = store.collection<Doc>('incoming');
  const inserted = await docs.insert({ id: 'i1', state: 'new' });
  inserted.state = 'hacked';
  const got = docs.getActive('i1')!;
  got.state = 'hacked';
  t.equal(docs.getActive('i1')?.state, 'new');
  t.equal(docs.listActive((d) => d.state === 'new').length, 1);
});

t.test('the journal is checkpointed into sharded lowdb files and emptied', async (t) => {
  const dir = await tempStateDir(t);
  const store = await openStore(dir, { checkpointBytes: 2000 });
  const docs = store.collection<Doc>('outgoing');
  for (let i = 0; i < 30; i++) await docs.insert({ id: `d${i}`, state: 'queued', n: i });
  const journalSize = (await readFile(path.join(dir, 'db', 'journal.jsonl'))).length;
  t.ok(journalSize < 2000 + 200, 'journal stays near the checkpoint threshold');
  await store.close();
  t.equal((await readFile(path.join(dir, 'db', 'journal.jsonl'))).length, 0, 'empty after close');
  const shards = (await readdir(path.join(dir, 'db', 'outgoing'))).sort();
  t.same(shards, ['00.json', '01.json', '02.json', '03.json', '04.json', '05.json', '06.json', '07.json']);
  let total = 0;
  for (const s of shards) total += Object.keys((JSON.parse(await readFile(path.join(dir, 'db', 'outgoing', s), 'utf8')) as { records: object }).records).length;
  t.equal(total, 30, 'every record in exactly one shard');
});

t.test('recovery: a copy of a running store (as after a kill) replays its journal, even with audit lines lost', async (t) => {
  const { cp, readFile: rf, writeFile: wf, rm: rmf } = await import('node:fs/promises');
  const dir = await tempStateDir(t);
  const copy = await tempStateDir(t);
  const store = await openStore(dir);
  t.teardown(() => store.close());
  const docs = store.collection<Doc>('outgoing');
  for (let i = 0; i < 6; i++) await docs.insert({ id: `d${i}`, state: 'queued' }, { audit: { event: 'document.signed', subject: `d${i}` } });
  await store.checkpoint();
  for (let i = 6; i < 10; i++) await docs.insert({ id: `d${i}`, state: 'queued' }, { audit: { event: 'document.signed', subject: `d${i}` } });
  await docs.archive('d2', { audit: { event: 'outgoing.archived', subject: 'd2' } });

  // The files as a SIGKILL would leave them (no LOCK: its holder, this process, is alive).
  await cp(dir, copy, { recursive: true });
  await rmf(path.join(copy, 'LOCK'));
  // Drop the audit lines written after the checkpoint and a torn journal tail, as a power cut
  // could: the journal, synced on every commit, still holds them.
  const auditFile = path.join(copy, 'audit', 'audit.jsonl');
  const auditLines = (await rf(auditFile, 'utf8')).split('\n').filter(Boolean);
  await wf(auditFile, auditLines.slice(0, 6).join('\n') + '\n{"seq":7,"at":"20');
  const pending = await verifyAudit(copy);
  t.match(pending, { ok: true, entries: 6, warnings: [/incomplete/, /committed in the store journal/] });
  await wf(path.join(copy, 'db', 'journal.jsonl'), (await rf(path.join(copy, 'db', 'journal.jsonl'), 'utf8')) + '0123456789abcdef {"tx":99,"op');

  const recovered = await openStore(copy);
  const rdocs = recovered.collection<Doc>('outgoing');
  t.same(rdocs.listActive().map((d) => d.id).sort(), ['d0', 'd1', 'd3', 'd4', 'd5', 'd6', 'd7', 'd8', 'd9']);
  t.same(await rdocs.get('d2'), { id: 'd2', state: 'queued' }, 'archived record replayed');
  t.equal(recovered.auditHead.seq, 11);
  t.same(recovered.auditHead, store.auditHead, 'same chain as the original');
  await recovered.close();
  t.match(await verifyAudit(copy), { ok: true, entries: 11, warnings: [] });
  t.equal((await rf(path.join(copy, 'db', 'journal.jsonl'))).length, 0, 'journal emptied after replay');
});

t.test('a journal damaged before its last line refuses to open instead of dropping commits', async (t) => {
  const { writeFile: wf, readFile: rf } = await import('node:fs/promises');
  const dir = await tempStateDir(t);
  const { copyFile } = await import('node:fs/promises');
  const store = await openStore(dir);
  for (let i = 0; i < 3; i++) await store.collection('users').insert({ id: `u${i}` });
  // Snapshot the un-checkpointed journal, then close (which empties it), then put it back damaged.
  await copyFile(path.join(dir, 'db', 'journal.jsonl'), path.join(dir, 'journal.saved'));
  await store.close();
  const lines = (await rf(path.join(dir, 'journal.saved'), 'utf8')).split('\n');
  lines[1] = lines[1]!.replace('u1', 'u7');
  await wf(path.join(dir, 'db', 'journal.jsonl'), lines.join('\n'));
  await t.rejects(openStore(dir), { code: 'INTERNAL', message: /journal damaged at line 2/ });
  const again = await openStore(dir).catch((e: unknown) => e);
  t.match(again, { code: 'INTERNAL' }, 'the lock was released by the failed open');
});
