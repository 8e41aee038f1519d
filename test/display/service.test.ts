/** Device service behaviours not tied to a particular device: absence, backoff logging, emulator-main. */
import t, { type Test } from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { SerialPort } from 'serialport';
import { ReadlineParser } from '@serialport/parser-readline';
import { EventBus, type DeviceState } from '../../src/events.js';
import { startDisplay } from '../../src/display/service.js';
import { EmulatorBackend, REPO, waitUntil } from '../support/display-backends.js';

const snapshot = {
  hsm: 'ready' as const,
  axis: 'ok' as const,
  axisLastContactAt: null,
  queue: { pending: 0, retrying: 0 },
  overdue: 0,
  incomingUnread: 0,
};

function tempDir(t: Test): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edoc-display-svc-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test('no device: "absent", one warning per run of failures, then connects when plugged in', async (t) => {
  const dir = tempDir(t);
  const bus = new EventBus();
  const states: DeviceState[] = [];
  bus.subscribe('display.state', (e) => states.push(e.state));
  const logs: { level: number; msg: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
      cb();
    },
  });
  const backend = new EmulatorBackend(dir);
  const service = startDisplay({
    path: backend.path,
    baudRate: 115200,
    bus,
    logger: pino({ level: 'debug' }, sink),
    status: () => snapshot,
    backoff: { initialMs: 30, factor: 1.5, maxMs: 120 },
  });
  t.teardown(async () => {
    await service.close();
    await backend.stop();
  });
  await waitUntil(() => logs.filter((l) => l.msg === 'display retry failed').length >= 4, 5000, 'several retries');
  t.equal(service.state(), 'absent');
  t.same(states, ['absent'], 'published once');
  t.equal(logs.filter((l) => l.level === 40).length, 1, 'only the first failure is a warning');
  t.ok((service.health().retryInMs ?? -1) <= 120, 'backoff capped at maxMs');

  await backend.start();
  await waitUntil(() => service.state() === 'connected', 5000, 'connected');
  t.equal(service.health().firmware, '1.0.0-emu');
  t.equal(states[0], 'absent');
  t.equal(states.at(-1), 'connected');
  await service.close();
  t.equal(service.state(), 'connected', 'close() does not pretend the device went away');
});

t.test('emulator-main runs the emulator as a process on a pty', async (t) => {
  const dir = tempDir(t);
  const dev = path.join(dir, 'dev');
  const host = path.join(dir, 'host');
  const socat = spawn('socat', [`pty,rawer,link=${dev}`, `pty,rawer,link=${host}`], { stdio: 'ignore' });
  await waitUntil(() => fs.existsSync(dev) && fs.existsSync(host), 5000, 'ptys');
  const lcd = path.join(dir, 'lcd.txt');
  // Run the .ts entry through the same tsx loader the suite uses (package.json "tap" node-arg;
  // no build step in tests). Resolved from cwd = REPO.
  const emu = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'src/display/emulator-main.ts'), '--path', dev, '--lcd', lcd], {
    stdio: ['pipe', 'pipe', 'inherit'],
    cwd: REPO,
  });
  t.teardown(() => {
    emu.kill('SIGTERM');
    socat.kill('SIGTERM');
  });
  await new Promise<void>((resolve, reject) => {
    emu.stdout.once('data', (d: Buffer) => (d.toString().startsWith('READY') ? resolve() : reject(new Error(d.toString()))));
    emu.once('exit', (c) => reject(new Error(`emulator-main exited ${c}`)));
  });
  const port = new SerialPort({ path: host, baudRate: 115200 });
  t.teardown(() => new Promise<void>((r) => (port.isOpen ? port.close(() => r()) : r())));
  const lines: string[] = [];
  port.pipe(new ReadlineParser({ delimiter: '\n' })).on('data', (l: string) => lines.push(l));
  await new Promise((r) => port.once('open', r));
  port.write('ROW 1 from a process\n');
  await waitUntil(() => lines.includes('OK'), 3000, 'OK');
  emu.stdin.write('BTN 2 long\n');
  await waitUntil(() => lines.includes('BTN 2 long'), 3000, 'button line');
  t.equal(fs.readFileSync(lcd, 'utf8').split('\n')[1], 'from a process      ');
  const exited = new Promise((r) => emu.once('exit', (code) => r(code)));
  emu.kill('SIGTERM');
  t.equal(await exited, 0, 'exits cleanly on SIGTERM');
});
