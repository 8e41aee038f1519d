import t from 'tap';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { openStore, tempStateDir } from '../support/store.js';

interface Doc {
  id: string;
  state: string;
  body: string;
}

async function activeBytes(dir: string, c: string): Promise<number> {
  let total = 0;
  for (const f of await readdir(path.join(dir, 'db', c))) total += (await stat(path.join(dir, 'db', c, f))).size;
  return total;
}

t.test('archived records stay readable; active files hold only active records', async (t) => {
  const dir = await tempStateDir(t);
  let store = await openStore(dir, { now: () => new Date('2026-11-15T10:00:00Z') });
  const docs = store.collection<Doc>('outgoing');
  const body = 'x'.repeat(500);
  for (let i = 0; i < 80; i++) await docs.insert({ id: `doc-${i}`, state: 'sent', body });
  await store.checkpoint();
  const fullSize = await activeBytes(dir, 'outgoing');

  for (let i = 0; i < 72; i++) {
    await store.transaction((tx) => {
      tx.collection<Doc>('outgoing').update(`doc-${i}`, (d) => ({ ...d, state: 'done' }));
      tx.collection<Doc>('outgoing').archive(`doc-${i}`);
      tx.audit({ event: 'outgoing.archived', subject: `doc-${i}` });
    });
  }
  await store.checkpoint();
  const smallSize = await activeBytes(dir, 'outgoing');
  t.ok(smallSize < fullSize / 5, `active files shrank (${fullSize} → ${smallSize} bytes)`);
  t.equal(docs.countActive(), 8);
  t.equal(docs.getActive('doc-5'), undefined, 'no longer active');
  t.same(await docs.get('doc-5'), { id: 'doc-5', state: 'done', body }, 'still found by get, with its final state');
  t.same(await docs.get('doc-75'), { id: 'doc-75', state: 'sent', body }, 'active ones too');
  t.equal(await docs.get('doc-999'), undefined);

  t.same((await readdir(path.join(dir, 'archive', 'outgoing'))).filter((n) => n.endsWith('.jsonl')), ['2026-11.jsonl'], 'monthly partition');
  t.equal((await docs.list()).length, 8, 'list shows active records by default');
  const all = await docs.list(undefined, { includeArchived: true });
  t.equal(all.length, 80, 'and archived ones on request, each once');
  t.equal((await docs.list((d) => d.state === 'done', { includeArchived: true })).length, 72);
  await store.close();

  store = await openStore(dir);
  t.same(await store.collection<Doc>('outgoing').get('doc-60'), { id: 'doc-60', state: 'done', body }, 'after re-open');
  await store.close();
});

t.test('a torn archive line (crash mid-append) is skipped and later appends still index correctly', async (t) => {
  const dir = await tempStateDir(t);
  const store = await openStore(dir, { now: () => new Date('2026-10-01T00:00:00Z') });
  t.teardown(() => store.close());
  const docs = store.collection<Doc>('incoming');
  await docs.insert({ id: 'a', state: 'done', body: '' });
  await docs.archive('a');
  const { appendFile } = await import('node:fs/promises');
  await appendFile(path.join(dir, 'archive', 'incoming', '2026-10.jsonl'), '{"id":"torn","sta');
  await docs.insert({ id: 'b', state: 'done', body: '' });
  await docs.archive('b');
  t.same(await docs.get('a'), { id: 'a', state: 'done', body: '' });
  t.same(await docs.get('b'), { id: 'b', state: 'done', body: '' });
  t.same((await docs.list(undefined, { includeArchived: true })).map((d) => d.id).sort(), ['a', 'b']);
  const text = await readFile(path.join(dir, 'archive', 'incoming', '2026-10.jsonl'), 'utf8');
  t.equal(text.split('\n').length, 4, 'fragment isolated on its own line');
});

t.test('bulk import goes straight to the archive and is found by get', async (t) => {
  const dir = await tempStateDir(t);
  const store = await openStore(dir);
  t.teardown(() => store.close());
  const n = await store.importArchived('outgoing', (function* () {
    for (let i = 0; i < 5000; i++) yield { id: `old-${i}`, state: 'done' };
  })(), '2025-01-10T00:00:00Z');
  t.equal(n, 5000);
  t.same(await store.collection('outgoing').get('old-4321'), { id: 'old-4321', state: 'done' });
  t.equal(store.collection('outgoing').countActive(), 0);
});
