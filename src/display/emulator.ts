import fs from 'node:fs';
import { realPort, type PortFactory, type SerialPortLike } from './framing.js';
import { executeLine, initialDeviceState, LineAssembler, EMULATOR_FIRMWARE, type DeviceState } from './device-model.js';
import type { ButtonId, LedMode, LedName, PressKind } from './protocol.js';

/**
 * The status display in TypeScript: the same protocol and answers as the firmware, on a real
 * serial path (one end of a socat pty pair), for machines without AVR tools and for the demo.
 * Tests observe it through `rows()`/`leds()` or through the `--lcd` file, which has the same
 * format as device/sim/display-sim's.
 */
export interface EmulatorOptions {
  /** The device side of the serial line, e.g. one end of `socat pty,raw,echo=0 pty,raw,echo=0`. */
  path: string;
  baudRate?: number;
  /** Rewritten (temp + rename) with the rows, `LED g= a= r=` and `BEEP n` on every change. */
  lcdFile?: string;
  factory?: PortFactory;
  firmware?: string;
}

export class DisplayEmulator {
  private readonly state: DeviceState = initialDeviceState();
  private readonly assembler = new LineAssembler();
  private lines = 0;
  private lastFile = '';
  private closed = false;
  private hung = false;

  private constructor(
    private readonly port: SerialPortLike,
    private readonly opts: EmulatorOptions,
  ) {}

  static async start(opts: EmulatorOptions): Promise<DisplayEmulator> {
    const port = (opts.factory ?? realPort)(opts.path, opts.baudRate ?? 115200);
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    const emu = new DisplayEmulator(port, opts);
    port.on('data', (chunk: Buffer) => emu.receive(chunk));
    // The peer going away is normal for a device; errors here only end the emulator.
    port.on('error', () => undefined);
    emu.writeFile();
    emu.send('BOOT');
    return emu;
  }

  /** The four LCD rows, 20 characters each. */
  rows(): string[] {
    return [...this.state.rows];
  }

  leds(): Record<LedName, LedMode> {
    return { ...this.state.leds };
  }

  beeps(): number {
    return this.state.beeps;
  }

  /** Complete lines received so far (answered or not). */
  linesReceived(): number {
    return this.lines;
  }

  /** What the `--lcd` file holds: rows, then LEDs as lit (blink counts as lit), then beeps. */
  lcdText(): string {
    const lit = (l: LedName): number => (this.state.leds[l] === 0 ? 0 : 1);
    return `${this.state.rows.join('\n')}\nLED g=${lit('g')} a=${lit('a')} r=${lit('r')}\nBEEP ${this.state.beeps}\n`;
  }

  /** A button press, as the firmware reports it after debouncing. */
  press(button: ButtonId, kind: PressKind): void {
    this.send(`BTN ${button} ${kind}`);
  }

  /** Simulates a hung MCU: input is dropped unanswered until `hang(false)`. */
  hang(on: boolean): void {
    this.hung = on;
  }

  /** A device reset: blank LCD, LEDs off, then the unsolicited BOOT. */
  reboot(): void {
    const fresh = initialDeviceState();
    this.state.rows = fresh.rows;
    this.state.leds = fresh.leds;
    this.writeFile();
    this.send('BOOT');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve) => (this.port.isOpen ? this.port.close(() => resolve()) : resolve()));
  }

  private receive(chunk: Buffer): void {
    if (this.hung) return;
    for (const line of this.assembler.feed(chunk)) {
      this.lines++;
      this.send(executeLine(this.state, line, this.opts.firmware ?? EMULATOR_FIRMWARE));
    }
    this.writeFile();
  }

  private send(line: string): void {
    if (!this.closed && this.port.isOpen) this.port.write(`${line}\n`, 'latin1');
  }

  private writeFile(): void {
    const file = this.opts.lcdFile;
    if (!file) return;
    const text = this.lcdText();
    if (text === this.lastFile) return;
    // Sync and tiny: this is a test/demo device, and rename keeps readers from seeing half a file.
    fs.writeFileSync(`${file}.tmp`, text);
    fs.renameSync(`${file}.tmp`, file);
    this.lastFile = text;
  }
}
