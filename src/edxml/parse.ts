import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { EdxmlError } from './errors.js';
import { mapAttachments, mapEdocHeader, mapReferences } from './map-edoc.js';
import { mapStatusHeader } from './map-status.js';
import { StreamTree, type OpenAttachment, type TreeLimits, type XNode } from './stream-tree.js';
import { child, find, traces } from './tree-read.js';
import type { ParsedPackage, RawEnvelope } from './types.js';

/**
 * Streaming, XXE-safe parser for edoc and status packages.
 *
 * Attachments are decoded while the package streams past, into sinks the caller opens per
 * attachment (`openAttachment(meta)` → Writable, e.g. a blob-store temp file); without one the
 * bytes are only counted and hashed. On failure every sink is destroyed and the error is always
 * an `EdxmlError` with a code. The envelope's XMLDSig, when present, is left to the signing module:
 * the result carries the envelope's raw text for it.
 */
export interface ParseOptions {
  /** Total package size; default 64 MiB (a 20 MB PDF makes a ~27 MB package). */
  maxBytes?: number;
  /** Element nesting; default 64. */
  maxDepth?: number;
  /** Config `limits.maxAttachments`; default 20. */
  maxAttachments?: number;
  /** Characters in one non-attachment text node; default 256 Ki. */
  maxTextChars?: number;
  /** Elements outside attachment content; default 20 000. */
  maxElements?: number;
  openAttachment?: OpenAttachment;
}

export const DEFAULT_LIMITS: TreeLimits = {
  maxBytes: 64 * 1024 * 1024,
  maxDepth: 64,
  maxAttachments: 20,
  maxTextChars: 256 * 1024,
  maxElements: 20_000,
  maxEnvelopeChars: 4 * 1024 * 1024,
};

export type ParseSource = AsyncIterable<Uint8Array | string>;

export async function parseEdxml(source: ParseSource, opts: ParseOptions = {}): Promise<ParsedPackage> {
  const limits: TreeLimits = {
    ...DEFAULT_LIMITS,
    ...pick(opts, ['maxBytes', 'maxDepth', 'maxAttachments', 'maxTextChars', 'maxElements']),
  };
  const tree = new StreamTree(limits, opts.openAttachment);
  try {
    for await (const chunk of source) {
      const wait = tree.write(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
      if (wait) await drained(wait);
    }
    tree.end();
    await Promise.all(tree.endedSinks().map((s) => finished(s)));
    return mapPackage(tree);
  } catch (e) {
    const err = e instanceof EdxmlError ? e : new EdxmlError('SINK_FAILED', `reading the package failed: ${(e as Error).message}`, undefined, { cause: e });
    tree.abort(err);
    throw err;
  }
}

export async function parseEdxmlFile(path: string, opts: ParseOptions = {}): Promise<ParsedPackage> {
  const stream = createReadStream(path, { highWaterMark: 64 * 1024 });
  try {
    return await parseEdxml(stream, opts);
  } finally {
    stream.destroy();
  }
}

export async function parseEdxmlBuffer(bytes: Uint8Array, opts: ParseOptions = {}): Promise<ParsedPackage> {
  async function* chunks(): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < bytes.length; i += 64 * 1024) yield bytes.subarray(i, i + 64 * 1024);
  }
  return parseEdxml(chunks(), opts);
}

function mapPackage(tree: StreamTree): ParsedPackage {
  const root = tree.root as XNode;
  const envelopeNode = child(root, 'edXMLEnvelope');
  const header = child(envelopeNode, 'edXMLHeader');
  if (!envelopeNode || !header) throw new EdxmlError('MISSING_FIELD', 'missing edXMLEnvelope/edXMLHeader', 'edXMLHeader');
  const envelope: RawEnvelope = tree.envelope ?? { xml: '', namespaces: {}, hasSignature: false };
  const traceList = child(header, 'TraceHeaderList');
  const statusCode = find(header, 'StatusCode');
  if (statusCode) {
    const block = parentOf(header, statusCode) ?? header;
    return { kind: 'status', header: mapStatusHeader(header, statusCode, block), traces: traces(traceList), envelope };
  }
  const mh = child(header, 'MessageHeader');
  if (!mh) throw new EdxmlError('NOT_EDXML', 'neither an edoc (MessageHeader) nor a status package (StatusCode)');
  const references = mapReferences(child(envelopeNode, 'edXMLBody'));
  return { kind: 'edoc', header: mapEdocHeader(mh, traceList), references, attachments: mapAttachments(tree.attachments, references), envelope };
}

function parentOf(top: XNode, target: XNode): XNode | undefined {
  const queue = [top];
  for (let i = 0; i < queue.length; i++) {
    const n = queue[i] as XNode;
    if (n.children.includes(target)) return n;
    queue.push(...n.children);
  }
  return undefined;
}

function pick<T extends object, K extends keyof T>(o: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

async function drained(w: Writable): Promise<void> {
  if (!w.writableNeedDrain) return;
  const ac = new AbortController();
  try {
    await Promise.race([once(w, 'drain', { signal: ac.signal }), once(w, 'close', { signal: ac.signal })]);
  } finally {
    ac.abort();
  }
}
