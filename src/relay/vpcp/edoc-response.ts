import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import type { Writable } from 'node:stream';
import { Base64Decoder } from '../../edxml/base64.js';
import { AxisError } from '../axis-port.js';
import { JsonDataScanner } from './json-data-stream.js';
import { checkHttpStatus, checkVpcpStatus, networkError } from './transport.js';

const OP = 'getEdoc';

/**
 * Reads a `getEdoc` answer into `dest`: the JSON is scanned as it arrives and its base64 `data`
 * decoded straight into `dest`, with back-pressure, so a 27 MB package never sits in memory as
 * JSON text, base64 string and bytes at once. `dest` is ended on success and destroyed on failure;
 * the response is destroyed on failure so the keep-alive socket is not left half-read.
 */
export async function receiveEdoc(res: IncomingMessage, dest: Writable): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  let destError: unknown = null;
  // Without a listener a failing disk would crash the process with an unhandled 'error'.
  const onError = (e: unknown): void => void (destError ??= e);
  dest.on('error', onError);
  const checkDest = (): void => {
    if (destError !== null || dest.destroyed) {
      throw new AxisError({ code: 'LOCAL_IO', transient: false, operation: OP, message: 'getEdoc: the destination failed or was closed' }, { cause: destError });
    }
  };
  const permanent = (e: unknown): AxisError =>
    e instanceof AxisError ? e : new AxisError({ code: 'BAD_RESPONSE', transient: false, operation: OP, message: `getEdoc: ${(e as Error).message}` }, { cause: e });

  try {
    checkHttpStatus(OP, res);
    const decoder = new Base64Decoder();
    const write = (b: Buffer): void => {
      if (b.length === 0) return;
      checkDest();
      bytes += b.length;
      hash.update(b);
      dest.write(b);
    };
    const scanner = new JsonDataScanner((text) => write(decoder.push(text)));
    const utf8 = new StringDecoder('utf8');
    // Corrupt base64 or a runaway answer: asking again would return the same bytes.
    const feed = (text: string): void => {
      try {
        scanner.push(text);
      } catch (e) {
        throw permanent(e);
      }
    };
    const chunks = (res as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<Buffer>;
      try {
        next = await chunks.next();
      } catch (e) {
        throw e instanceof AxisError ? e : networkError(OP, e);
      }
      if (next.done) break;
      feed(utf8.write(next.value));
      if (dest.writableNeedDrain) await drainOrClose(dest);
      checkDest();
    }
    feed(utf8.end());
    let body: unknown;
    try {
      body = JSON.parse(scanner.remainder());
    } catch {
      throw new AxisError({ code: 'BAD_RESPONSE', transient: true, operation: OP, message: 'getEdoc: answer is not JSON' });
    }
    checkVpcpStatus(OP, body);
    if (!scanner.found) throw new AxisError({ code: 'BAD_RESPONSE', transient: false, operation: OP, message: 'getEdoc: OK without data' });
    try {
      write(decoder.end());
    } catch (e) {
      throw permanent(e);
    }
    dest.end();
    await once(dest, 'finish');
    return { bytes, sha256: hash.digest('hex') };
  } catch (e) {
    res.destroy();
    dest.destroy();
    throw e instanceof AxisError ? e : new AxisError({ code: 'BAD_RESPONSE', transient: true, operation: OP, message: `getEdoc: ${(e as Error).message}` }, { cause: e });
  } finally {
    dest.off('error', onError);
  }
}

async function drainOrClose(w: Writable): Promise<void> {
  const ac = new AbortController();
  try {
    await Promise.race([once(w, 'drain', { signal: ac.signal }), once(w, 'close', { signal: ac.signal })]);
  } catch (e) {
    if ((e as Error).name !== 'AbortError') throw e;
  } finally {
    ac.abort();
  }
}
