import { EdxmlError } from './errors.js';

/**
 * Incremental base64, so a 20 MB attachment never exists as one 27 MB string: each chunk is
 * encoded or decoded as it passes, carrying the 0–2 bytes (or 0–3 characters) that do not fill a
 * complete group to the next chunk.
 */
export class Base64Encoder {
  private carry: Buffer = Buffer.alloc(0);

  push(chunk: Uint8Array): string {
    const buf = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const usable = buf.length - (buf.length % 3);
    // Copy the tail: `buf` may be a view on the caller's buffer, which it may reuse.
    this.carry = Buffer.from(buf.subarray(usable));
    return buf.subarray(0, usable).toString('base64');
  }

  end(): string {
    const out = this.carry.toString('base64');
    this.carry = Buffer.alloc(0);
    return out;
  }
}

const EMPTY = Buffer.alloc(0);
const WHITESPACE = /[\t\n\r ]+/g;
const NOT_ALPHABET = /[^A-Za-z0-9+/=]/;
const NOT_PAD = /[^=]/;

/**
 * Strict on the alphabet, liberal on layout: whitespace anywhere (MIME line breaks) and missing
 * final padding are accepted; other characters, `=` in the middle, or a dangling single character
 * are `BAD_BASE64`.
 */
export class Base64Decoder {
  private carry = '';
  private chars = 0;
  private firstPad = -1;

  push(text: string): Buffer {
    const s = text.indexOf(' ') >= 0 || text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0 || text.indexOf('\t') >= 0 ? text.replace(WHITESPACE, '') : text;
    if (s.length === 0) return EMPTY;
    if (NOT_ALPHABET.test(s)) throw new EdxmlError('BAD_BASE64', 'attachment content is not base64');
    if (this.firstPad >= 0) {
      if (NOT_PAD.test(s)) throw new EdxmlError('BAD_BASE64', 'data after base64 padding');
    } else {
      const eq = s.indexOf('=');
      if (eq >= 0) {
        if (NOT_PAD.test(s.slice(eq))) throw new EdxmlError('BAD_BASE64', 'data after base64 padding');
        this.firstPad = this.chars + eq;
      }
    }
    this.chars += s.length;
    const all = this.carry + s;
    const usable = all.length - (all.length % 4);
    this.carry = all.slice(usable);
    if (usable === 0) return EMPTY;
    return Buffer.from(all.slice(0, usable), 'base64');
  }

  /** Checks the padding and returns the last bytes (of an unpadded tail). */
  end(): Buffer {
    if (this.firstPad >= 0) {
      const pads = this.chars - this.firstPad;
      if (this.chars % 4 !== 0 || pads > 2) throw new EdxmlError('BAD_BASE64', 'bad base64 padding');
      return EMPTY;
    }
    const rest = this.carry;
    this.carry = '';
    if (rest.length === 1) throw new EdxmlError('BAD_BASE64', 'truncated base64');
    return rest.length === 0 ? EMPTY : Buffer.from(rest, 'base64');
  }

  /** Non-whitespace characters seen so far (for size bounds before decoding). */
  get charCount(): number {
    return this.chars;
  }
}
