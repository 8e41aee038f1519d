import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { VERSION } from '../../version.js';
import {
  AxisError,
  type Agency,
  type AxisPort,
  type DeliveryStatus,
  type MessageType,
  type PackageSource,
  type ReceivedEntry,
  type SendOptions,
  type SentEntry,
} from '../axis-port.js';
import { receiveEdoc } from './edoc-response.js';
import { multipartFromBytes, multipartFromFile } from './multipart.js';
import { DEFAULT_SERVICE_TYPE, FILE_CONTENT_TYPE, type WireListEntry } from './protocol.js';
import { baseFields, sdkHashHex, signHeaders, type Fields } from './signing.js';
import { readVpcpJson, VpcpTransport } from './transport.js';

/** The VPCP adapter of the axis port (domain.md §5). */
export interface VpcpAxisOptions {
  endpoint: string;
  /** Our agency code (`systemid`). */
  systemId: string;
  /** The issued key, used as the HMAC key string. Never logged. */
  secret: string;
  idleTimeoutMs?: number;
  maxSockets?: number;
  serviceType?: string;
  /** The clock for request timestamps (tests shift it to provoke a stale-timestamp refusal). */
  now?: () => Date;
  logger?: Logger;
}

export class VpcpAxis implements AxisPort {
  private readonly transport: VpcpTransport;
  private readonly now: () => Date;
  private readonly userAgent = `edoc-gateway/${VERSION}`;

  constructor(private readonly opts: VpcpAxisOptions) {
    this.transport = new VpcpTransport({ endpoint: opts.endpoint, idleTimeoutMs: opts.idleTimeoutMs ?? 60_000, maxSockets: opts.maxSockets ?? 4 });
    this.now = opts.now ?? (() => new Date());
  }

  private headers(fields: Fields): Record<string, string> {
    const all = { ...baseFields(this.opts.systemId, this.now()), ...fields };
    return { ...signHeaders(all, this.opts.secret), 'User-Agent': this.userAgent, Accept: 'application/json' };
  }

  async sendEdoc(pkg: PackageSource, o: SendOptions): Promise<{ docId: string }> {
    const op = 'sendEdoc';
    const filename = `${o.messageType}.edxml`;
    let digest: Buffer;
    let body;
    if ('path' in pkg) {
      const size = await localIo(op, async () => (await stat(pkg.path)).size);
      digest = pkg.sha256 ? Buffer.from(pkg.sha256, 'hex') : await localIo(op, () => sha256File(pkg.path));
      body = multipartFromFile(pkg.path, size, filename);
    } else {
      digest = createHash('sha256').update(pkg.bytes).digest();
      body = multipartFromBytes(pkg.bytes, filename);
    }
    const headers = this.headers({
      'Content-Type': FILE_CONTENT_TYPE,
      'hash-file': sdkHashHex(digest),
      messagetype: o.messageType,
      servicetype: o.serviceType ?? this.opts.serviceType ?? DEFAULT_SERVICE_TYPE,
      from: o.from,
      to: JSON.stringify(o.to),
    });
    const res = await this.transport.post(op, { ...headers, 'Content-Type': body.contentType }, body);
    const r = await readVpcpJson(op, res);
    const docId = r.DocId ?? (typeof r.data === 'string' ? r.data : undefined);
    if (!docId) throw new AxisError({ code: 'BAD_RESPONSE', transient: true, operation: op, message: 'sendEdoc: OK without a DocId' });
    this.opts.logger?.debug({ op, docId, to: o.to, messageType: o.messageType }, 'axis accepted a package');
    return { docId: String(docId) };
  }

  async getReceivedEdocList(messageType: MessageType): Promise<ReceivedEntry[]> {
    const r = await this.call('getReceivedEdocList', { messagetype: messageType });
    return listOf('getReceivedEdocList', r.data);
  }

  async getSentEdocList(messageType?: MessageType): Promise<SentEntry[]> {
    const r = await this.call('getSentEdocList', messageType ? { messagetype: messageType } : {});
    return listOf('getSentEdocList', r.data);
  }

  async getAgenciesList(): Promise<Agency[]> {
    const r = await this.call('getAgenciesList', {});
    if (!Array.isArray(r.data)) throw badShape('getAgenciesList');
    return r.data.map((a: { id?: unknown; code?: unknown; name?: unknown }) => ({ id: String(a.id ?? a.code ?? ''), name: String(a.name ?? '') }));
  }

  async updateStatus(docId: string, status: DeliveryStatus): Promise<void> {
    await this.call('updateStatus', { docId, status });
  }

  async getEdoc(docId: string, dest: Writable): Promise<{ bytes: number; sha256: string }> {
    let res;
    try {
      res = await this.transport.post('getEdoc', this.headers({ docId }), null);
    } catch (e) {
      dest.destroy();
      throw e;
    }
    return receiveEdoc(res, dest);
  }

  async close(): Promise<void> {
    this.transport.close();
  }

  private async call(op: string, fields: Fields) {
    const res = await this.transport.post(op, this.headers(fields), null);
    return readVpcpJson(op, res);
  }
}

function badShape(op: string): AxisError {
  return new AxisError({ code: 'BAD_RESPONSE', transient: true, operation: op, message: `${op}: unexpected answer shape` });
}

/** Entries as they travel; other axis builds were seen with other spellings, so accept those too. */
type LooseEntry = Partial<WireListEntry> & { DocId?: unknown; doc_id?: unknown; messagetype?: unknown; createdTime?: unknown; created_at?: unknown };

function listOf(op: string, data: unknown): SentEntry[] {
  if (data === undefined || data === null) return [];
  if (!Array.isArray(data)) throw badShape(op);
  return (data as LooseEntry[]).map((e) => {
    const entry: SentEntry = {
      docId: String(e.docId ?? e.DocId ?? e.doc_id ?? ''),
      messageType: String(e.messageType ?? e.messagetype ?? ''),
      from: String(e.from ?? ''),
      to: recipients(e.to),
      createdTime: String(e.created_time ?? e.createdTime ?? e.created_at ?? ''),
    };
    if (!entry.docId) throw badShape(op);
    if (e.recipients) entry.recipients = e.recipients;
    return entry;
  });
}

/** `to` arrives as an array, a JSON array text, or one OrganId depending on the axis. */
function recipients(to: unknown): string[] {
  if (Array.isArray(to)) return to.map(String);
  if (typeof to !== 'string' || to === '') return [];
  if (to.startsWith('[')) {
    try {
      const v = JSON.parse(to) as unknown;
      if (Array.isArray(v)) return v.map(String);
    } catch {
      /* fall through: keep it as one id */
    }
  }
  return [to];
}

async function sha256File(path: string): Promise<Buffer> {
  const h = createHash('sha256');
  for await (const c of createReadStream(path)) h.update(c as Buffer);
  return h.digest();
}

/**
 * Reading our own package can fail for good (it is gone: ENOENT, or the path is not a file) or
 * for a while (too many open files, out of memory, an I/O hiccup, a permission fixed by the
 * administrator): only the first fails the document; the others keep it queued for a retry.
 */
const LOCAL_PERMANENT = new Set(['ENOENT', 'ENOTDIR', 'EISDIR']);
export function isLocalIoTransient(errno: string | undefined): boolean {
  return !LOCAL_PERMANENT.has(errno ?? '');
}

async function localIo<T>(op: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    const errno = (e as NodeJS.ErrnoException).code;
    throw new AxisError({ code: 'LOCAL_IO', transient: isLocalIoTransient(errno), operation: op, message: `${op}: cannot read the package (${errno ?? 'error'})` }, { cause: e });
  }
}
