/** Command layer (waitress) on SerialPortMock: lockstep, matching, timeouts, unsolicited lines. */
import t from 'tap';
import { SerialPortMock } from 'serialport';
import { openLineLink, type PortFactory } from '../../src/display/framing.js';
import { createCommandChannel, DisplayCommandError } from '../../src/display/commands.js';
import type { Unsolicited } from '../../src/display/protocol.js';
import { executeLine, initialDeviceState, LineAssembler } from '../../src/display/device-model.js';

let n = 0;
async function rig(timeoutMs = 500) {
  const path = `/dev/mock-commands-${++n}`;
  SerialPortMock.binding.createPort(path, { echo: false, record: true });
  let port: SerialPortMock | null = null;
  const factory: PortFactory = (p, baudRate) => (port = new SerialPortMock({ path: p, baudRate, autoOpen: false }));
  const link = await openLineLink(path, 115200, factory);
  const channel = createCommandChannel(link, { timeoutMs, maxQueued: 4 });
  const device = port as unknown as SerialPortMock;
  return {
    link,
    channel,
    reply: (line: string) => device.port?.emitData(`${line}\n`),
    written: () => device.port?.recording.toString() ?? '',
  };
}

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

t.test('one command in flight: the next line is written only after the answer', async (t) => {
  const r = await rig();
  const a = r.channel.send({ op: 'PING' });
  const b = r.channel.send({ op: 'ROW', row: 1, text: 'Queue 3' });
  const c = r.channel.send({ op: 'LED', led: 'r', mode: 2 });
  await tick();
  t.equal(r.written(), 'PING\n');
  r.reply('PONG');
  t.same(await a, { kind: 'pong' });
  await tick();
  t.equal(r.written(), 'PING\nROW 1 Queue 3\n');
  r.reply('OK');
  await b;
  await tick();
  t.equal(r.written(), 'PING\nROW 1 Queue 3\nLED r 2\n');
  r.reply('OK');
  await c;
  await r.link.close();
});

t.test('unsolicited BTN/BOOT between a command and its answer go to the listener', async (t) => {
  const r = await rig();
  const seen: Unsolicited[] = [];
  r.channel.onUnsolicited((u) => seen.push(u));
  const hello = r.channel.send({ op: 'HELLO' });
  await tick();
  r.reply('BTN 2 long');
  r.reply('BOOT');
  r.reply('HELLO edoc-display 1.0.0 20x4');
  t.same(await hello, { kind: 'hello', firmware: '1.0.0', cols: 20, rows: 4 });
  t.same(seen, [{ kind: 'button', button: 2, press: 'long' }, { kind: 'boot' }]);
  await r.link.close();
});

t.test('timeout is a typed error; a late answer is not taken for the next command', async (t) => {
  const r = await rig(60);
  const err = await r.channel.send({ op: 'PING' }).catch((e: unknown) => e);
  t.ok(err instanceof DisplayCommandError && err.reason === 'timeout', 'timeout');
  t.match((err as Error).message, /did not answer "PING" within 60 ms/);
  const row = r.channel.send({ op: 'ROW', row: 0, text: 'x' });
  await tick();
  t.equal(r.written(), 'PING\nPING\n', 'out of step: a resync PING goes before the ROW');
  r.reply('PONG'); // the late answer to the first PING: owed, so it does not end the resync
  await tick();
  t.equal(r.written(), 'PING\nPING\n', 'the ROW still waits');
  r.reply('PONG'); // the resync's own
  await tick();
  t.equal(r.written(), 'PING\nPING\nROW 0 x\n');
  t.equal(r.channel.strayLines(), 1, 'the late PONG counted as stray');
  r.reply('OK');
  t.same(await row, { kind: 'ok' });
  t.equal(r.channel.resyncs(), 1);
  await r.link.close();
});

/**
 * A device with the firmware's behaviour (the TS device model: every line answered once, in
 * order) that answers the line in `slow` only after `lateMs`. Answers are queued, so a slow one
 * holds back the ones behind it, as on the real UART.
 */
async function lateDevice(timeoutMs: number, slow: string, lateMs: number) {
  const path = `/dev/mock-commands-${++n}`;
  SerialPortMock.binding.createPort(path, { echo: false, record: true });
  let port: SerialPortMock | null = null;
  const factory: PortFactory = (p, baudRate) => (port = new SerialPortMock({ path: p, baudRate, autoOpen: false }));
  const link = await openLineLink(path, 115200, factory);
  const channel = createCommandChannel(link, { timeoutMs, maxQueued: 8 });
  const device = (port as unknown as SerialPortMock).port;
  if (!device) throw new Error('mock port not open');
  const state = initialDeviceState();
  const assembler = new LineAssembler();
  const received: string[] = [];
  let lateDone = false;
  let outbox = Promise.resolve();
  const write = device.write.bind(device);
  device.write = async (buf: Buffer) => {
    await write(buf);
    for (const raw of assembler.feed(buf)) {
      const line = raw?.toString('latin1') ?? '';
      received.push(line);
      const answer = executeLine(state, raw);
      const delay = line === slow && !lateDone ? lateMs : 0;
      if (delay) lateDone = true;
      outbox = outbox.then(() => new Promise((res) => setTimeout(res, delay))).then(() => device.emitData(`${answer}\n`));
    }
  };
  return { link, channel, state, received };
}

t.test('a device that answers one command late: every later command gets its own answer', async (t) => {
  // ROW 0 is answered after 400 ms (timeout 250 ms); the resync PING sent at 250 ms is answered
  // right behind it. Without the resync the late OK answered the BEEP, the BEEP's ERR the LED,
  // and so on, one behind for ever.
  const r = await lateDevice(250, 'ROW 0 first', 400);
  const row0 = await r.channel.send({ op: 'ROW', row: 0, text: 'first' }).catch((e: unknown) => e);
  t.ok(row0 instanceof DisplayCommandError && row0.reason === 'timeout', 'ROW 0 times out');
  const beep = await r.channel.send({ op: 'BEEP', ms: 5000 }).catch((e: unknown) => e);
  t.ok(beep instanceof DisplayCommandError && beep.reason === 'rejected', 'BEEP 5000 gets its own ERR, not the late OK');
  t.match((beep as Error).message, /bad beep/);
  t.same(await r.channel.send({ op: 'LED', led: 'g', mode: 1 }), { kind: 'ok' }, 'LED gets its own OK');
  t.same(await r.channel.send({ op: 'PING' }), { kind: 'pong' });
  const row5 = await r.channel.send({ op: 'ROW', row: 5, text: 'x' }).catch((e: unknown) => e);
  t.ok(row5 instanceof DisplayCommandError && row5.reason === 'rejected', 'ROW 5 gets its own ERR');
  t.same(await r.channel.send({ op: 'ROW', row: 1, text: 'second' }), { kind: 'ok' });
  t.equal(r.channel.resyncs(), 1, 'one resync, after the timeout only');
  t.equal(r.channel.strayLines(), 1, 'the late OK was dropped');
  t.same(r.received, ['ROW 0 first', 'PING', 'BEEP 5000', 'LED g 1', 'PING', 'ROW 5 x', 'ROW 1 second']);
  t.equal(r.state.rows[0], 'first'.padEnd(20), 'the late command did take effect on the device');
  await r.link.close();
});

t.test('a resync PING that is not answered fails the waiting command as a timeout', async (t) => {
  const r = await rig(40);
  await r.channel.send({ op: 'CLR' }).catch(() => undefined);
  const err = await r.channel.send({ op: 'ROW', row: 0, text: 'x' }).catch((e: unknown) => e);
  t.ok(err instanceof DisplayCommandError && err.reason === 'timeout');
  t.match((err as Error).message, /resync PING before "ROW"/);
  t.equal(r.written(), 'CLR\nPING\n', 'the ROW itself was never sent');
  const next = r.channel.send({ op: 'CLR' });
  await tick();
  r.reply('OK'); // late answer to the first CLR
  r.reply('PONG'); // owed to the first resync PING: skipped by count
  r.reply('PONG'); // the second resync's
  await tick();
  t.equal(r.written(), 'CLR\nPING\nPING\nCLR\n', 'in step again: the CLR goes out');
  r.reply('OK');
  t.same(await next, { kind: 'ok' });
  t.equal(r.channel.strayLines(), 2, 'the late OK and the owed PONG');
  await r.link.close();
});

t.test('a PING lost in a reset (BOOT while in flight) is not owed a PONG: one resync suffices', async (t) => {
  const r = await rig(60);
  const ping = r.channel.send({ op: 'PING' });
  await tick();
  r.reply('BOOT'); // the device reset: the PING above is gone
  const err = await ping.catch((e: unknown) => e);
  t.ok(err instanceof DisplayCommandError && err.reason === 'timeout');
  const row = r.channel.send({ op: 'ROW', row: 0, text: 'x' });
  await tick();
  t.equal(r.written(), 'PING\nPING\n');
  r.reply('PONG'); // the resync's: taken at once, not skipped as the lost PING's
  await tick();
  t.equal(r.written(), 'PING\nPING\nROW 0 x\n');
  r.reply('OK');
  t.same(await row, { kind: 'ok' });
  t.equal(r.channel.strayLines(), 0);
  await r.link.close();
});

t.test('ERR answers reject with the reason; the channel keeps working', async (t) => {
  const r = await rig();
  const bad = r.channel.send({ op: 'BEEP', ms: 5000 });
  await tick();
  r.reply('ERR bad beep');
  const err = await bad.catch((e: unknown) => e);
  t.ok(err instanceof DisplayCommandError && err.reason === 'rejected');
  t.match((err as Error).message, /bad beep/);
  const ping = r.channel.send({ op: 'PING' });
  await tick();
  r.reply('PONG');
  t.same(await ping, { kind: 'pong' });
  await r.link.close();
});

t.test('closing the link fails the command in flight and the queued ones', async (t) => {
  const r = await rig();
  const a = r.channel.send({ op: 'PING' });
  const b = r.channel.send({ op: 'CLR' });
  await tick();
  await r.link.close();
  for (const p of [a, b]) {
    const e = await p.catch((x: unknown) => x);
    t.ok(e instanceof DisplayCommandError && e.reason === 'closed');
  }
  await t.rejects(r.channel.send({ op: 'PING' }), /closed/);
});

t.test('the queue is capped rather than growing without end', async (t) => {
  const r = await rig();
  const sent = Array.from({ length: 5 }, () => r.channel.send({ op: 'PING' }).catch((e: unknown) => e));
  const overflow = await r.channel.send({ op: 'PING' }).catch((e: unknown) => e);
  t.ok(overflow instanceof DisplayCommandError && overflow.reason === 'overflow');
  await r.link.close();
  await Promise.all(sent);
});
