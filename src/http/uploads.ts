import { createHash, randomUUID, type Hash } from 'node:crypto';
import { mkdir, open, readdir, rm, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import { AppError, isAppError } from '../errors.js';
import type { SignUpload, UploadedFile } from '../documents/types.js';
import { safeFilename } from './file-names.js';
import { isStorageFull, mapStorageError, writeAllAt } from '../store/fs-ops.js';
import { reserveMemory, returnMemory, type MemoryBudget } from './memory-budget.js';

/**
 * Multipart uploads streamed to temp files in the state directory's tmp (on the SD card or disk,
 * not /tmp in RAM), never buffered whole; a route may take files of up to `inMemory.perRequest`
 * bytes (in total per request) in memory instead, with no temp file at all, while a memory budget
 * shared by all requests lasts (memory-budget.ts) — past either the file spills to disk like any
 * other. The total of the request's files is bounded by
 * `maxUploadBytes` while streaming: the file that crosses it is cut off and everything received is
 * deleted, so an oversized upload cannot fill the disk. Every temp file is registered on the
 * request and removed when the response is done or the client goes away (see `installUploadCleanup`).
 */
export interface UploadLimits {
  maxUploadBytes: number;
  maxAttachments: number;
}

export interface ReceivedForm<F extends SignUpload = UploadedFile> {
  fields: Record<string, string>;
  files: Record<string, F[]>;
}

interface FormOptions {
  dir: string;
  limits: UploadLimits;
  fileFields: Record<string, number>;
}

/** A route's permission to hold uploads in memory. */
export interface InMemoryOption {
  /** Bytes of one request's files that may stay in memory. */
  perRequest: number;
  /** The budget all requests share. */
  shared: MemoryBudget;
  /** Bytes reserved per byte kept: 2 when the route also builds its answer in memory. */
  perByte: number;
}

/** What one request's sinks draw on. */
interface SinkBudget {
  /** Bytes the request may still receive in all (maxUploadBytes). */
  left: number;
  /** Bytes of the per-request in-memory allowance still unused. */
  keep: number;
  /** Reserves memory for `n` kept bytes from the shared budget; false when it is spent. */
  reserve(n: number): boolean;
  /** Gives back the reservation of `n` kept bytes (they are going to disk after all). */
  unreserve(n: number): void;
}

/** Room for the multipart framing and the text fields around the files. */
const FORM_OVERHEAD = 1024 * 1024;
const MAX_FIELD_BYTES = 256 * 1024;

declare module 'fastify' {
  interface FastifyRequest {
    /** Temp files to delete when this request is over. */
    tempFiles: string[] | null;
  }
}

export function trackTemp(req: FastifyRequest, file: string): void {
  (req.tempFiles ??= []).push(file);
}

/** Deletes the request's temp files now (handlers call it as soon as the files are consumed). */
export async function removeTemps(req: FastifyRequest): Promise<void> {
  const files = req.tempFiles;
  req.tempFiles = null;
  // unlink, not rm: rm stats first (it handles directories), one more disk call per file.
  if (files) await Promise.all(files.map((f) => unlink(f).catch(ignoreMissing)));
}

function ignoreMissing(e: unknown): void {
  if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
}

export function installUploadCleanup(app: import('fastify').FastifyInstance): void {
  app.decorateRequest('tempFiles', null);
  // onResponse runs after the last byte was handed to the socket (a streamed file included);
  // onRequestAbort when the client disappears mid-upload.
  app.addHook('onResponse', async (req) => removeTemps(req));
  app.addHook('onRequestAbort', async (req) => removeTemps(req));
}

/** Leftovers of a crash: nothing in the upload dir outlives the process that wrote it. */
export async function prepareUploadDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  for (const name of await readdir(dir)) await rm(path.join(dir, name), { force: true, recursive: true });
}

/** Writes are gathered up to this size: a 200 KB upload is one write instead of a dozen. */
const WRITE_BATCH_BYTES = 256 * 1024;

/**
 * The end of an upload's pipeline: enforces the request's byte budget, hashes what passes through
 * (so the use cases need not read the file again for the audit or idempotency), and writes the
 * temp file in batches of up to 256 KiB with one writev each, so memory stays bounded while the
 * file streams in. While the request's in-memory allowance lasts it only keeps the chunks: the
 * temp file is created when the allowance runs out (everything kept is written first), or never.
 */
class UploadSink extends Writable {
  readonly hash: Hash = createHash('sha256');
  private fh: FileHandle | null = null;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private written = 0;
  /** The chunks held in memory; null once the upload is (or was always meant to be) on disk. */
  private kept: Buffer[] | null;
  private keptBytes = 0;

  constructor(
    private readonly file: string,
    private readonly budget: SinkBudget,
    private readonly max: number,
  ) {
    super({ highWaterMark: WRITE_BATCH_BYTES });
    this.kept = budget.keep > 0 ? [] : null;
  }

  /** The whole upload, when it stayed in memory (then no file exists at the path). */
  get bytes(): Buffer | undefined {
    return this.kept ? Buffer.concat(this.kept) : undefined;
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.budget.left -= chunk.length;
    if (this.budget.left < 0) {
      cb(new AppError('PAYLOAD_TOO_LARGE', `uploads are limited to ${this.max} bytes in total`, { maxUploadBytes: this.max }));
      return;
    }
    this.hash.update(chunk);
    if (this.kept) {
      if (chunk.length <= this.budget.keep && this.budget.reserve(chunk.length)) {
        this.budget.keep -= chunk.length;
        this.kept.push(chunk);
        this.keptBytes += chunk.length;
        return cb();
      }
      // Past the request's allowance or the shared budget: spill what was kept to the file and
      // continue from disk. The reservation goes back now: the kept chunks leave memory with the
      // next batch write, just below.
      this.pending = this.kept;
      this.pendingBytes = this.keptBytes;
      this.budget.unreserve(this.keptBytes);
      this.budget.keep = 0; // the request's later files go to disk too
      this.kept = null;
      this.keptBytes = 0;
    }
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes < WRITE_BATCH_BYTES) return cb();
    this.flush().then(() => cb(), cb);
  }

  override _final(cb: (e?: Error | null) => void): void {
    // Kept in memory to the end: no file. Otherwise the last batch (an empty upload still gets
    // its empty file, as the use cases expect a path).
    if (this.kept) return cb();
    this.flush().then(() => cb(), cb);
  }

  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    const fh = this.fh;
    this.fh = null;
    if (!fh) return cb(err);
    fh.close().then(() => cb(err), (e: Error) => cb(err ?? e));
  }

  /** Writes what is pending; the temp file is created on the first call. */
  private async flush(): Promise<void> {
    this.fh ??= await open(this.file, 'wx', 0o600);
    if (this.pendingBytes === 0) return;
    const bufs = this.pending;
    const total = this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    const { bytesWritten } = await this.fh.writev(bufs, this.written);
    // A short write (rare on a regular file: the disk filling up) is finished piece by piece.
    if (bytesWritten < total) await writeAllAt(this.fh, Buffer.concat(bufs).subarray(bytesWritten), this.written + bytesWritten);
    this.written += total;
  }
}

/**
 * Reads a multipart form: text fields into `fields`, the files of `fileFields` (at most `max`
 * each) to temp files. Unknown file fields are refused (400) rather than stored.
 */
export async function receiveForm(req: FastifyRequest, opts: FormOptions & { inMemory: InMemoryOption }): Promise<ReceivedForm<SignUpload>>;
export async function receiveForm(req: FastifyRequest, opts: FormOptions): Promise<ReceivedForm>;
export async function receiveForm(req: FastifyRequest, opts: FormOptions & { inMemory?: InMemoryOption }): Promise<ReceivedForm<SignUpload>> {
  if (!req.isMultipart()) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send multipart/form-data');
  const max = opts.limits.maxUploadBytes;
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max + FORM_OVERHEAD) {
    throw new AppError('PAYLOAD_TOO_LARGE', `uploads are limited to ${max} bytes in total`, { maxUploadBytes: max });
  }
  const mem = opts.inMemory;
  const budget: SinkBudget = {
    left: max,
    keep: mem?.perRequest ?? 0,
    reserve: (n) => (mem ? reserveMemory(req, mem.shared, n * mem.perByte) : false),
    unreserve: (n) => {
      if (mem) returnMemory(req, n * mem.perByte);
    },
  };
  const fields: Record<string, string> = {};
  const files: Record<string, SignUpload[]> = {};
  const maxFiles = Object.values(opts.fileFields).reduce((a, b) => a + b, 0);
  try {
    const parts = req.parts({ limits: { fileSize: max, files: maxFiles + 1, fields: 20, fieldSize: MAX_FIELD_BYTES, parts: maxFiles + 25 } });
    for await (const part of parts) {
      if (part.type === 'field') {
        if (part.fieldnameTruncated || part.valueTruncated) throw new AppError('PAYLOAD_TOO_LARGE', `form field ${part.fieldname} is too large`);
        fields[part.fieldname] = String(part.value);
        continue;
      }
      const limit = opts.fileFields[part.fieldname];
      if (limit === undefined) throw new AppError('BAD_REQUEST', `unexpected file field ${part.fieldname}`);
      const list = (files[part.fieldname] ??= []);
      if (list.length >= limit) {
        throw part.fieldname === 'attachments'
          ? new AppError('VALIDATION_FAILED', 'too many attachments', [{ field: 'attachments', problem: `at most ${limit} attachments` }])
          : new AppError('BAD_REQUEST', `only ${limit} file(s) allowed in ${part.fieldname}`);
      }
      const tmp = path.join(opts.dir, `up-${randomUUID()}`);
      trackTemp(req, tmp);
      const before = budget.left;
      const sink = new UploadSink(tmp, budget, max);
      await pipeline(part.file, sink);
      if (part.file.truncated) throw new AppError('PAYLOAD_TOO_LARGE', `uploads are limited to ${max} bytes`, { maxUploadBytes: max });
      const meta = { filename: safeFilename(part.filename), contentType: part.mimetype || 'application/octet-stream', size: before - budget.left, sha256: sink.hash.digest('hex') };
      const bytes = sink.bytes;
      list.push(bytes ? { ...meta, bytes } : { ...meta, path: tmp });
    }
  } catch (e) {
    await removeTemps(req);
    if (isAppError(e)) throw e;
    // A full disk first: the failed temp-file write tears the request stream down too, which
    // would otherwise look like a client that went away (found by test/fault/disk-full.test.ts).
    if (isStorageFull(e)) throw mapStorageError(e, 'an upload');
    // The client went away mid-upload: nobody reads the answer, but it is not an internal error.
    if (req.raw.destroyed || req.raw.readableAborted) throw new AppError('BAD_REQUEST', 'the upload was interrupted');
    const code = (e as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE' || code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') {
      throw new AppError('PAYLOAD_TOO_LARGE', 'upload too large', { maxUploadBytes: max });
    }
    // busboy's parse errors ("Unexpected end of form", bad part headers) carry no code; system
    // errors (EACCES, EIO…) do and stay internal errors.
    if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) throw new AppError('BAD_REQUEST', 'malformed multipart body');
    throw e;
  }
  return { fields, files };
}
