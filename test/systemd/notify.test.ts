import t, { type Test } from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { pino } from 'pino';
import { createNotifier, startWatchdog, watchdogIntervalMs, type Watchdog } from '../../src/systemd/index.js';
import { listenNotify, type NotifyListener } from '../support/notify-socket.js';

const logger = pino({ level: 'silent' });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** A listener on a fresh socket path, removed after the test. */
async function manager(t: Test): Promise<NotifyListener> {
  const dir = await mkdtemp(join(tmpdir(), 'edoc-notify-'));
  const listener = await listenNotify(join(dir, 'notify.sock'));
  t.teardown(async () => {
    await listener.close();
    await rm(dir, { recursive: true, force: true });
  });
  return listener;
}

const watchdogs = (l: NotifyListener, from = 0): number[] =>
  l.messages.filter((m) => m.text === 'WATCHDOG=1' && m.at >= from).map((m) => m.at);

t.test('without NOTIFY_SOCKET nothing is sent and nothing fails', async (t) => {
  const n = createNotifier({ env: {}, logger });
  t.equal(n.enabled, false);
  n.ready('up');
  n.watchdog();
  t.equal(startWatchdog({ notifier: n, logger, probe: async () => true, env: { WATCHDOG_USEC: '1000000' } }), null);
});

t.test('READY, STATUS, STOPPING and RELOADING reach a datagram socket path', async (t) => {
  const sd = await manager(t);
  const n = createNotifier({ env: { NOTIFY_SOCKET: sd.address }, logger });
  t.equal(n.enabled, true);
  n.ready('serving on 0.0.0.0:8443');
  n.status('queue 3\nREADY=1'); // a newline in a value must not become a second assignment
  n.reloading();
  n.stopping();
  await until('four datagrams', () => sd.messages.length >= 4);
  const texts = sd.messages.map((m) => m.text);
  t.equal(texts[0], 'READY=1\nSTATUS=serving on 0.0.0.0:8443');
  t.equal(texts[1], 'STATUS=queue 3 READY=1');
  t.match(texts[2], /^RELOADING=1\nMONOTONIC_USEC=\d+$/);
  t.equal(texts[3], 'STOPPING=1');
});

const NO_SYSTEMD_NOTIFY = spawnSync('systemd-notify', ['--help']).error ? 'systemd-notify not installed: the abstract-address path cannot be exercised here' : false;

t.test('an abstract NOTIFY_SOCKET (@name) works too', { skip: NO_SYSTEMD_NOTIFY }, async (t) => {
  const name = `@edoc-test-${process.pid}-${Date.now()}`;
  const sd = await listenNotify(name);
  t.teardown(() => sd.close());
  const n = createNotifier({ env: { NOTIFY_SOCKET: name }, logger });
  n.ready('up');
  await until('READY', () => sd.messages.some((m) => m.text.startsWith('READY=1')));
  t.ok(sd.messages.some((m) => m.text === 'READY=1\nSTATUS=up'));
});

t.test('WATCHDOG_USEC and WATCHDOG_PID decide whether this process pings', async (t) => {
  t.equal(watchdogIntervalMs({ WATCHDOG_USEC: '30000000' }), 30_000);
  t.equal(watchdogIntervalMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: String(process.pid) }), 30_000);
  t.equal(watchdogIntervalMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: String(process.pid + 1) }), null, 'meant for another process');
  t.equal(watchdogIntervalMs({ WATCHDOG_USEC: 'soon' }), null);
  t.equal(watchdogIntervalMs({}), null);
});

function start(t: Test, sd: NotifyListener, probe: () => Promise<boolean>, usec = 1_000_000): Watchdog {
  const notifier = createNotifier({ env: { NOTIFY_SOCKET: sd.address }, logger });
  const dog = startWatchdog({ notifier, logger, probe, env: { WATCHDOG_USEC: String(usec) } });
  if (dog === null) throw new Error('watchdog did not start');
  t.teardown(() => dog.stop());
  return dog;
}

t.test('WATCHDOG=1 goes out at half the interval while healthy', async (t) => {
  const sd = await manager(t);
  const begin = Date.now();
  const dog = start(t, sd, async () => true); // WatchdogSec=1s → a ping every 500 ms
  await sleep(3000);
  const n = watchdogs(sd, begin).length;
  // Expected 7 (at 0, 0.5, …, 3.0 s); the range only tolerates a loaded CI machine.
  t.ok(n >= 4 && n <= 8, `${n} pings in 3 s`);
  t.equal(dog.stats().skipped, 0);
});

t.test('no ping while the event loop is stuck, and pings resume after', async (t) => {
  const sd = await manager(t);
  const dog = start(t, sd, async () => true);
  await until('first pings', () => watchdogs(sd).length >= 2);
  const blockStart = Date.now();
  while (Date.now() - blockStart < 2500) {
    // busy: more than two intervals without yielding to the event loop
  }
  const blockEnd = Date.now();
  await sleep(1500);
  const during = watchdogs(sd).filter((at) => at > blockStart + 50 && at < blockEnd);
  t.same(during, [], 'nothing was sent while the loop was blocked');
  const first = watchdogs(sd, blockEnd)[0];
  t.ok(first !== undefined && first - blockEnd >= 400, 'the late tick right after the block was skipped, not pinged');
  t.ok(dog.stats().skipped >= 1);
  t.ok(watchdogs(sd, blockEnd).length >= 1, 'pings resumed once the loop was free');
});

t.test('no ping while the store probe fails or hangs; pings resume when it answers', async (t) => {
  const sd = await manager(t);
  let mode: 'fail' | 'hang' | 'ok' = 'fail';
  const dog = start(t, sd, () => (mode === 'ok' ? Promise.resolve(true) : mode === 'fail' ? Promise.resolve(false) : new Promise<boolean>(() => undefined)));
  await sleep(1600);
  t.equal(watchdogs(sd).length, 0, 'a failing store probe: no ping');
  t.match(dog.stats().lastSkip, /store probe/);
  mode = 'hang';
  const hangFrom = Date.now();
  await sleep(1600);
  t.equal(watchdogs(sd, hangFrom).length, 0, 'a hung store probe: no ping');
  mode = 'ok';
  await until('pings resume', () => watchdogs(sd).length >= 2);
  t.equal(dog.stats().lastSkip, null);
});
