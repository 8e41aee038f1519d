/**
 * The display driver suite, shared by every backend (test/display/driver.test.ts runs it
 * against the TS emulator and the firmware in simavr). Assertions read what the LCD and LEDs
 * show, through the backend's LCD file, never the driver's internals.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { pino } from 'pino';
import { SerialPort } from 'serialport';
import { ReadlineParser } from '@serialport/parser-readline';
import type { Test } from 'tap';
import { EventBus, type DeviceState } from '../../src/events.js';
import { startDisplay, type DisplayService } from '../../src/display/service.js';
import type { DisplayStatusSnapshot } from '../../src/display/status.js';
import { executeLine, initialDeviceState, LineAssembler } from '../../src/display/device-model.js';
import { parseUnsolicited } from '../../src/display/protocol.js';
import { waitUntil, type DisplayBackend, type Screen } from './display-backends.js';

export type BackendFactory = (dir: string) => DisplayBackend;

function healthySnapshot(): DisplayStatusSnapshot {
  return {
    hsm: 'ready',
    axis: 'ok',
    axisLastContactAt: '2026-11-27T09:30:00Z',
    queue: { pending: 0, retrying: 0, oldestPendingAt: null },
    overdue: 0,
    incomingUnread: 0,
    store: 'ok',
  };
}

export interface Rig {
  backend: DisplayBackend;
  bus: EventBus;
  snapshot: DisplayStatusSnapshot;
  service: DisplayService;
  states: DeviceState[];
  /** Waits until the LCD file satisfies `pred`; the error names what was on screen. */
  screenUntil(pred: (s: Screen) => boolean, what: string, timeoutMs?: number): Promise<Screen>;
}

/** A temp dir removed after the device is stopped (tap's testdir would go first). */
function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'edoc-display-'));
}

/** A display service on a fresh device of `make`, a healthy status snapshot the test may change. */
export async function rig(t: Test, make: BackendFactory): Promise<Rig> {
  const dir = tempDir();
  const backend = make(dir);
  await backend.start();
  const bus = new EventBus();
  const states: DeviceState[] = [];
  bus.subscribe('display.state', (e) => states.push(e.state));
  const snapshot = healthySnapshot();
  const service = startDisplay({
    path: backend.path,
    baudRate: 115200,
    bus,
    logger: pino({ level: 'silent' }),
    status: () => snapshot,
    heartbeatMs: 1000,
  });
  t.teardown(async () => {
    await service.close();
    await backend.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const screenUntil = async (pred: (s: Screen) => boolean, what: string, timeoutMs = 8000): Promise<Screen> => {
    let last: Screen | null = null;
    try {
      await waitUntil(async () => pred((last = await backend.screen())), timeoutMs, what);
    } catch (err) {
      throw new Error(`${(err as Error).message}; screen was ${JSON.stringify(last)}`);
    }
    return last ?? backend.screen();
  };
  await waitUntil(() => service.state() === 'connected', 10_000, 'display connected');
  return { backend, bus, snapshot, service, states, screenUntil };
}

const STATUS_OK = 'EDOC GATEWAY      OK';

export function displayCases(t: Test, make: BackendFactory): void {
  t.test('renders pages from events, alerts on urgent mail, buttons page and acknowledge', async (t) => {
    const r = await rig(t, make);
    let s = await r.screenUntil((s) => s.rows[0] === STATUS_OK && s.leds.g === 1, 'healthy status page');
    t.equal(s.rows[1], 'HSM ready    AXIS ok');
    t.same(s.leds, { g: 1, a: 0, r: 0 }, 'only green is lit when healthy');

    r.snapshot.queue = { pending: 3, retrying: 1, oldestPendingAt: new Date(Date.now() - 25 * 60000).toISOString() };
    r.bus.publish('outgoing.queued', { id: 'o1', documentId: 'D-1', priority: 0 });
    s = await r.screenUntil((s) => s.rows[2]?.startsWith('Queue 3') === true && s.leds.a === 1 && s.leds.g === 0, 'queue count');
    t.equal(s.rows[0], 'EDOC GW     DEGRADED');
    t.equal(s.rows[2], 'Queue 3    Overdue 0');

    r.snapshot.queue = { pending: 0, retrying: 0 };
    const beepsBefore = s.beeps;
    r.bus.publish('incoming.arrived', {
      id: 'i1',
      documentId: 'D-2',
      from: 'Sở Nội vụ',
      subject: 'Về việc triển khai đợt kiểm tra',
      priority: 3,
    });
    s = await r.screenUntil((s) => s.rows[0]?.startsWith('ALERT 1/1') === true && s.rows[3] === 'Btn2: acknowledge   ' && s.leds.r === 1, 'urgent alert page');
    t.equal(s.rows[0], 'ALERT 1/1     URGENT');
    t.equal(s.rows[1], 'URGENT P3 So Noi vu ', 'diacritics stripped, Đ/ơ/ụ folded');
    t.equal(s.rows[2], 'Ve viec trien khai  ');
    t.equal(r.service.page(), 'alerts');
    await r.screenUntil((s) => s.beeps > beepsBefore, 'a beep for the urgent document');

    await r.backend.press(2, 'short');
    s = await r.screenUntil((s) => s.rows[1]?.startsWith('No alerts') === true && s.leds.r === 0, 'alert acknowledged');
    t.equal(s.leds.g, 1, 'healthy again once acknowledged');

    await r.backend.press(1, 'short');
    s = await r.screenUntil((s) => s.rows[0]?.startsWith('NETWORK') === true && s.rows[2] === 'No error            ', 'network page');
    t.match(s.rows[1], /^Last 27\/11 16:30/, 'last contact in the office time zone (UTC+7)');
    await r.backend.press(1, 'short');
    await r.screenUntil((s) => s.rows[0] === STATUS_OK, 'back to the status page');
    await r.backend.press(1, 'short');
    s = await r.screenUntil((s) => s.rows[0]?.startsWith('OUTGOING QUEUE') === true, 'queue page');
    await r.backend.press(1, 'long');
    await r.screenUntil((s) => s.rows[0] === STATUS_OK, 'a long press goes home');

    const beepsBeforeHsm = s.beeps;
    r.snapshot.hsm = 'down';
    r.bus.publish('hsm.state', { state: 'down', reason: 'token removed' });
    s = await r.screenUntil((s) => s.rows[1] === 'HSM down            ' && s.rows[2] === 'token removed       ' && s.leds.r === 1, 'HSM failure alert');
    t.equal(s.leds.g, 0, 'not healthy while the HSM is down');
    s = await r.screenUntil((s) => s.beeps > beepsBeforeHsm, 'a beep for the HSM failure');
    t.ok(s.beeps > beepsBeforeHsm, 'the buzzer sounded for the HSM failure');
  });

  t.test('device killed: disconnected, service lives on, recovers on a new pty', async (t) => {
    const r = await rig(t, make);
    await r.screenUntil((s) => s.rows[0] === STATUS_OK, 'status page');
    await r.backend.stop();
    await waitUntil(() => r.service.state() === 'disconnected', 5000, 'disconnected');
    t.equal(r.states.at(-1), 'disconnected', 'display.state published');
    t.equal(r.service.health().state, 'disconnected', 'health reports it');
    t.ok(r.service.health().retryInMs !== null, 'health says when it retries');

    // Events while the display is away are kept for when it returns.
    r.snapshot.incomingUnread = 4;
    r.bus.publish('incoming.arrived', { id: 'i2', documentId: 'D-3', from: 'UBND', subject: 'Lich hop', priority: 0 });

    await r.backend.start();
    await waitUntil(() => r.service.state() === 'connected', 15_000, 'reconnected');
    const s = await r.screenUntil((s) => s.rows[3]?.startsWith('Unread 4') === true, 'current page re-rendered');
    t.equal(s.rows[0], STATUS_OK);
    t.same(r.states.slice(-2), ['disconnected', 'connected']);
  });

  t.test('device reset (BOOT): the page is rendered again', async (t) => {
    const r = await rig(t, make);
    await r.screenUntil((s) => s.rows[0] === STATUS_OK && s.leds.g === 1, 'status page');
    await r.backend.reset();
    // The reset blanks the LCD; only a re-render after BOOT brings the page back, because the
    // driver otherwise believes the rows are still there and sends nothing. The pause lets the
    // reset reach the device first, so the old screen cannot satisfy the check.
    await new Promise((res) => setTimeout(res, 1000));
    await r.screenUntil((s) => s.rows[0] === STATUS_OK && s.leds.g === 1, 'status page after BOOT', 10_000);
    t.equal(r.service.state(), 'connected');
  });

  t.test('hung device: disconnected after unanswered commands, reconnects when it answers', async (t) => {
    const r = await rig(t, make);
    await r.screenUntil((s) => s.rows[0] === STATUS_OK, 'status page');
    await r.backend.freeze();
    await waitUntil(() => r.service.state() === 'disconnected', 8000, 'disconnected after 3 timeouts');
    t.equal(r.states.at(-1), 'disconnected');
    await r.backend.thaw();
    await waitUntil(() => r.service.state() === 'connected', 15_000, 'reconnected after thaw');
    r.snapshot.overdue = 2;
    r.bus.publish('outgoing.overdue', { id: 'o9', documentId: 'D-9', organId: '000.00.00.H41' });
    // Not urgent: the alert is counted on the status page, which stays up.
    const s = await r.screenUntil((s) => s.rows[2] === 'Queue 0    Overdue 2' && s.rows[3] === 'Unread 0    Alerts 1', 'renders again');
    t.equal(s.rows[0], 'EDOC GW     DEGRADED');
  });

  t.test('random, binary and overlong lines get ERR; the device stays responsive', async (t) => {
    const dir = tempDir();
    const backend = make(dir);
    await backend.start();
    const port = new SerialPort({ path: backend.path, baudRate: 115200, autoOpen: false });
    t.teardown(async () => {
      if (port.isOpen) await new Promise((res) => port.close(res));
      await backend.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    await new Promise<void>((res, rej) => port.open((e) => (e ? rej(e) : res())));
    let waiter: ((line: string) => void) | null = null;
    port.pipe(new ReadlineParser({ delimiter: '\n', encoding: 'latin1' })).on('data', (l: string) => {
      if (!parseUnsolicited(l)) waiter?.(l);
    });
    // Lockstep, as the driver does: the next line goes only after the answer to this one.
    const ask = (bytes: Uint8Array): Promise<string> =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no answer to ${Buffer.from(bytes).toString('hex').slice(0, 60)}`)), 2000);
        waiter = (l) => {
          clearTimeout(timer);
          waiter = null;
          resolve(l);
        };
        port.write(Buffer.concat([Buffer.from(bytes), Buffer.from('\n')]));
      });

    const hello = await ask(Buffer.from('HELLO'));
    const fw = /^HELLO edoc-display (\S+) 20x4$/.exec(hello)?.[1];
    t.ok(fw, `handshake: ${hello}`);

    const noNewline = (a: Uint8Array): Uint8Array => a.map((b) => (b === 0x0a ? 0x0b : b));
    const line = fc.oneof(
      fc.uint8Array({ maxLength: 70 }).map(noNewline),
      fc.uint8Array({ minLength: 65, maxLength: 300 }).map(noNewline),
      fc.string({ maxLength: 70 }).map((s) => Buffer.from(s, 'latin1')),
      fc
        .tuple(fc.constantFrom('ROW ', 'LED ', 'BEEP ', 'PING ', 'HELLO ', 'CLR ', 'row 0 ', 'ROW 9 ', 'BEEP 0'), fc.string({ maxLength: 80 }))
        .map(([a, b]) => noNewline(Buffer.from(a + b, 'latin1'))),
    );
    const samples = fc.sample(line, { seed: 20261127, numRuns: 300 });
    const model = initialDeviceState();
    const assembler = new LineAssembler();
    let errs = 0;
    let mismatches = 0;
    for (const bytes of samples) {
      const got = await ask(bytes);
      const expected = executeLine(model, assembler.feed(Buffer.concat([Buffer.from(bytes), Buffer.from('\n')]))[0] ?? null, fw);
      if (got.startsWith('ERR')) errs++;
      if (got !== expected && mismatches++ < 5) t.equal(got, expected, `answer to ${Buffer.from(bytes).toString('hex')}`);
    }
    t.equal(mismatches, 0, 'every answer matches the protocol model');
    t.ok(errs > 250, `most random lines are refused (${errs}/300)`);
    t.equal(await ask(Buffer.from('X'.repeat(200))), 'ERR too long');
    t.equal(await ask(Buffer.from('PING')), 'PONG', 'still answers PING');
  });
}
