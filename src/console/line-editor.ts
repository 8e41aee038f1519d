/**
 * Turns the raw bytes a terminal sends into command lines, with a fixed memory bound.
 *
 * Why not `@serialport/parser-readline`: it buffers everything until a delimiter, so a cable
 * spewing noise (or a paste without newline) would grow memory without limit, and it knows one
 * delimiter while terminal programs send CR (minicom, screen, PuTTY), LF or CRLF on Enter. This
 * editor keeps at most `maxLineBytes`; beyond that it drops bytes until the end of the line and
 * reports the line as overlong. It also does what a serial terminal expects from the far end:
 * echo, backspace, Ctrl-C, and it swallows ANSI escape sequences (arrow keys).
 */
export interface LineEditorEvents {
  line(text: string): void;
  /** A line longer than the limit ended; `bytes` is how long it was (counted, not kept). */
  overlong(bytes: number): void;
  /** Bytes to send back when echo is on. */
  echo(bytes: Buffer): void;
}

const CR = 0x0d;
const LF = 0x0a;
const BS = 0x08;
const DEL = 0x7f;
const ETX = 0x03; // Ctrl-C
const ESC = 0x1b;

const ERASE = Buffer.from('\b \b');
const NEWLINE = Buffer.from('\r\n');

export class LineEditor {
  private readonly buf: Buffer;
  private len = 0;
  /** Length of the current line when it went over the limit; 0 while within it. */
  private overflow = 0;
  private lastWasCr = false;
  /** 0 normal, 1 after ESC, 2 inside a CSI sequence (ESC [ ... final byte). */
  private escape: 0 | 1 | 2 = 0;

  constructor(
    private readonly events: LineEditorEvents,
    private readonly maxLineBytes = 256,
    private readonly echo = true,
  ) {
    this.buf = Buffer.alloc(maxLineBytes);
  }

  push(chunk: Buffer): void {
    const echoed: number[] = [];
    const flushEcho = (): void => {
      if (this.echo && echoed.length > 0) this.events.echo(Buffer.from(echoed));
      echoed.length = 0;
    };
    for (const byte of chunk) {
      const afterCr = this.lastWasCr;
      this.lastWasCr = byte === CR;
      if (this.skipEscape(byte)) continue;
      if (byte === CR || byte === LF) {
        if (byte === LF && afterCr) continue; // CRLF is one Enter
        echoed.push(...NEWLINE);
        flushEcho();
        this.endLine();
      } else if (byte === BS || byte === DEL) {
        if (this.overflow === 0 && this.len > 0) {
          this.eraseLastChar();
          echoed.push(...ERASE);
        }
      } else if (byte === ETX) {
        echoed.push(...Buffer.from('^C'), ...NEWLINE);
        flushEcho();
        this.len = 0;
        this.overflow = 0;
        this.events.line('');
      } else if (byte < 0x20) {
        // other control bytes mean nothing here
      } else if (this.overflow > 0) {
        this.overflow += 1;
      } else if (this.len === this.maxLineBytes) {
        this.overflow = this.len + 1;
      } else {
        this.buf[this.len] = byte;
        this.len += 1;
        echoed.push(byte);
      }
    }
    flushEcho();
  }

  private endLine(): void {
    if (this.overflow > 0) {
      const n = this.overflow;
      this.overflow = 0;
      this.len = 0;
      this.events.overlong(n);
      return;
    }
    const text = this.buf.toString('utf8', 0, this.len);
    this.len = 0;
    this.events.line(text);
  }

  /** Removes one UTF-8 character (its continuation bytes 10xxxxxx, then the lead byte). */
  private eraseLastChar(): void {
    while (this.len > 0) {
      this.len -= 1;
      const b = this.buf[this.len] ?? 0;
      if ((b & 0xc0) !== 0x80) break;
    }
  }

  /** True when the byte belongs to an escape sequence and is to be ignored. */
  private skipEscape(byte: number): boolean {
    if (this.escape === 0) {
      if (byte !== ESC) return false;
      this.escape = 1;
      return true;
    }
    if (this.escape === 1) {
      this.escape = byte === 0x5b ? 2 : 0; // ESC [ starts CSI; ESC x is a two-byte sequence
      return true;
    }
    if (byte >= 0x40 && byte <= 0x7e) this.escape = 0; // CSI final byte
    return true;
  }
}
