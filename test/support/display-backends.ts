/**
 * Display devices for the shared driver suite: the TS emulator on a socat pty pair, and the
 * firmware running in simavr through device/build/display-sim. Both expose the same things:
 * a stable path (a symlink re-pointed at each start, like udev's /dev/edoc-display), the LCD
 * as a file in display-sim's format, button presses, reset, kill and freeze.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DisplayEmulator } from '../../src/display/emulator.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SIM_BIN = path.join(REPO, 'device/build/display-sim');
export const FIRMWARE = path.join(REPO, 'device/build/edoc-display.elf');

export interface Screen {
  rows: string[];
  leds: { g: number; a: number; r: number };
  beeps: number;
}

export interface DisplayBackend {
  readonly name: string;
  /** The stable path the driver opens. */
  readonly path: string;
  /** Starts (or restarts) the device on a new pty and points `path` at it. */
  start(): Promise<void>;
  /** Kills the device: its pty disappears. */
  stop(): Promise<void>;
  /** The device stops answering but its pty stays open (a hung MCU). */
  freeze(): Promise<void>;
  thaw(): Promise<void>;
  /** Resets the MCU: it forgets LEDs (the firmware also clears the LCD) and sends BOOT. */
  reset(): Promise<void>;
  press(button: 1 | 2, kind: 'short' | 'long'): Promise<void>;
  screen(): Promise<Screen>;
}

export function parseScreen(text: string): Screen {
  const lines = text.split('\n');
  const led = /^LED g=(\d) a=(\d) r=(\d)$/.exec(lines[4] ?? '');
  const beep = /^BEEP (\d+)$/.exec(lines[5] ?? '');
  return {
    rows: lines.slice(0, 4),
    leds: { g: Number(led?.[1] ?? 0), a: Number(led?.[2] ?? 0), r: Number(led?.[3] ?? 0) },
    beeps: Number(beep?.[1] ?? 0),
  };
}

function readScreen(file: string): Screen {
  try {
    return parseScreen(fs.readFileSync(file, 'utf8'));
  } catch {
    return { rows: ['', '', '', ''], leds: { g: 0, a: 0, r: 0 }, beeps: 0 };
  }
}

/** Points `link` at `target` atomically (rename over the old symlink). */
export function repoint(link: string, target: string): void {
  const tmp = `${link}.${process.pid}.tmp`;
  fs.rmSync(tmp, { force: true });
  fs.symlinkSync(target, tmp);
  fs.renameSync(tmp, link);
}

function waitExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Reads the first stdout line of `child` (e.g. "PTY /dev/pts/7"). */
function firstLine(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error('no first line from child')), timeoutMs);
    child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(buf.slice(0, nl));
      }
    });
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before its first line`)));
  });
}

/** Builds firmware + harness if needed; returns a reason to skip, or null when ready. */
export function ensureSimBuilt(): string | null {
  const r = spawnSync('bash', [path.join(REPO, 'device/build.sh')], { encoding: 'utf8', timeout: 120_000 });
  if (r.status === 0 && fs.existsSync(SIM_BIN) && fs.existsSync(FIRMWARE)) return null;
  return `device/build.sh could not build the simulator (needs avr-gcc, avr-libc, libsimavr-dev, libelf-dev): ${(
    r.stderr || String(r.error ?? '')
  ).slice(-400)}`;
}

export class SimBackend implements DisplayBackend {
  readonly name = 'firmware in simavr';
  readonly path: string;
  private readonly lcd: string;
  private child: ChildProcess | null = null;

  constructor(private readonly dir: string) {
    this.path = path.join(dir, 'edoc-display');
    this.lcd = path.join(dir, 'lcd.txt');
  }

  async start(): Promise<void> {
    const child = spawn(SIM_BIN, ['--elf', FIRMWARE, '--lcd', this.lcd], { stdio: ['pipe', 'pipe', 'ignore'] });
    this.child = child;
    const line = await firstLine(child, 10_000);
    const m = /^PTY (\S+)$/.exec(line);
    if (!m?.[1]) throw new Error(`display-sim said ${JSON.stringify(line)}`);
    repoint(this.path, m[1]);
  }

  async stop(): Promise<void> {
    const c = this.child;
    this.child = null;
    if (!c) return;
    c.kill('SIGCONT');
    c.kill('SIGTERM');
    await waitExit(c);
  }

  async freeze(): Promise<void> {
    this.child?.kill('SIGSTOP');
  }

  async thaw(): Promise<void> {
    this.child?.kill('SIGCONT');
  }

  async reset(): Promise<void> {
    this.child?.stdin?.write('RESET\n');
  }

  /** Locks the MCU up (display-sim HANG: interrupts off, spinning); resolves once it is hung.
   * Only the firmware's watchdog brings it back. */
  async hang(): Promise<void> {
    const c = this.child;
    if (!c) throw new Error('display-sim is not running');
    await new Promise<void>((resolve, reject) => {
      let buf = '';
      const timer = setTimeout(() => done(new Error('display-sim did not confirm HANG')), 10_000);
      const onData = (d: Buffer): void => {
        buf += d.toString();
        if (/^HANG cycle=\d+$/m.test(buf)) done();
      };
      function done(err?: Error): void {
        clearTimeout(timer);
        c?.stdout?.off('data', onData);
        if (err) reject(err);
        else resolve();
      }
      c.stdout?.on('data', onData);
      c.stdin?.write('HANG\n');
    });
  }

  async press(button: 1 | 2, kind: 'short' | 'long'): Promise<void> {
    this.child?.stdin?.write(`BTN ${button} ${kind}\n`);
  }

  async screen(): Promise<Screen> {
    return readScreen(this.lcd);
  }
}

export class EmulatorBackend implements DisplayBackend {
  readonly name = 'TS emulator on a socat pty pair';
  readonly path: string;
  private readonly lcd: string;
  private socat: ChildProcess | null = null;
  private emu: DisplayEmulator | null = null;
  private generation = 0;

  constructor(private readonly dir: string) {
    this.path = path.join(dir, 'edoc-display');
    this.lcd = path.join(dir, 'lcd.txt');
  }

  async start(): Promise<void> {
    const n = ++this.generation;
    const dev = path.join(this.dir, `dev-${n}`);
    const host = path.join(this.dir, `host-${n}`);
    const socat = spawn('socat', [`pty,rawer,link=${dev}`, `pty,rawer,link=${host}`], { stdio: 'ignore' });
    this.socat = socat;
    await waitUntil(() => fs.existsSync(dev) && fs.existsSync(host), 5000, 'socat ptys');
    this.emu = await DisplayEmulator.start({ path: dev, lcdFile: this.lcd });
    repoint(this.path, fs.realpathSync(host));
  }

  async stop(): Promise<void> {
    await this.emu?.close();
    this.emu = null;
    const s = this.socat;
    this.socat = null;
    if (s) {
      s.kill('SIGTERM');
      await waitExit(s);
    }
  }

  async freeze(): Promise<void> {
    this.emu?.hang(true);
  }

  async thaw(): Promise<void> {
    this.emu?.hang(false);
  }

  async reset(): Promise<void> {
    this.emu?.reboot();
  }

  async press(button: 1 | 2, kind: 'short' | 'long'): Promise<void> {
    this.emu?.press(button, kind);
  }

  async screen(): Promise<Screen> {
    return readScreen(this.lcd);
  }
}

export async function waitUntil(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 40));
  }
}
