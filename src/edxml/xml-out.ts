import { createHash, type Hash } from 'node:crypto';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { EdxmlError } from './errors.js';
import { EDXML_PREFIX } from './namespace.js';

// Characters XML 1.0 cannot carry at all, and unpaired surrogates (not encodable as UTF-8).
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Escapes text content. `\r` becomes `&#13;` because a parser would otherwise normalise `\r\n`
 * to `\n` and the receiver would not see what was sent. `>` is escaped for `]]>`.
 */
export function escapeXml(value: string, field: string): string {
  if (FORBIDDEN.test(value)) throw new EdxmlError('INVALID_INPUT', `${field} contains a character XML cannot carry`, field);
  return value.replace(/[&<>"\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#13;'));
}

const FLUSH_AT = 64 * 1024;

/**
 * A small buffered XML writer onto a Writable that respects back-pressure and hashes what it
 * writes, so the outbox gets the package's SHA-256 (the VPCP `hash-file`) without re-reading it.
 */
export class XmlOut {
  private parts: string[] = [];
  private pending = 0;
  private readonly hash: Hash = createHash('sha256');
  bytes = 0;

  constructor(private readonly out: Writable) {}

  raw(s: string): void {
    this.parts.push(s);
    this.pending += s.length;
  }

  open(name: string, attrs = ''): void {
    this.raw(`<${EDXML_PREFIX}:${name}${attrs}>`);
  }

  close(name: string): void {
    this.raw(`</${EDXML_PREFIX}:${name}>`);
  }

  /** A leaf element; skipped when the value is undefined. */
  leaf(name: string, value: string | number | boolean | undefined, field = name): void {
    if (value === undefined) return;
    this.raw(`<${EDXML_PREFIX}:${name}>${escapeXml(String(value), field)}</${EDXML_PREFIX}:${name}>`);
  }

  /** Writes buffered text when enough has gathered (or always with `force`), waiting for drain. */
  async flush(force = false): Promise<void> {
    if (this.pending === 0 || (!force && this.pending < FLUSH_AT)) return;
    const buf = Buffer.from(this.parts.join(''), 'utf8');
    this.parts = [];
    this.pending = 0;
    this.hash.update(buf);
    this.bytes += buf.length;
    if (!this.out.write(buf)) await drained(this.out);
  }

  async finish(): Promise<{ bytes: number; sha256: string }> {
    await this.flush(true);
    return { bytes: this.bytes, sha256: this.hash.digest('hex') };
  }
}

async function drained(out: Writable): Promise<void> {
  if (out.destroyed) throw new EdxmlError('SINK_FAILED', 'output stream closed while writing');
  // Reject on error too, or a broken disk would hang the build forever; the abort removes
  // whichever listener did not fire.
  const ac = new AbortController();
  try {
    await Promise.race([
      once(out, 'drain', { signal: ac.signal }),
      once(out, 'error', { signal: ac.signal }).then(([e]) => Promise.reject(new EdxmlError('SINK_FAILED', 'output stream failed', undefined, { cause: e }))),
    ]);
  } finally {
    ac.abort();
  }
}
