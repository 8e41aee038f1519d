import t from 'tap';
import { SerialQueue } from '../../src/store/serial-queue.js';
import type { Store } from '../../src/store/store.js';
import { storeProbe } from '../../src/systemd/store-probe.js';
import { openStore, tempStateDir } from '../support/store.js';

/**
 * The watchdog's store probe: a durable write only when no write succeeded lately (SD-card wear),
 * and "not alive" as soon as one write has been running too long.
 */
t.test('a quiet store is proven by a durable write, at most every writeEveryMs; traffic counts as proof', async (t) => {
  let clock = Date.now();
  const store = await openStore(await tempStateDir(t), { now: () => new Date(clock) });
  t.teardown(() => store.close());
  // The probe and the store on one clock, which the test moves.
  const probe = storeProbe(store, { stuckAfterMs: 5000, writeEveryMs: 60_000, now: () => clock });
  const liveness = () => store.collection<{ id: string; at: string }>('meta').getActive('liveness')?.at;

  clock += 120_000; // nothing written for two minutes (clock moved past the last open-time write)
  t.equal(await probe(), true);
  const first = liveness();
  t.type(first, 'string', 'the probe wrote its record');
  clock += 10_000;
  t.equal(await probe(), true);
  t.equal(liveness(), first, 'a write 10 s ago proves the store: no new write');
  clock += 61_000;
  t.equal(await probe(), true);
  t.not(liveness(), first, 'past writeEveryMs the probe writes again');
  const second = liveness();
  // Real traffic (any successful write) counts as proof just the same.
  clock += 61_000;
  await store.collection<{ id: string; n: number }>('things').put({ id: 'x', n: 1 });
  t.equal(await probe(), true);
  t.equal(liveness(), second, 'a document write just now: no probe write');
});

t.test('a write running longer than stuckAfterMs fails the probe at once, without queueing behind it', async (t) => {
  let clock = 1_000_000;
  const queue = new SerialQueue(() => clock);
  let release!: () => void;
  void queue.run(() => new Promise<void>((r) => (release = r)));
  await new Promise((r) => setImmediate(r)); // the task has started
  const stub = { writerProgress: () => queue.progress(), collection: () => t.fail('no write while the writer is wedged') } as unknown as Pick<Store, 'writerProgress' | 'collection'>;
  const probe = storeProbe(stub, { stuckAfterMs: 5000, now: () => clock });
  clock += 4000;
  t.same(queue.progress(), { runningForMs: 4000, lastOkAt: null });
  clock += 2000;
  t.equal(await probe(), false, 'wedged for 6 s');
  release();
  await new Promise((r) => setImmediate(r));
  t.same(queue.progress(), { runningForMs: 0, lastOkAt: clock }, 'the write finished: idle, last success now');
  t.equal(await probe(), true, 'alive again');
});

t.test('the queue reports a failed task as settled, not as a success', async (t) => {
  let clock = 5;
  const queue = new SerialQueue(() => clock);
  await t.rejects(queue.run(() => Promise.reject(new Error('EIO'))));
  clock = 9;
  t.same(queue.progress(), { runningForMs: 0, lastOkAt: null });
  await queue.run(() => 1);
  t.same(queue.progress(), { runningForMs: 0, lastOkAt: 9 });
});
