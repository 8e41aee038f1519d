import { createHash } from 'node:crypto';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../log/logger.js';
import { AppError } from '../errors.js';
import { canonicalJson } from './canonical-json.js';
import { fsyncDir, mapStorageError, writeAllAt } from './fs-ops.js';

/** What a caller records; seq, prev and hash are added by the log. */
export interface AuditInput {
  event: string;
  actor?: string;
  subject?: string;
  data?: unknown;
  /** ISO time; defaults to now. */
  at?: string;
}

/** One line of `audit/audit.jsonl`. `hash` = sha256(canonical JSON of every other member). */
export interface AuditEntry {
  seq: number;
  at: string;
  event: string;
  actor?: string;
  subject?: string;
  data?: unknown;
  prev: string;
  hash: string;
}

export interface AuditHead {
  seq: number;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);
export const AUDIT_DIR = 'audit';
export const AUDIT_FILE = 'audit.jsonl';

export function auditPath(stateDir: string): string {
  return path.join(stateDir, AUDIT_DIR, AUDIT_FILE);
}

export function hashAuditEntry(entry: Omit<AuditEntry, 'hash'> & { hash?: string }): string {
  const { hash: _ignored, ...rest } = entry;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

/** Chains `inputs` after `head` without touching any file (pure, so a transaction can stage it). */
export function chainAudit(head: AuditHead, inputs: readonly AuditInput[], now: () => string): AuditEntry[] {
  const out: AuditEntry[] = [];
  let prev = head;
  for (const input of inputs) {
    const body: Omit<AuditEntry, 'hash'> = {
      seq: prev.seq + 1,
      at: input.at ?? now(),
      event: input.event,
      ...(input.actor !== undefined ? { actor: input.actor } : {}),
      ...(input.subject !== undefined ? { subject: input.subject } : {}),
      ...(input.data !== undefined ? { data: input.data } : {}),
      prev: prev.hash,
    };
    const entry: AuditEntry = { ...body, hash: hashAuditEntry(body) };
    out.push(entry);
    prev = { seq: entry.seq, hash: entry.hash };
  }
  return out;
}

/**
 * The append-only, hash-chained audit log. Appends never re-read the file: the log remembers the
 * last seq/hash and the file size, so an append costs the same with ten entries or ten million.
 *
 * Crash recovery on open: an unterminated last line is an append that was interrupted before its
 * fsync returned, so it was never acknowledged to anyone (append() and the store's transactions
 * acknowledge only after the bytes are synced, and a transaction's entries are also in the store's
 * journal, which re-appends them). Dropping it loses nothing a caller was promised and keeps the
 * chain verifiable; it is logged so an operator can see it happened.
 */
export class AuditLog {
  private constructor(
    readonly file: string,
    private fh: FileHandle,
    private size: number,
    private headValue: AuditHead,
    private readonly now: () => string,
  ) {}

  static async open(stateDir: string, opts: { logger?: Logger; now?: () => string } = {}): Promise<AuditLog> {
    const dir = path.join(stateDir, AUDIT_DIR);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const file = path.join(dir, AUDIT_FILE);
    // 'a+' creates the file if needed; writes go through positioned writes on an 'r+' handle.
    await (await open(file, 'a+', 0o600)).close();
    await fsyncDir(dir);
    const fh = await open(file, 'r+');
    try {
      const { size, lastLine, dropped } = await readTail(fh);
      if (dropped > 0) {
        await fh.truncate(size);
        await fh.sync();
        opts.logger?.warn({ file, droppedBytes: dropped }, 'audit log ended in an unterminated line (interrupted append, never acknowledged); removed it');
      }
      const head = lastLine === null ? { seq: 0, hash: GENESIS_HASH } : parseHead(lastLine, file);
      return new AuditLog(file, fh, size, head, opts.now ?? (() => new Date().toISOString()));
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  get head(): AuditHead {
    return { ...this.headValue };
  }

  /** Chains entries after the current head without writing them (see Store transactions). */
  prepare(inputs: readonly AuditInput[]): AuditEntry[] {
    return chainAudit(this.headValue, inputs, this.now);
  }

  /** Appends one entry and fsyncs before resolving. Callers must be serialised (the store is). */
  async append(input: AuditInput): Promise<AuditEntry> {
    const entries = this.prepare([input]);
    await this.write(entries, { sync: true });
    return entries[0]!;
  }

  /**
   * Appends prepared entries, which must continue the current head. `sync: false` is for the
   * store, whose journal already made them durable; it syncs the log before trimming the journal.
   */
  async write(entries: readonly AuditEntry[], opts: { sync: boolean }): Promise<void> {
    if (entries.length === 0) return;
    const first = entries[0]!;
    if (first.seq !== this.headValue.seq + 1 || first.prev !== this.headValue.hash) {
      throw new AppError('INTERNAL', 'audit entries do not continue the chain', { head: this.headValue, seq: first.seq });
    }
    const buf = Buffer.from(entries.map((e) => JSON.stringify(e) + '\n').join(''), 'utf8');
    try {
      await writeAllAt(this.fh, buf, this.size);
      if (opts.sync) await this.fh.datasync();
    } catch (e) {
      // Put the file back as it was: a partial line must not stay in front of the next append.
      await this.fh.truncate(this.size).catch(() => undefined);
      throw mapStorageError(e, 'the audit log');
    }
    this.size += buf.length;
    const last = entries[entries.length - 1]!;
    this.headValue = { seq: last.seq, hash: last.hash };
  }

  /** fdatasync is enough for an append-only file: it flushes the data and the new size. */
  async sync(): Promise<void> {
    await this.fh.datasync();
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}

function parseHead(line: string, file: string): AuditHead {
  try {
    const e = JSON.parse(line) as Partial<AuditEntry>;
    if (typeof e.seq === 'number' && typeof e.hash === 'string') return { seq: e.seq, hash: e.hash };
  } catch {
    /* reported below */
  }
  throw new AppError('INTERNAL', 'the last audit entry is unreadable; run `edoc-gateway audit verify`', { file });
}

/**
 * Finds the last complete line by reading backwards in small chunks, never the whole file.
 * `size` is the length up to and including the last '\n'; `dropped` the bytes after it.
 */
async function readTail(fh: FileHandle): Promise<{ size: number; lastLine: string | null; dropped: number }> {
  const total = (await fh.stat()).size;
  if (total === 0) return { size: 0, lastLine: null, dropped: 0 };
  const chunk = 64 * 1024;
  let end = total;
  let tail = Buffer.alloc(0);
  let lastNl = -1; // absolute offset of the last '\n'
  let prevNl = -1; // absolute offset of the '\n' before it
  while (end > 0 && prevNl < 0) {
    const start = Math.max(0, end - chunk);
    const buf = Buffer.alloc(end - start);
    await fh.read(buf, 0, buf.length, start);
    tail = Buffer.concat([buf, tail]);
    for (let i = buf.length - 1; i >= 0; i--) {
      if (buf[i] !== 0x0a) continue;
      if (lastNl < 0) lastNl = start + i;
      else if (prevNl < 0 && start + i < lastNl) {
        prevNl = start + i;
        break;
      }
    }
    end = start;
  }
  if (lastNl < 0) return { size: 0, lastLine: null, dropped: total };
  const tailStart = total - tail.length;
  const lineStart = prevNl + 1;
  const lastLine = tail.subarray(lineStart - tailStart, lastNl - tailStart).toString('utf8');
  return { size: lastNl + 1, lastLine, dropped: total - lastNl - 1 };
}
