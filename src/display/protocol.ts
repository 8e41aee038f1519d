/**
 * Display protocol v1 (spec/serial.md), the parts both ends share: limits, the shape of the
 * device's lines, and which answer belongs to which command. The firmware in
 * device/display-firmware implements the same table in C.
 */

export const LCD_COLS = 20;
export const LCD_ROWS = 4;
/** Longest line either side may send, not counting the newline. */
export const MAX_LINE = 64;
export const ANSWER_TIMEOUT_MS = 500;

export type LedName = 'g' | 'a' | 'r';
/** 0 off, 1 on, 2 blink */
export type LedMode = 0 | 1 | 2;
export type ButtonId = 1 | 2;
export type PressKind = 'short' | 'long';

/** What the device sends without being asked. */
export type Unsolicited = { kind: 'button'; button: ButtonId; press: PressKind } | { kind: 'boot' };

/** A command the host may send; `render` turns it into its line. */
export type DisplayCommand =
  | { op: 'HELLO' }
  | { op: 'PING' }
  | { op: 'CLR' }
  | { op: 'ROW'; row: number; text: string }
  | { op: 'LED'; led: LedName; mode: LedMode }
  | { op: 'BEEP'; ms: number };

export function renderCommand(c: DisplayCommand): string {
  switch (c.op) {
    case 'HELLO':
    case 'PING':
    case 'CLR':
      return c.op;
    case 'ROW':
      return c.text.length > 0 ? `ROW ${c.row} ${c.text}` : `ROW ${c.row}`;
    case 'LED':
      return `LED ${c.led} ${c.mode}`;
    case 'BEEP':
      return `BEEP ${c.ms}`;
  }
}

export function parseUnsolicited(line: string): Unsolicited | null {
  if (line === 'BOOT') return { kind: 'boot' };
  const m = /^BTN ([12]) (short|long)$/.exec(line);
  if (!m) return null;
  return { kind: 'button', button: Number(m[1]) as ButtonId, press: m[2] as PressKind };
}

/** The answer a command expects; anything else is not its answer (a stray or late line). */
export type Answer =
  | { kind: 'hello'; firmware: string; cols: number; rows: number }
  | { kind: 'pong' }
  | { kind: 'ok' }
  | { kind: 'err'; reason: string };

export function parseAnswer(line: string): Answer | null {
  if (line === 'OK') return { kind: 'ok' };
  if (line === 'PONG') return { kind: 'pong' };
  if (line === 'ERR' || line.startsWith('ERR ')) return { kind: 'err', reason: line.slice(4) };
  const m = /^HELLO edoc-display (\S+) (\d+)x(\d+)$/.exec(line);
  if (m) return { kind: 'hello', firmware: m[1] ?? '', cols: Number(m[2]), rows: Number(m[3]) };
  return null;
}

/** Whether `a` can be the answer to `c` (an ERR answers any command). */
export function answers(c: DisplayCommand, a: Answer): boolean {
  if (a.kind === 'err') return true;
  if (c.op === 'HELLO') return a.kind === 'hello';
  if (c.op === 'PING') return a.kind === 'pong';
  return a.kind === 'ok';
}
