import { PdfDict, PdfName, PdfRef, PdfStream, PdfString, type PdfObject } from './objects.js';

/**
 * A PDF object parser over a window of the file (§7.2–7.3). The reader hands it a slice that
 * starts at a known absolute offset; when an object runs past the end of the slice and the slice
 * is not the end of the file, `Truncated` is thrown so the caller can read a larger window. This
 * is what lets the reader parse one object by offset without loading the whole file.
 */
export class Truncated extends Error {
  constructor() {
    super('object runs past the read window');
  }
}

/** A syntax error; the reader turns it into AppError('MALFORMED_PDF'). */
export class PdfSyntaxError extends Error {}

// Byte class tables (1 = white space, 2 = delimiter): one array load per byte, where a Set lookup
// was a hash per byte on the hot path of every token.
const CLASS = new Uint8Array(256);
for (const b of [0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]) CLASS[b] = 1;
for (const b of [0x28, 0x29, 0x3c, 0x3e, 0x5b, 0x5d, 0x7b, 0x7d, 0x2f, 0x25]) CLASS[b] = 2;
const WS = { has: (b: number): boolean => CLASS[b] === 1 };
const DELIM = { has: (b: number): boolean => CLASS[b] === 2 };

/** bytes[start, end) as latin1 text; short tokens without allocating a Buffer. */
function latin1(bytes: Uint8Array, start: number, end: number): string {
  if (end - start > 32) return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i] as number);
  return s;
}

export function isWhite(b: number | undefined): boolean {
  return b !== undefined && WS.has(b);
}

export class Lexer {
  pos = 0;
  /**
   * @param buf the window
   * @param base absolute file offset of buf[0]
   * @param atEof true when the window reaches the end of the file (running out is then an error)
   */
  constructor(
    readonly buf: Uint8Array,
    readonly base = 0,
    readonly atEof = true,
  ) {}

  get absPos(): number {
    return this.base + this.pos;
  }

  private byte(i = this.pos): number {
    if (i >= this.buf.length) {
      if (this.atEof) throw new PdfSyntaxError(`unexpected end of data at ${this.base + i}`);
      throw new Truncated();
    }
    return this.buf[i] as number;
  }

  private peekByte(i = this.pos): number | undefined {
    if (i >= this.buf.length) {
      if (this.atEof) return undefined;
      throw new Truncated();
    }
    return this.buf[i];
  }

  skipWhite(): void {
    for (;;) {
      const b = this.peekByte();
      if (b === undefined) return;
      if (WS.has(b)) this.pos++;
      else if (b === 0x25) {
        // comment to end of line
        while (this.peekByte() !== undefined && this.byte() !== 0x0a && this.byte() !== 0x0d) this.pos++;
      } else return;
    }
  }

  /** The next regular token (keyword or number) as text, without consuming it. */
  peekKeyword(): string | null {
    const save = this.pos;
    this.skipWhite();
    const start = this.pos;
    let b = this.peekByte();
    while (b !== undefined && !WS.has(b) && !DELIM.has(b)) {
      this.pos++;
      b = this.peekByte();
    }
    const word = latin1(this.buf, start, this.pos);
    this.pos = save;
    return word.length > 0 ? word : null;
  }

  /** Consume a keyword, failing when a different token follows. */
  expectKeyword(kw: string): void {
    this.skipWhite();
    const w = this.peekKeyword();
    if (w !== kw) throw new PdfSyntaxError(`expected "${kw}" at ${this.absPos}, found "${w ?? 'EOF'}"`);
    this.pos += kw.length;
  }

  readInt(): number {
    this.skipWhite();
    const w = this.peekKeyword();
    if (w === null || !/^[+-]?\d+$/.test(w)) throw new PdfSyntaxError(`expected an integer at ${this.absPos}`);
    this.pos += w.length;
    return Number(w);
  }

  /** Parse one direct object (a `n g R` reference counts as one). */
  parseObject(depth = 0): PdfObject {
    if (depth > 100) throw new PdfSyntaxError('objects nested too deeply');
    this.skipWhite();
    const b = this.byte();
    if (b === 0x2f) return this.parseName();
    if (b === 0x28) return this.parseLiteralString();
    if (b === 0x3c) {
      if (this.byte(this.pos + 1) === 0x3c) return this.parseDict(depth);
      return this.parseHexString();
    }
    if (b === 0x5b) {
      this.pos++;
      const arr: PdfObject[] = [];
      for (;;) {
        this.skipWhite();
        if (this.byte() === 0x5d) {
          this.pos++;
          return arr;
        }
        arr.push(this.parseObject(depth + 1));
      }
    }
    const word = this.peekKeyword();
    if (word === null) throw new PdfSyntaxError(`unexpected byte 0x${b.toString(16)} at ${this.absPos}`);
    this.pos += word.length;
    if (word === 'true') return true;
    if (word === 'false') return false;
    if (word === 'null') return null;
    if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(word)) {
      const n = Number(word);
      if (/^\d+$/.test(word)) return this.maybeRef(n);
      return n;
    }
    throw new PdfSyntaxError(`unexpected token "${word.slice(0, 20)}" at ${this.absPos - word.length}`);
  }

  /** After an unsigned integer: `n g R` is a reference; otherwise rewind to just after `n`. */
  private maybeRef(n: number): PdfObject {
    const save = this.pos;
    this.skipWhite();
    const g = this.peekKeyword();
    if (g !== null && /^\d+$/.test(g)) {
      this.pos += g.length;
      this.skipWhite();
      if (this.peekKeyword() === 'R') {
        this.pos += 1;
        return new PdfRef(n, Number(g));
      }
    }
    this.pos = save;
    return n;
  }

  private parseName(): PdfName {
    this.pos++; // '/'
    const bytes: number[] = [];
    for (;;) {
      const b = this.peekByte();
      if (b === undefined || WS.has(b) || DELIM.has(b)) break;
      if (b === 0x23) {
        const hex = Buffer.from(this.buf.subarray(this.pos + 1, this.pos + 3)).toString('latin1');
        if (/^[0-9a-fA-F]{2}$/.test(hex)) {
          bytes.push(parseInt(hex, 16));
          this.pos += 3;
          continue;
        }
        this.byte(this.pos + 2); // may signal Truncated
      }
      bytes.push(b);
      this.pos++;
    }
    return new PdfName(Buffer.from(bytes).toString('latin1'));
  }

  private parseLiteralString(): PdfString {
    this.pos++; // '('
    const out: number[] = [];
    let depth = 1;
    for (;;) {
      const b = this.byte();
      this.pos++;
      if (b === 0x5c) {
        const e = this.byte();
        this.pos++;
        const simple: Record<number, number> = { 0x6e: 10, 0x72: 13, 0x74: 9, 0x62: 8, 0x66: 12, 0x28: 0x28, 0x29: 0x29, 0x5c: 0x5c };
        if (simple[e] !== undefined) out.push(simple[e]);
        else if (e >= 0x30 && e <= 0x37) {
          let v = e - 0x30;
          for (let k = 0; k < 2; k++) {
            const d = this.byte();
            if (d < 0x30 || d > 0x37) break;
            v = v * 8 + (d - 0x30);
            this.pos++;
          }
          out.push(v & 0xff);
        } else if (e === 0x0d) {
          if (this.peekByte() === 0x0a) this.pos++; // line continuation
        } else if (e !== 0x0a) out.push(e);
        continue;
      }
      if (b === 0x28) depth++;
      if (b === 0x29 && --depth === 0) break;
      out.push(b);
    }
    return new PdfString(Uint8Array.from(out), false);
  }

  private parseHexString(): PdfString {
    this.pos++; // '<'
    const start = this.pos;
    for (;;) {
      const b = this.byte();
      if (b === 0x3e) break;
      this.pos++;
    }
    let hex = Buffer.from(this.buf.subarray(start, this.pos)).toString('latin1').replace(/[\s\0]/g, '');
    this.pos++; // '>'
    if (!/^[0-9a-fA-F]*$/.test(hex)) throw new PdfSyntaxError(`bad hex string before ${this.absPos}`);
    if (hex.length % 2 === 1) hex += '0';
    return new PdfString(Uint8Array.from(Buffer.from(hex, 'hex')), true);
  }

  private parseDict(depth: number): PdfDict {
    this.pos += 2; // '<<'
    const d = new PdfDict();
    for (;;) {
      this.skipWhite();
      const b = this.byte();
      if (b === 0x3e && this.byte(this.pos + 1) === 0x3e) {
        this.pos += 2;
        return d;
      }
      if (b !== 0x2f) throw new PdfSyntaxError(`expected a name key in dictionary at ${this.absPos}`);
      const key = this.parseName().name;
      d.set(key, this.parseObject(depth + 1));
    }
  }

  /**
   * Parse `num gen obj <object>`; for a stream, returns a PdfStream whose data offset is where the
   * data starts (after `stream` and its EOL). The data itself is not read here.
   */
  parseIndirect(): { num: number; gen: number; value: PdfObject } {
    const num = this.readInt();
    const gen = this.readInt();
    this.expectKeyword('obj');
    const value = this.parseObject();
    if (value instanceof PdfDict) {
      this.skipWhite();
      if (this.peekKeyword() === 'stream') {
        this.pos += 6;
        // `stream` is followed by CRLF or LF (§7.3.8.1); a lone CR is tolerated as writers vary.
        if (this.byte() === 0x0d) this.pos++;
        if (this.peekByte() === 0x0a) this.pos++;
        return { num, gen, value: new PdfStream(value, this.absPos) };
      }
    }
    return { num, gen, value };
  }
}
