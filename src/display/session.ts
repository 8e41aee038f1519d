import { createCommandChannel, DisplayCommandError, type CommandChannel } from './commands.js';
import { openLineLink, type LineLink, type PortFactory } from './framing.js';
import { LCD_COLS, LCD_ROWS, type DisplayCommand, type LedMode, type LedName, type Unsolicited } from './protocol.js';

/** What the LCD and LEDs should show; the session sends only what differs from the device. */
export interface Frame {
  rows: string[];
  leds: Record<LedName, LedMode>;
}

/** Unanswered commands in a row after which the device counts as gone (spec/serial.md). */
export const MAX_UNANSWERED = 3;

/**
 * One open connection to the display: handshake, then diff-rendering frames and liveness pings.
 * It ends (`ended` resolves) on an I/O error or after MAX_UNANSWERED timeouts in a row; the
 * device service then reconnects with backoff. A BOOT invalidates the mirror so the next frame
 * is sent whole.
 */
export class DisplaySession {
  readonly firmware: string;
  readonly ended: Promise<Error>;
  private mirrorRows: (string | null)[] = Array.from({ length: LCD_ROWS }, () => null);
  private mirrorLeds: Record<LedName, LedMode | null> = { g: null, a: null, r: null };
  /** Bumped by invalidate(): answers to commands sent before it must not update the mirror. */
  private generation = 0;
  private unanswered = 0;
  private end!: (e: Error) => void;
  private done = false;

  private constructor(
    private readonly link: LineLink,
    private readonly channel: CommandChannel,
    firmware: string,
  ) {
    this.firmware = firmware;
    this.ended = new Promise((resolve) => (this.end = resolve));
    link.onClose((err) => this.finish(err ?? new Error('display link closed')));
  }

  /** Opens the port and shakes hands; throws when the device does not answer HELLO. */
  static async open(
    path: string,
    baudRate: number,
    factory: PortFactory | undefined,
    onUnsolicited: (u: Unsolicited) => void,
  ): Promise<DisplaySession> {
    const link = await openLineLink(path, baudRate, factory);
    const channel = createCommandChannel(link);
    channel.onUnsolicited(onUnsolicited);
    let lastError: unknown;
    // serialport flushes on open, so the BOOT banner may be lost and the device may hold a
    // half line of noise: a first HELLO answered ERR is normal, hence a few tries.
    for (let attempt = 0; attempt < MAX_UNANSWERED; attempt++) {
      try {
        const a = await channel.send({ op: 'HELLO' });
        if (a.kind !== 'hello') continue;
        if (a.cols !== LCD_COLS || a.rows !== LCD_ROWS) {
          await link.close();
          throw new DisplayCommandError('rejected', `display is ${a.cols}x${a.rows}, expected ${LCD_COLS}x${LCD_ROWS}`);
        }
        return new DisplaySession(link, channel, a.firmware);
      } catch (err) {
        lastError = err;
        if (err instanceof DisplayCommandError && err.reason === 'closed') break;
      }
    }
    await link.close();
    throw lastError instanceof Error ? lastError : new Error('display did not answer HELLO');
  }

  get isOpen(): boolean {
    return !this.done;
  }

  /**
   * Forgets what the device shows (after BOOT), so the next render sends everything. A command
   * answered just before the BOOT line is read resolves after this runs: the generation stops
   * its answer from marking the row or LED as shown (the reset has blanked it).
   */
  invalidate(): void {
    this.generation++;
    this.mirrorRows = this.mirrorRows.map(() => null);
    this.mirrorLeds = { g: null, a: null, r: null };
  }

  /** Brings the device to `frame`; returns false if the session ended meanwhile. */
  async render(frame: Frame): Promise<boolean> {
    for (let r = 0; r < LCD_ROWS && !this.done; r++) {
      const text = frame.rows[r] ?? '';
      if (this.mirrorRows[r] === text) continue;
      const gen = this.generation;
      if ((await this.run({ op: 'ROW', row: r, text: text.trimEnd() })) && gen === this.generation) this.mirrorRows[r] = text;
    }
    for (const led of ['g', 'a', 'r'] as const) {
      if (this.done || this.mirrorLeds[led] === frame.leds[led]) continue;
      const gen = this.generation;
      if ((await this.run({ op: 'LED', led, mode: frame.leds[led] })) && gen === this.generation) this.mirrorLeds[led] = frame.leds[led];
    }
    return !this.done;
  }

  async beep(ms: number): Promise<void> {
    await this.run({ op: 'BEEP', ms });
  }

  async ping(): Promise<boolean> {
    return this.run({ op: 'PING' });
  }

  async close(): Promise<void> {
    await this.link.close();
    this.finish(new Error('closed by host'));
  }

  /** Runs one command; counts timeouts, ends the session on the third in a row. */
  private async run(cmd: DisplayCommand): Promise<boolean> {
    if (this.done) return false;
    try {
      await this.channel.send(cmd);
      this.unanswered = 0;
      return true;
    } catch (err) {
      if (!(err instanceof DisplayCommandError)) throw err;
      if (err.reason === 'rejected') {
        // The device is alive and said no; it will say no again, so do not retry forever.
        this.unanswered = 0;
        return false;
      }
      if (err.reason === 'timeout' && ++this.unanswered < MAX_UNANSWERED) return false;
      this.finish(err);
      await this.link.close();
      return false;
    }
  }

  private finish(err: Error): void {
    if (this.done) return;
    this.done = true;
    this.end(err);
  }
}
