import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Busboy, type BusboyHeaders } from '@fastify/busboy';
import type { Logger } from 'pino';
import { Base64Encoder } from '../edxml/base64.js';
import { AXIS_ERRORS, DELIVERY_STATUSES, FILE_PART, failResponse, okResponse, type Operation, type VpcpResponse, type WireListEntry } from '../relay/vpcp/protocol.js';
import { hashFileMatches, type Fields } from '../relay/vpcp/signing.js';
import type { SimAgency } from './agencies.js';
import type { Faults } from './faults.js';
import type { SimDoc, SimStore } from './store.js';

/** The simulator's side of each VPCP operation, after authentication. */
export interface SimContext {
  store: SimStore;
  agencies: Map<string, SimAgency>;
  faults: Faults;
  maxPackageBytes: number;
  logger: Logger | undefined;
}

export interface Call {
  req: IncomingMessage;
  res: ServerResponse;
  /** The authenticated `systemid`. */
  me: string;
  fields: Fields;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

const fail = (c: Call, code: string, desc: string): void => {
  c.req.resume();
  sendJson(c.res, 200, failResponse(code, desc));
};
const ok = (c: Call, extra: Omit<VpcpResponse, 'status'> = {}): void => sendJson(c.res, 200, okResponse(extra));

export const OPERATION_HANDLERS: Record<Operation, (ctx: SimContext, c: Call) => Promise<void>> = {
  sendEdoc,
  getReceivedEdocList: async (ctx, c) => ok(c, { data: ctx.store.pending(c.me, c.fields['messagetype']).map(wire) }),
  getSentEdocList: async (ctx, c) => ok(c, { data: ctx.store.sent(c.me, c.fields['messagetype']).map((d) => ({ ...wire(d), recipients: d.recipients })) }),
  getAgenciesList: async (ctx, c) => ok(c, { data: [...ctx.agencies.values()].map((a) => ({ id: a.id, name: a.name })) }),
  getEdoc,
  updateStatus,
};

function wire(d: SimDoc): WireListEntry {
  return { docId: d.docId, messageType: d.messageType, from: d.from, to: d.to, created_time: d.createdTime };
}

async function sendEdoc(ctx: SimContext, c: Call): Promise<void> {
  const f = c.fields;
  const messageType = f['messagetype'];
  if (messageType !== 'edoc' && messageType !== 'status') return fail(c, AXIS_ERRORS.BAD_REQUEST, 'messagetype must be edoc or status');
  if (f['from'] !== c.me) return fail(c, AXIS_ERRORS.BAD_REQUEST, 'from must be the calling system');
  let to: unknown;
  try {
    to = JSON.parse(f['to'] ?? '');
  } catch {
    return fail(c, AXIS_ERRORS.BAD_REQUEST, 'to must be a JSON array of OrganIds');
  }
  if (!Array.isArray(to) || to.length === 0 || !to.every((x) => typeof x === 'string')) return fail(c, AXIS_ERRORS.BAD_REQUEST, 'to must be a non-empty JSON array');
  const unknown = (to as string[]).filter((r) => !ctx.agencies.has(r));
  if (unknown.length > 0) return fail(c, AXIS_ERRORS.UNKNOWN_AGENCY, `unknown recipient ${unknown.join(', ')}`);
  if (!f['hash-file']) return fail(c, AXIS_ERRORS.BAD_REQUEST, 'hash-file missing');

  const temp = ctx.store.tempPath();
  let received: { digest: Buffer; size: number } | null;
  try {
    received = await receiveFile(c.req, temp, ctx.maxPackageBytes);
  } catch (e) {
    await rm(temp, { force: true });
    if ((e as Error).message === AXIS_ERRORS.TOO_LARGE) return fail(c, AXIS_ERRORS.TOO_LARGE, `package larger than ${ctx.maxPackageBytes} bytes`);
    return fail(c, AXIS_ERRORS.BAD_REQUEST, 'body is not multipart/form-data with file_doc');
  }
  if (!received) return fail(c, AXIS_ERRORS.BAD_REQUEST, `no ${FILE_PART} part`);
  if (!hashFileMatches(f['hash-file'], received.digest)) {
    await rm(temp, { force: true });
    return fail(c, AXIS_ERRORS.HASH_MISMATCH, 'hash-file does not match the package');
  }
  const { docId, duplicate } = await ctx.store.addPackage(temp, {
    from: c.me,
    to: [...new Set(to as string[])],
    messageType,
    serviceType: f['servicetype'] ?? '',
    sha256: received.digest.toString('hex'),
    size: received.size,
  });
  ctx.logger?.info({ op: 'sendEdoc', from: c.me, docId, duplicate, size: received.size }, duplicate ? 'duplicate package' : 'package accepted');
  if (ctx.faults.get().dropAfterAccept) {
    // Stored durably, but the sender never hears so: it must resend and be deduplicated.
    c.req.socket.destroy();
    return;
  }
  ok(c, { DocId: docId });
}

/** Streams the `file_doc` part to `path`, hashing on the way; null when there is no such part. */
function receiveFile(req: IncomingMessage, path: string, maxBytes: number): Promise<{ digest: Buffer; size: number } | null> {
  return new Promise((resolve, reject) => {
    let result: Promise<{ digest: Buffer; size: number }> | null = null;
    const bb = Busboy({ headers: req.headers as BusboyHeaders, limits: { files: 1, fileSize: maxBytes } });
    bb.on('file', (name, stream) => {
      if (name !== FILE_PART || result) return void stream.resume();
      const hash = createHash('sha256');
      let size = 0;
      const tap = new Transform({
        transform(chunk: Buffer, _e, cb) {
          hash.update(chunk);
          size += chunk.length;
          cb(null, chunk);
        },
      });
      result = pipeline(stream, tap, createWriteStream(path)).then(() => {
        if (stream.truncated) throw new Error(AXIS_ERRORS.TOO_LARGE);
        return { digest: hash.digest(), size };
      });
      result.catch(() => undefined);
    });
    bb.on('finish', () => (result ? result.then(resolve, reject) : resolve(null)));
    bb.on('error', reject);
    req.on('error', reject);
    req.pipe(bb);
  });
}

async function getEdoc(ctx: SimContext, c: Call): Promise<void> {
  const doc = ctx.store.get(c.fields['docId'] ?? '');
  if (!doc || !(c.me in doc.recipients || doc.from === c.me)) return fail(c, AXIS_ERRORS.NOT_FOUND, 'no such document for this system');
  const file = createReadStream(ctx.store.packagePath(doc.docId), { highWaterMark: 48 * 1024 });
  try {
    await once(file, 'open');
  } catch {
    return fail(c, AXIS_ERRORS.INTERNAL, 'package file unreadable');
  }
  c.res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
  // Streamed: `data` is the base64 of the package, written as the file is read.
  c.res.write('{"status":"OK","ErrorCode":"0","ErrorDesc":"","data":"');
  const enc = new Base64Encoder();
  for await (const chunk of file) {
    if (!c.res.write(enc.push(chunk as Buffer))) await drainOrClose(c.res);
    if (c.res.destroyed) return void file.destroy(); // the client went away; it will ask again
  }
  c.res.end(`${enc.end()}"}`);
  if (c.me in doc.recipients) await ctx.store.markFetched(doc.docId, c.me);
}

async function drainOrClose(res: ServerResponse): Promise<void> {
  const ac = new AbortController();
  try {
    await Promise.race([once(res, 'drain', { signal: ac.signal }), once(res, 'close', { signal: ac.signal })]);
  } finally {
    ac.abort();
  }
}

async function updateStatus(ctx: SimContext, c: Call): Promise<void> {
  const status = c.fields['status'] as (typeof DELIVERY_STATUSES)[number] | undefined;
  if (!status || !DELIVERY_STATUSES.includes(status)) return fail(c, AXIS_ERRORS.BAD_REQUEST, 'status must be processing, done or fail');
  const found = await ctx.store.setStatus(c.fields['docId'] ?? '', c.me, status);
  if (!found) return fail(c, AXIS_ERRORS.NOT_FOUND, 'no such document for this system');
  ok(c);
}
