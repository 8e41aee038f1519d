import t from 'tap';
import fc from 'fast-check';
import { SerialPort } from 'serialport';
import { pino } from 'pino';
import { startConsole, PROMPT } from '../../src/console/index.js';
import { DisplayEmulator } from '../../src/display/emulator.js';
import { EventBus } from '../../src/events.js';
import { LogRing } from '../../src/log/logger.js';
import { fixtureSource } from '../support/console.js';
import { openPtyPair } from '../support/pty.js';

/**
 * Garbage on the serial lines, over real ptys (socat): binary bytes, control sequences and
 * overlong lines sent to the technician console and to the display emulator. Each gets an error
 * answer (or is dropped with a message), and the other end still answers a normal command right
 * after: nothing hangs, nothing crashes.
 */
const FAST = { initialMs: 50, factor: 1.5, maxMs: 200 };

async function waitUntil(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function openEnd(path: string): Promise<{ port: SerialPort; text: () => string; mark: () => number; since: (m: number) => string }> {
  const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  let text = '';
  port.on('data', (b: Buffer) => (text += b.toString('latin1')));
  port.on('error', () => undefined);
  return { port, text: () => text, mark: () => text.length, since: (m) => text.slice(m) };
}

/** Binary lines: any byte but the line end, 1..300 bytes (past the 256/64-byte line limits too). */
const binaryLine = fc.uint8Array({ minLength: 1, maxLength: 300 }).map((a) => Buffer.from(a.filter((b) => b !== 0x0a && b !== 0x0d)));

t.test('console: binary and overlong input, still answering', async (t) => {
  const pty = await openPtyPair({ dir: t.testdir() });
  const service = startConsole({ path: pty.a, baudRate: 115200, source: fixtureSource(), ring: new LogRing(50), logger: pino({ level: 'silent' }), bus: new EventBus(), reconnect: FAST, echo: false });
  t.teardown(async () => {
    await service.close();
    await pty.close();
  });
  await waitUntil('console connected', () => service.state().state === 'connected');
  const term = await openEnd(pty.b);
  t.teardown(() => new Promise<void>((r) => term.port.close(() => r())));
  // `until` names the answer awaited: garbage may hold a Ctrl-C (0x03), which gets its own fresh
  // prompt before the rest of the line is answered, so "ends with a prompt" alone can be early.
  const ask = async (line: Buffer | string, until?: RegExp): Promise<string> => {
    const m = term.mark();
    term.port.write(Buffer.concat([Buffer.isBuffer(line) ? line : Buffer.from(line), Buffer.from('\r')]));
    await waitUntil(`an answer`, () => term.since(m).endsWith(PROMPT) && (!until || until.test(term.since(m))));
    return term.since(m);
  };
  await waitUntil('a prompt', () => term.text().length > 0).catch(() => undefined);

  const overlong = await ask('x'.repeat(5000));
  t.notMatch(overlong, /unknown command: x{100}/, 'a 5000-byte line is not taken as a command');
  t.match(await ask('help'), /status/, 'answers help after an overlong line');

  await fc.assert(
    fc.asyncProperty(binaryLine, async (bytes) => {
      await ask(bytes);
      // Whatever it made of the garbage, the next real command gets its real answer.
      // Times out (and fails) unless the console still answers a real command after the garbage.
      const answer = await ask('version', /edoc-gateway\s+0\.1\.0[\s\S]*display fw\s+1\.0\.0[\s\S]*> $/);
      return answer.includes('0.1.0');
    }),
    { numRuns: 20, seed: 42 },
  );
  t.equal(service.state().state, 'connected', 'still connected');
});

t.test('display emulator: binary and overlong commands → ERR, then PONG', async (t) => {
  const pty = await openPtyPair({ dir: t.testdir() });
  const emu = await DisplayEmulator.start({ path: pty.a });
  t.teardown(async () => {
    await emu.close();
    await pty.close();
  });
  const host = await openEnd(pty.b);
  t.teardown(() => new Promise<void>((r) => host.port.close(() => r())));
  const send = async (line: Buffer | string): Promise<string> => {
    const m = host.mark();
    host.port.write(Buffer.concat([Buffer.isBuffer(line) ? line : Buffer.from(line), Buffer.from('\n')]));
    await waitUntil('an answer line', () => host.since(m).includes('\n'));
    return host.since(m).split('\n')[0]!.trim();
  };
  // The boot banner may or may not have been flushed by the open: handshake first (spec/serial.md).
  host.port.write('HELLO\n');
  await waitUntil('the HELLO answer', () => /HELLO edoc-display[^\n]*\n/.test(host.text()));
  t.equal(await send('PING'), 'PONG', 'answers PING');
  t.match(await send(`ROW 0 ${'y'.repeat(500)}`), /^ERR/, 'an overlong line is an ERR');
  t.equal(await send('PING'), 'PONG', 'answers PING after an overlong line');
  let errs = 0;
  await fc.assert(
    fc.asyncProperty(binaryLine, async (bytes) => {
      // Short lockstep lines: the firmware's 2-byte UART buffer is the model (spec/serial.md).
      const answer = await send(bytes.subarray(0, 60));
      if (answer.startsWith('ERR')) errs++;
      return (await send('PING')) === 'PONG';
    }),
    { numRuns: 20, seed: 43 },
  );
  t.ok(errs > 0, `binary lines answered ERR (${errs} of 20)`);
});
