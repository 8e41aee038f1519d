import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdtemp, open, readdir, readFile, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { EventBus } from '../../src/events.js';
import { DurableFile, FreeSpace, Store } from '../../src/store/index.js';
import { openStore, tempStateDir } from '../support/store.js';

const run = promisify(execFile);

t.test('the free-space guard refuses writes inside the reserve with STORAGE_FULL', async (t) => {
  const dir = await tempStateDir(t);
  const free = await new FreeSpace(dir, { reserveBytes: 0 }).freeBytes();
  t.ok(free > 0);
  const guard = new FreeSpace(dir, { reserveBytes: free + 1024 ** 3 });
  await t.rejects(guard.assertSpaceFor(10), { code: 'STORAGE_FULL', details: { reserveBytes: free + 1024 ** 3 } });

  const events = new EventBus();
  const seen: unknown[] = [];
  events.subscribe('store.state', (s) => seen.push(s));
  const store = await Store.open({ stateDir: dir, reserveBytes: free + 1024 ** 3, events });
  t.teardown(() => store.close());
  await t.rejects(store.collection('outgoing').insert({ id: 'a' }), { code: 'STORAGE_FULL' });
  await t.rejects(store.blobs.put(Buffer.from('x')), { code: 'STORAGE_FULL' });
  t.equal(store.collection('outgoing').getActive('a'), undefined);
  t.match(seen, [{ state: 'full' }], 'the display/console learn that the disk is full');
});

// A real full filesystem: a tiny tmpfs. Mounting needs root; elsewhere the guard test above runs.
const canMount = process.getuid?.() === 0 && process.platform === 'linux';

t.test('ENOSPC on a tiny filesystem: STORAGE_FULL, previous state intact, no temp files', { skip: canMount ? false : 'needs root to mount a tmpfs' }, async (t) => {
  const mnt = await mkdtemp(path.join(tmpdir(), 'edoc-tinyfs-'));
  try {
    await run('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=0700', 'tmpfs', mnt]);
  } catch (e) {
    await rm(mnt, { recursive: true, force: true });
    t.comment(`skipped: cannot mount tmpfs here: ${(e as Error).message}`);
    return;
  }
  t.teardown(async () => {
    await run('umount', [mnt]).catch(() => undefined);
    await rm(mnt, { recursive: true, force: true });
  });
  const stateDir = path.join(mnt, 'state');
  // The guard off: this test is about real ENOSPC from the kernel, the backstop behind it.
  let store = await openStore(stateDir, { spaceGuard: false });
  const docs = store.collection<{ id: string; body: string }>('outgoing');
  for (let i = 0; i < 5; i++) await docs.insert({ id: `d${i}`, body: 'ok' }, { audit: { event: 'document.signed', subject: `d${i}` } });
  const before = { journal: await readFile(path.join(stateDir, 'db', 'journal.jsonl')), audit: store.auditHead };

  // A streamed blob bigger than the filesystem (its size is unknown up front, so it hits ENOSPC).
  const big = Readable.from(Array.from({ length: 32 }, () => Buffer.alloc(64 * 1024, 1)));
  await t.rejects(store.blobs.put(big), { code: 'STORAGE_FULL', cause: { code: 'ENOSPC' } });
  t.same(await readdir(path.join(stateDir, 'blobs', 'tmp')), [], 'no partial upload left');

  // Fill the filesystem to the last byte.
  const filler = path.join(mnt, 'filler');
  const fh = await open(filler, 'w');
  try {
    for (;;) await fh.write(Buffer.alloc(4096));
  } catch (e) {
    t.equal((e as NodeJS.ErrnoException).code, 'ENOSPC');
  } finally {
    await fh.close();
  }

  // A commit that needs new space fails cleanly; memory and journal are as before.
  await t.rejects(docs.insert({ id: 'big', body: 'y'.repeat(64 * 1024) }, { audit: { event: 'document.signed', subject: 'big' } }), {
    code: 'STORAGE_FULL',
    cause: { code: 'ENOSPC' },
  });
  t.equal(docs.getActive('big'), undefined);
  t.same(store.auditHead, before.audit, 'no audit entry for the refused write');
  t.same(await readFile(path.join(stateDir, 'db', 'journal.jsonl')), before.journal, 'journal rolled back to its last commit');

  // A lowdb-file write (used by checkpoints) fails the same way and keeps the old file.
  const df = new DurableFile<{ v: string }>(path.join(stateDir, 'db', 'probe.json'));
  await t.rejects(df.write({ v: 'z'.repeat(64 * 1024) }), { code: 'STORAGE_FULL', cause: { code: 'ENOSPC' } });
  t.equal(await df.read(), null);
  t.same((await readdir(path.join(stateDir, 'db'))).filter((n) => n.endsWith('.tmp')), [], 'no temp file left');

  // Space comes back: writing works again, and a re-open sees exactly the acknowledged state.
  await unlink(filler);
  await docs.insert({ id: 'after', body: 'ok' });
  await store.close();
  store = await openStore(stateDir, { spaceGuard: false });
  t.same(
    store.collection('outgoing').listActive().map((d) => d.id).sort(),
    ['after', 'd0', 'd1', 'd2', 'd3', 'd4'],
  );
  t.equal(store.auditHead.seq, 5);
  await store.close();
});
