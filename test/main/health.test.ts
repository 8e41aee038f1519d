import t from 'tap';
import { Writable } from 'node:stream';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SerialPort } from 'serialport';
import { pino } from 'pino';
import type { Config } from '../../src/config/schema.js';
import { startService, type RunningService } from '../../src/main.js';
import { DisplayEmulator } from '../../src/display/index.js';
import { PROMPT } from '../../src/console/index.js';
import { embeddedOfficeConfig, makeDevToken, type DevToken } from '../support/softhsm.js';
import { openPtyPair } from '../support/pty.js';
import { until } from '../support/office.js';

/**
 * The composition root with real parts: a SoftHSM token, the embedded axis simulator, plain HTTP
 * on loopback, the display emulator and the console on socat ptys. Health must report what each
 * part is doing, and no device problem may stop the service from becoming ready.
 */
interface Captured {
  lines: Record<string, unknown>[];
  logger: pino.Logger;
}

function capture(): Captured {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { lines, logger: pino({ level: 'info' }, stream) };
}

let dev: DevToken;
t.before(async () => {
  dev = await makeDevToken(t.testdirName + '-token');
});

function configFor(dir: string, over: Partial<Config> = {}): Config {
  return embeddedOfficeConfig(dev, path.join(dir, 'state'), { log: { level: 'info' }, ...over });
}

async function health(s: RunningService): Promise<{ code: number; body: Record<string, { state?: string } & Record<string, unknown>> }> {
  const res = await fetch(`${s.url}/api/v1/health`);
  return { code: res.status, body: (await res.json()) as Record<string, { state?: string }> };
}

t.test('a display path that does not exist: the service is ready anyway, display "disconnected"', async (t) => {
  const dir = t.testdir();
  const log = capture();
  const s = await startService(configFor(dir, { display: { path: path.join(dir, 'no-such-display'), baudRate: 115200 } }), { noSignals: true, logger: log.logger });
  t.teardown(() => s.stop());
  const h = await health(s);
  t.equal(h.code, 200, 'health answers 200 (degraded is not down)');
  t.equal(h.body.display?.state, 'disconnected', 'display disconnected');
  t.equal(h.body.hsm?.state, 'ready', 'HSM logged in');
  t.equal(h.body.status as unknown, 'degraded', 'a configured display that does not answer degrades the service');
  t.match(h.body.axis, { state: String }, 'axis state reported');
  const ready = log.lines.find((l) => l.msg === 'edoc-gateway ready');
  t.ok(ready, 'the ready line is logged');
  t.type(ready?.readyMs, 'number', 'start.ready_ms is measurable from the log');
  t.equal(ready?.display, 'disconnected');
  // The staff page is mounted by the HTTP app through webRoutes.
  const page = await fetch(`${s.url}/`);
  t.equal(page.status, 200);
  t.match(page.headers.get('content-security-policy'), /script-src 'self'/);
});

t.test('no display configured is "absent"; health reports HSM and axis states', async (t) => {
  const dir = t.testdir();
  const s = await startService(configFor(dir), { noSignals: true, logger: pino({ level: 'silent' }) });
  t.teardown(() => s.stop());
  const h = await health(s);
  t.equal(h.body.display?.state, 'absent');
  t.equal(h.body.hsm?.state, 'ready');
  // The embedded simulator answers the first poll / directory sync: the axis becomes "ok".
  const ok = await until(async () => ((await health(s)).body.axis?.state === 'ok' ? true : null), 20_000, 'axis ok');
  t.ok(ok, 'axis reported ok once reached');
  t.equal((await health(s)).body.status as unknown, 'ok', 'everything fine: status ok');
});

t.test('a wrong HSM PIN: ready, hsm "pin-incorrect", one login attempt only', async (t) => {
  const dir = t.testdir();
  const pinFile = path.join(dir, 'wrong.pin');
  writeFileSync(pinFile, 'wrong-pin-123\n', { mode: 0o600 });
  const s = await startService(configFor(dir, { hsm: { ...dev.hsm, pinFile } }), { noSignals: true, logger: pino({ level: 'silent' }) });
  t.teardown(() => s.stop());
  const h = await health(s);
  t.equal(h.code, 200);
  t.equal(h.body.hsm?.state, 'pin-incorrect');
  t.equal(h.body.status as unknown, 'degraded');
});

t.test('display and console on real ptys: connected, then the display unplugged, the service stays up', async (t) => {
  const dir = t.testdir();
  mkdirSync(path.join(dir, 'd'));
  mkdirSync(path.join(dir, 'c'));
  const dpair = await openPtyPair({ dir: path.join(dir, 'd') });
  const cpair = await openPtyPair({ dir: path.join(dir, 'c') });
  t.teardown(() => cpair.close());
  const emu = await DisplayEmulator.start({ path: dpair.b });
  const s = await startService(
    configFor(dir, { display: { path: dpair.a, baudRate: 115200 }, console: { path: cpair.a, baudRate: 115200 } }),
    { noSignals: true, logger: pino({ level: 'silent' }) },
  );
  t.teardown(() => s.stop());
  await until(async () => (await health(s)).body.display?.state === 'connected', 20_000, 'display connected');
  t.pass('display connected');
  await until(async () => emu.rows().some((r) => r.includes('HSM')), 20_000, 'the emulator shows a page');
  t.pass('the display renders the status page from the service');

  // The console answers `status` with the core's data.
  const term = new SerialPort({ path: cpair.b, baudRate: 115200, autoOpen: false });
  await new Promise<void>((res, rej) => term.open((e) => (e ? rej(e) : res())));
  t.teardown(() => new Promise<void>((r) => (term.isOpen ? term.close(() => r()) : r())));
  let text = '';
  term.on('data', (b: Buffer) => (text += b.toString()));
  term.on('error', () => undefined);
  await until(async () => {
    term.write('status\r');
    await new Promise((r) => setTimeout(r, 200));
    return /HSM/i.test(text) && text.includes(PROMPT);
  }, 20_000, 'console status');
  t.match(text, /ready/, 'console status shows the HSM state');
  // selftest on the console runs the CLI's checks: a real CAdES sign + verify, the axis reached.
  const mark = text.length;
  term.write('selftest\r');
  await until(async () => /checks (passed|failed)[^\n]*\r\nedoc> $/.test(text.slice(mark)), 30_000, 'console selftest');
  const st = text.slice(mark);
  t.match(st, /ok\s+hsm\s+signed and verified \(RSA-PKCS, certificate trusted\)/, 'console selftest signs and verifies with the HSM');
  t.match(st, /ok\s+store\s+wrote and read back/, 'console selftest writes and reads the store');
  t.match(st, /ok\s+display\s+connected/, 'console selftest checks the display');
  t.match(st, /ok\s+axis\s+reachable/, 'console selftest reaches the axis');
  t.match(st, /all 4 checks passed/);

  await emu.close();
  await dpair.close();
  await until(async () => (await health(s)).body.display?.state === 'disconnected', 20_000, 'display disconnected');
  const h = await health(s);
  t.equal(h.code, 200, 'the service still answers after the display went away');
  t.equal(h.body.hsm?.state, 'ready');
});

t.test('sd_notify: READY with a status line, watchdog pings while alive, STOPPING on stop', async (t) => {
  const { listenNotify } = await import('../support/notify-socket.js');
  const dir = t.testdir();
  // A short socket path (tap's fixture paths are longer than a unix socket path may be).
  const sockDir = mkdtempSync(path.join(os.tmpdir(), 'edn-'));
  t.teardown(() => rmSync(sockDir, { recursive: true, force: true }));
  const listener = await listenNotify(path.join(sockDir, 'n.sock'));
  t.teardown(() => listener.close());
  // WATCHDOG_USEC = 1 s: pings every half second.
  const env = { NOTIFY_SOCKET: listener.address, WATCHDOG_USEC: '1000000', WATCHDOG_PID: String(process.pid) };
  const s = await startService(configFor(dir), { noSignals: true, logger: pino({ level: 'silent' }), env });
  const texts = (): string[] => listener.messages.map((m) => m.text);
  await until(async () => texts().some((x) => x.split('\n').includes('READY=1')), 20_000, 'READY=1');
  const ready = texts().find((x) => x.includes('READY=1'))!;
  t.match(ready, /STATUS=serving http:\/\/127\.0\.0\.1:\d+; HSM ready/, 'READY carries a status line');
  await until(async () => texts().filter((x) => x === 'WATCHDOG=1').length >= 2, 20_000, 'two watchdog pings');
  t.pass('the watchdog pings while the store answers');
  await s.stop();
  await until(async () => texts().some((x) => x.split('\n').includes('STOPPING=1')), 20_000, 'STOPPING=1');
  t.pass('STOPPING=1 on stop');
});
