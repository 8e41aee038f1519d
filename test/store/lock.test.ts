import t from 'tap';
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { liveLockHolder, StateLock } from '../../src/store/index.js';
import { compileForChild, openStore, tempStateDir } from '../support/store.js';

t.test('a second store on the same directory fails with STATE_LOCKED naming the holder', async (t) => {
  const dir = await tempStateDir(t);
  const first = await openStore(dir);
  const err = await openStore(dir).then(
    () => null,
    (e: unknown) => e,
  );
  t.match(err, { code: 'STATE_LOCKED', details: { pid: process.pid } });
  t.match(String((err as Error).message), new RegExp(`process ${process.pid}`));
  t.same((await liveLockHolder(dir))?.pid, process.pid);
  await first.close();
  t.equal(await liveLockHolder(dir), null);
  const second = await openStore(dir);
  await second.close();
});

t.test('a lock left by a dead process is stale and taken over', async (t) => {
  const dir = await tempStateDir(t);
  // A real pid that is certainly dead: a child that has exited and been reaped.
  const child = spawn(process.execPath, ['-e', '0']);
  const pid = child.pid!;
  await new Promise((r) => child.on('exit', r));
  const lock = JSON.parse(JSON.stringify({ pid, host: (await import('node:os')).hostname(), bootId: null, startedAt: 'x' })) as object;
  await writeFile(path.join(dir, 'LOCK'), JSON.stringify(lock));
  const store = await openStore(dir);
  t.equal((JSON.parse(await readFile(path.join(dir, 'LOCK'), 'utf8')) as { pid: number }).pid, process.pid);
  await store.close();
});

t.test('a lock from another boot is stale even if its pid is alive now', async (t) => {
  const dir = await tempStateDir(t);
  const host = (await import('node:os')).hostname();
  await writeFile(path.join(dir, 'LOCK'), JSON.stringify({ pid: process.pid, host, bootId: 'some-earlier-boot', startedAt: 'x' }));
  const lock = await StateLock.acquire(dir);
  t.equal(lock.holder.pid, process.pid);
  await lock.release();
});

t.test('a lock naming our own pid on this boot, but not taken by us, is stale (pid reused after a power cut)', async (t) => {
  const dir = await tempStateDir(t);
  const host = (await import('node:os')).hostname();
  const boot = (await readFile('/proc/sys/kernel/random/boot_id', 'utf8').catch(() => '')).trim() || null;
  await writeFile(path.join(dir, 'LOCK'), JSON.stringify({ pid: process.pid, host, bootId: boot, startedAt: 'earlier' }));
  t.equal(await liveLockHolder(dir), null, 'the CLI does not take it for a running service');
  const lock = await StateLock.acquire(dir);
  t.equal((JSON.parse(await readFile(path.join(dir, 'LOCK'), 'utf8')) as { startedAt: string }).startedAt, lock.holder.startedAt, 'taken over');
  // The lock we do hold stays ours: a second acquire in this process is refused.
  await t.rejects(StateLock.acquire(`${dir}/`), { code: 'STATE_LOCKED' });
  t.equal((await liveLockHolder(dir))?.pid, process.pid);
  await lock.release();
});

t.test('another process owns the directory: refused while it lives, taken over once it is killed', async (t) => {
  const dir = await tempStateDir(t);
  // The crash test's writer: opens the store, prints READY, then writes until killed.
  const entry = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'support', 'store-crash-child.ts');
  const child = spawn(process.execPath, [await compileForChild(t, entry), dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<unknown>((r) => child.on('exit', r));
  t.teardown(async () => {
    child.kill('SIGKILL');
    await exited;
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.startsWith('READY\n')) resolve();
    });
    void exited.then(() => reject(new Error('the child exited before it was ready')));
  });
  await t.rejects(openStore(dir), { code: 'STATE_LOCKED', details: { pid: child.pid } }, 'a second process cannot open it');
  t.equal((await liveLockHolder(dir))?.pid, child.pid, 'the CLI can tell the service is up');
  child.kill('SIGKILL');
  await exited;
  const store = await openStore(dir);
  t.equal((JSON.parse(await readFile(path.join(dir, 'LOCK'), 'utf8')) as { pid: number }).pid, process.pid, 'the dead owner\'s lock was broken');
  await store.close();
});
