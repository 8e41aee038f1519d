/**
 * The simulator harness itself (device/sim/display-sim) and what only the real firmware can show:
 * the command-line contract of spec/serial.md (first stdout line `PTY <path>`, clean exit on
 * SIGTERM) and that the firmware sleeps when idle (counted in simulated cycles, not wall time).
 */
import t from 'tap';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { SerialPort } from 'serialport';
import { ReadlineParser } from '@serialport/parser-readline';
import { ensureSimBuilt, FIRMWARE, SIM_BIN, waitUntil } from '../support/display-backends.js';

const whyNot = ensureSimBuilt();

/** Collects the harness's stdout lines after the first. */
function stdoutLines(child: ChildProcess): string[] {
  const lines: string[] = [];
  let buf = '';
  child.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      lines.push(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
  });
  return lines;
}

t.test('display-sim', { skip: whyNot ?? false }, async (t) => {
  t.test('bad arguments: usage on stderr, exit 2', async (t) => {
    const r = spawnSync(SIM_BIN, ['--nonsense'], { encoding: 'utf8', timeout: 10_000 });
    t.equal(r.status, 2);
    t.match(r.stderr, /usage: display-sim --elf FILE/);
    t.equal(r.stdout, '', 'stdout carries nothing but the PTY line');
  });

  t.test('PTY line, protocol on the pty, idle firmware sleeps, SIGTERM exits 0', async (t) => {
    const child = spawn(SIM_BIN, ['--elf', FIRMWARE], { stdio: ['pipe', 'pipe', 'ignore'] });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    t.teardown(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    const lines = stdoutLines(child);
    await waitUntil(() => lines.length > 0, 10_000, 'the PTY line');
    const pty = /^PTY (\/dev\/\S+)$/.exec(lines[0] ?? '')?.[1];
    t.ok(pty && fs.existsSync(pty), `first stdout line names the pty: ${lines[0]}`);

    const port = new SerialPort({ path: pty ?? '', baudRate: 115200, autoOpen: false });
    await new Promise<void>((res, rej) => port.open((e) => (e ? rej(e) : res())));
    const answers: string[] = [];
    port.pipe(new ReadlineParser({ delimiter: '\n', encoding: 'latin1' })).on('data', (l: string) => answers.push(l));
    port.write('HELLO\n');
    await waitUntil(() => answers.some((a) => a.startsWith('HELLO ')), 5000, 'HELLO answer');
    t.equal(answers.find((a) => a.startsWith('HELLO ')), 'HELLO edoc-display 1.0.0 20x4');

    // Idle: nothing on the line. A firmware that polled instead of sleeping would spend every
    // cycle awake; ours wakes only for its 1 ms tick.
    const stats = async (): Promise<{ cycles: number; slept: number }> => {
      const before = lines.length;
      child.stdin?.write('STATS\n');
      await waitUntil(() => lines.length > before, 5000, 'STATS answer');
      const m = /^STATS cycles=(\d+) slept=(\d+)$/.exec(lines[lines.length - 1] ?? '');
      if (!m) throw new Error(`bad STATS line: ${lines.at(-1)}`);
      return { cycles: Number(m[1]), slept: Number(m[2]) };
    };
    const a = await stats();
    let b = a;
    await waitUntil(async () => (b = await stats()).cycles - a.cycles >= 8_000_000, 30_000, 'half a simulated second');
    const share = (b.slept - a.slept) / (b.cycles - a.cycles);
    t.ok(share > 0.9, `asleep for ${(share * 100).toFixed(1)} % of idle cycles`);

    port.write('PING\n');
    await waitUntil(() => answers.includes('PONG'), 5000, 'PONG after the idle spell');
    await new Promise<void>((res) => port.close(() => res()));

    child.kill('SIGTERM');
    t.same(await exited, { code: 0, signal: null }, 'SIGTERM: clean exit (not killed by the signal)');
  });
});
