/** Command layer (waitress) on SerialPortMock: lockstep, matching, timeouts, unsolicited lines. */
import t from 'tap';
import { SerialPortMock } from 'serialport';
import { openLineLink, type PortFactory } from '../../src/display/framing.js';
import { createCommandChannel, DisplayCommandError } from '../../src/display/commands.js';
import type { Unsolicited } from '../../src/display/protocol.js';

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
  r.reply('PONG'); // the late answer to the PING
  await tick();
  t.equal(r.channel.strayLines(), 1, 'counted as stray');
  r.reply('OK');
  t.same(await row, { kind: 'ok' });
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
