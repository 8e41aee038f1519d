/**
 * The PDF object model of the lean reader (ISO 32000-1 §7.3) and its serialiser. Only what the
 * signer and the verifier touch: values are parsed faithfully enough to be written back unchanged
 * in meaning when a dictionary (a page, the catalog, the AcroForm) is re-emitted in an update.
 */
export class PdfName {
  /** The decoded name, without the leading slash (`#xx` escapes already resolved, latin1). */
  constructor(readonly name: string) {}
}

export class PdfString {
  /** Raw bytes of the string; `hex` remembers the written form, for faithful re-emission. */
  constructor(
    readonly bytes: Uint8Array,
    readonly hex = false,
  ) {}
  /** Text of a PDF text string: UTF-16BE with BOM, else PDFDocEncoding (read as latin1). */
  text(): string {
    const b = this.bytes;
    if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) {
      const swapped = Buffer.from(b.subarray(2));
      swapped.swap16();
      return swapped.toString('utf16le');
    }
    return Buffer.from(b).toString('latin1');
  }
}

export class PdfRef {
  constructor(
    readonly num: number,
    readonly gen: number,
  ) {}
  toString(): string {
    return `${this.num} ${this.gen} R`;
  }
}

export class PdfDict {
  readonly map = new Map<string, PdfObject>();
  get(key: string): PdfObject | undefined {
    return this.map.get(key);
  }
  set(key: string, value: PdfObject): this {
    this.map.set(key, value);
    return this;
  }
  has(key: string): boolean {
    return this.map.has(key);
  }
  clone(): PdfDict {
    const d = new PdfDict();
    for (const [k, v] of this.map) d.map.set(k, v);
    return d;
  }
}

/** A stream as found in the file: its dictionary and where its raw data lies (absolute offsets). */
export class PdfStream {
  constructor(
    readonly dict: PdfDict,
    readonly dataOffset: number,
  ) {}
}

export type PdfObject = null | boolean | number | PdfName | PdfString | PdfRef | PdfDict | PdfStream | PdfObject[];

/** Text of a string as a PDF text string: PDFDocEncoding when latin1 fits, else UTF-16BE + BOM. */
export function textString(s: string): PdfString {
  // eslint-disable-next-line no-control-regex
  if (/^[\x20-\x7e]*$/.test(s)) return new PdfString(Buffer.from(s, 'latin1'));
  const le = Buffer.from(s, 'utf16le');
  le.swap16();
  return new PdfString(Buffer.concat([Buffer.from([0xfe, 0xff]), le]), true);
}

// Delimiters and whitespace must be escaped inside names (§7.3.5), and '#' itself.
const NAME_PLAIN = /^[!-~]$/;
const NAME_SPECIAL = new Set(['(', ')', '<', '>', '[', ']', '{', '}', '/', '%', '#']);

function serializeName(n: string): string {
  let out = '/';
  for (const ch of n) {
    const code = ch.charCodeAt(0);
    if (code <= 0xff && NAME_PLAIN.test(ch) && !NAME_SPECIAL.has(ch)) out += ch;
    else out += '#' + (code & 0xff).toString(16).padStart(2, '0');
  }
  return out;
}

function serializeNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  const s = String(n);
  // PDF has no exponent notation; tiny or huge reals must be spelled out.
  if (!/e/i.test(s)) return s;
  return n.toFixed(10).replace(/0+$/, '').replace(/\.$/, '');
}

function serializeString(s: PdfString): string {
  if (s.hex) return '<' + Buffer.from(s.bytes).toString('hex') + '>';
  let out = '(';
  for (const b of s.bytes) {
    if (b === 0x28 || b === 0x29 || b === 0x5c) out += '\\' + String.fromCharCode(b);
    else if (b < 0x20 || b > 0x7e) out += '\\' + b.toString(8).padStart(3, '0');
    else out += String.fromCharCode(b);
  }
  return out + ')';
}

/**
 * Serialise a value as PDF syntax (latin1 text: every char is one byte). Streams cannot be
 * re-emitted here: the signer never rewrites a stream object.
 */
export function serialize(obj: PdfObject): string {
  if (obj === null) return 'null';
  if (typeof obj === 'boolean') return obj ? 'true' : 'false';
  if (typeof obj === 'number') return serializeNumber(obj);
  if (obj instanceof PdfName) return serializeName(obj.name);
  if (obj instanceof PdfString) return serializeString(obj);
  if (obj instanceof PdfRef) return obj.toString();
  if (Array.isArray(obj)) return '[' + obj.map(serialize).join(' ') + ']';
  if (obj instanceof PdfDict) {
    let out = '<<';
    for (const [k, v] of obj.map) out += serializeName(k) + ' ' + serialize(v);
    return out + '>>';
  }
  throw new TypeError('a stream object cannot be re-serialised');
}

/** Helpers that read typed values out of parsed objects without casts at every call site. */
export function asName(o: PdfObject | undefined): string | undefined {
  return o instanceof PdfName ? o.name : undefined;
}
export function asNumber(o: PdfObject | undefined): number | undefined {
  return typeof o === 'number' ? o : undefined;
}
export function asInt(o: PdfObject | undefined): number | undefined {
  return typeof o === 'number' && Number.isInteger(o) ? o : undefined;
}
