import { LCD_COLS, LCD_ROWS, MAX_LINE, type LedMode, type LedName } from './protocol.js';

/**
 * The display device's behaviour, as the firmware implements it (device/display-firmware/
 * protocol.c), without any I/O: byte-level line assembly and command execution. The emulator
 * wraps it in a serial port; keeping it pure lets the same rules be checked in unit tests.
 */

export const EMULATOR_FIRMWARE = '1.0.0-emu';

export interface DeviceState {
  rows: string[];
  leds: Record<LedName, LedMode>;
  /** Completed BEEP commands since start (what a listener would have heard). */
  beeps: number;
}

export function initialDeviceState(): DeviceState {
  return { rows: Array.from({ length: LCD_ROWS }, () => ' '.repeat(LCD_COLS)), leds: { g: 0, a: 0, r: 0 }, beeps: 0 };
}

/** Splits received bytes into lines; never holds more than MAX_LINE bytes of one line. */
export class LineAssembler {
  private buf = Buffer.alloc(MAX_LINE);
  private len = 0;
  private tooLong = false;

  /** Returns each completed line, or null for one that overran MAX_LINE. */
  feed(chunk: Uint8Array): (Buffer | null)[] {
    const out: (Buffer | null)[] = [];
    for (const b of chunk) {
      if (b !== 0x0a) {
        if (this.len < MAX_LINE) this.buf[this.len++] = b;
        else this.tooLong = true;
        continue;
      }
      out.push(this.tooLong ? null : Buffer.from(this.buf.subarray(0, this.len)));
      this.len = 0;
      this.tooLong = false;
    }
    return out;
  }
}

/** Executes one complete line (null = too long) against `state`; returns the answer line. */
export function executeLine(state: DeviceState, raw: Buffer | null, firmware = EMULATOR_FIRMWARE): string {
  if (raw === null) return 'ERR too long';
  let bytes = raw;
  if (bytes.length > 0 && bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, -1);
  if (bytes.some((b) => b < 0x20 || b > 0x7e)) return 'ERR bad char';
  const line = bytes.toString('latin1');
  if (line.length === 0) return 'ERR empty';
  if (line === 'PING') return 'PONG';
  if (line === 'HELLO') return `HELLO edoc-display ${firmware} ${LCD_COLS}x${LCD_ROWS}`;
  if (line === 'CLR') {
    state.rows = state.rows.map(() => ' '.repeat(LCD_COLS));
    return 'OK';
  }
  if (line.startsWith('ROW ')) return row(state, line.slice(4));
  if (line.startsWith('LED ')) return led(state, line.slice(4));
  if (line.startsWith('BEEP ')) return beep(state, line.slice(5));
  return 'ERR unknown command';
}

function row(state: DeviceState, args: string): string {
  const m = /^([0-3])(?: (.*))?$/s.exec(args);
  if (!m) return 'ERR bad row';
  state.rows[Number(m[1])] = (m[2] ?? '').slice(0, LCD_COLS).padEnd(LCD_COLS, ' ');
  return 'OK';
}

function led(state: DeviceState, args: string): string {
  const m = /^([gar]) ([012])$/.exec(args);
  if (!m) return 'ERR bad led';
  state.leds[m[1] as LedName] = Number(m[2]) as LedMode;
  return 'OK';
}

function beep(state: DeviceState, args: string): string {
  if (!/^\d{1,4}$/.test(args)) return 'ERR bad beep';
  const ms = Number(args);
  if (ms < 1 || ms > 2000) return 'ERR bad beep';
  state.beeps++;
  return 'OK';
}
