import t from 'tap';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Low } from 'lowdb';
import { DurableFile } from '../../src/store/index.js';
import { tempStateDir } from '../support/store.js';

t.test('a missing file reads as null', async (t) => {
  const dir = await tempStateDir(t);
  t.equal(await new DurableFile<{ a: number }>(path.join(dir, 'x.json')).read(), null);
});

t.test('concurrent writes are serialised: every one lands, in submission order', async (t) => {
  const dir = await tempStateDir(t);
  const file = path.join(dir, 'seq.json');
  const adapter = new DurableFile<{ n: number; pad: string }>(file);
  // Record what the file holds right after each write resolves: with merging or reordering some
  // value would be skipped or seen out of order.
  const seen: number[] = [];
  const writes = Array.from({ length: 40 }, (_, n) =>
    adapter.write({ n, pad: 'x'.repeat(n * 50) }).then(async () => {
      seen.push((JSON.parse(await readFile(file, 'utf8')) as { n: number }).n);
    }),
  );
  await Promise.all(writes);
  t.same(seen, Array.from({ length: 40 }, (_, n) => n), 'each write observed, in order');
  t.same(await adapter.read(), { n: 39, pad: 'x'.repeat(39 * 50) });
  t.same(await readdir(dir), ['seq.json'], 'no temp files left');
});

t.test('a caller mutating its object after write() does not change what is written', async (t) => {
  const dir = await tempStateDir(t);
  const adapter = new DurableFile<{ v: string }>(path.join(dir, 'm.json'));
  const data = { v: 'first' };
  const p = adapter.write(data);
  data.v = 'second';
  await p;
  t.same(await adapter.read(), { v: 'first' });
});

t.test('leftover temp files from a crashed writer are ignored and removed on read', async (t) => {
  const dir = await tempStateDir(t);
  const file = path.join(dir, 'db.json');
  await writeFile(file, JSON.stringify({ ok: true }));
  await writeFile(path.join(dir, '.db.json.4242-abcdef.tmp'), '{"ok": fal'); // torn temp
  await writeFile(path.join(dir, 'other.json'), '{}');
  const adapter = new DurableFile<{ ok: boolean }>(file);
  t.same(await adapter.read(), { ok: true });
  t.same((await readdir(dir)).sort(), ['db.json', 'other.json'], 'only our own leftovers removed');
  await adapter.write({ ok: false });
  t.same(await adapter.read(), { ok: false });
});

t.test('works as a lowdb adapter', async (t) => {
  const dir = await tempStateDir(t);
  const file = path.join(dir, 'low.json');
  const db = new Low<{ items: string[] }>(new DurableFile(file), { items: [] });
  await db.read();
  await db.update((d) => d.items.push('a'));
  await db.update((d) => d.items.push('b'));
  const again = new Low<{ items: string[] }>(new DurableFile(file), { items: [] });
  await again.read();
  t.same(again.data.items, ['a', 'b']);
});
