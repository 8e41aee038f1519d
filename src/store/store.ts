import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../log/logger.js';
import type { EventBus } from '../events.js';
import { AppError, isAppError } from '../errors.js';
import { Archive, type ArchiveItem } from './archive.js';
import { AuditLog, type AuditEntry, type AuditHead, type AuditInput } from './audit.js';
import { BlobStore } from './blobs.js';
import { Collection } from './collection.js';
import { DurableFile } from './durable-file.js';
import { FreeSpace } from './free-space.js';
import { fsyncDir } from './fs-ops.js';
import { Journal, type JournalOp, type JournalRecord } from './journal.js';
import { ARCHIVE_DIR, BLOBS_DIR, CHECKPOINT_FILE, DB_DIR, STORE_FORMAT, isCollectionName, type Checkpoint } from './layout.js';
import { StateLock } from './lock.js';
import { SerialQueue } from './serial-queue.js';
import { ShardSet } from './shards.js';
import { TxBuilder, type StoredRecord, type Tx } from './transaction.js';

export interface StoreOptions {
  stateDir: string;
  logger?: Logger;
  /** Receives `store.state` when the disk fills up and when writing works again. */
  events?: EventBus;
  /** Free bytes kept in reserve (free-space.ts). Default 64 MiB. */
  reserveBytes?: number;
  /**
   * Check free space before each commit (default true). Off only to exercise the ENOSPC backstop
   * in tests, or where statfs cannot be trusted; ENOSPC still maps to STORAGE_FULL.
   */
  spaceGuard?: boolean;
  /** Journal size that triggers a checkpoint. Default 4 MiB. */
  checkpointBytes?: number;
  /** Shard files per collection, for a new state directory only. Default 8. */
  shards?: number;
  now?: () => Date;
}

interface AuditWaiter {
  input: AuditInput;
  resolve(entry: AuditEntry): void;
  reject(e: unknown): void;
}

/** Entries in one group commit at most (keeps a journal line small; the rest go in the next). */
const MAX_AUDIT_BATCH = 256;

/** Collections the application uses (any valid name works; these are the known ones). */
export const COLLECTIONS = ['outgoing', 'incoming', 'outbox', 'users', 'apikeys', 'idempotency', 'webhookQueue', 'organs', 'meta'] as const;

/**
 * The single writer over the state directory (invariant 2). Every change goes through
 * `transaction`, which runs on one queue; a transaction is acknowledged when its journal line is
 * fsync'd (invariant 1). Active records live in memory and in sharded lowdb files that are
 * checkpoints of the journal; finished records move to the archive (invariant 3), so neither the
 * commit nor the checkpoint cost grows with history.
 */
export class Store {
  private readonly queue = new SerialQueue(() => this.now().getTime());
  private readonly sets = new Map<string, ShardSet>();
  private readonly cpFile: DurableFile<Checkpoint>;
  private closed = false;
  /** Set when the files and memory may disagree; every later write is refused until reopened. */
  private broken: unknown = null;
  private full = false;
  /** Commits since the last checkpoint (their tx numbers follow checkpointState.tx). */
  private txSinceCheckpoint = 0;
  /** Audit calls waiting to be committed together (see `audit`). */
  private auditBatch: AuditWaiter[] | null = null;

  private constructor(
    readonly stateDir: string,
    private readonly lock: StateLock,
    private checkpointState: Checkpoint,
    private readonly journal: Journal,
    private readonly auditLog: AuditLog,
    private readonly archiveStore: Archive,
    readonly blobs: BlobStore,
    readonly space: FreeSpace,
    private readonly opts: StoreOptions,
  ) {
    this.cpFile = new DurableFile<Checkpoint>(path.join(stateDir, DB_DIR, CHECKPOINT_FILE));
  }

  /** Takes the state lock, recovers from any crash (journal replay) and opens the store. */
  static async open(opts: StoreOptions): Promise<Store> {
    const stateDir = path.resolve(opts.stateDir);
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    const lock = await StateLock.acquire(stateDir);
    const opened: { close(): Promise<void> }[] = [];
    try {
      const db = path.join(stateDir, DB_DIR);
      await mkdir(db, { recursive: true, mode: 0o700 });
      await mkdir(path.join(stateDir, ARCHIVE_DIR), { recursive: true, mode: 0o700 });
      await fsyncDir(stateDir);
      const cpFile = new DurableFile<Checkpoint>(path.join(db, CHECKPOINT_FILE));
      let cp = await cpFile.read();
      if (!cp) {
        // Written at creation so the shard count is fixed before any shard file can exist.
        cp = newCheckpoint(opts);
        await cpFile.write(cp);
      }
      if (cp.format !== STORE_FORMAT) throw new AppError('INTERNAL', `unsupported state format ${cp.format}`, { stateDir });
      const space = new FreeSpace(stateDir, opts.reserveBytes !== undefined ? { reserveBytes: opts.reserveBytes } : {});
      const auditLog = await AuditLog.open(stateDir, opts.logger ? { logger: opts.logger } : {});
      opened.push(auditLog);
      const { journal, records, droppedBytes } = await Journal.open(db);
      opened.push(journal);
      if (droppedBytes > 0) opts.logger?.warn({ droppedBytes }, 'store journal ended in an incomplete commit (never acknowledged); removed it');
      const blobs = await BlobStore.open(path.join(stateDir, BLOBS_DIR), { space });
      const store = new Store(stateDir, lock, cp, journal, auditLog, new Archive(path.join(stateDir, ARCHIVE_DIR)), blobs, space, opts);
      await store.loadCollections();
      await store.replay(records);
      return store;
    } catch (e) {
      for (const o of opened) await o.close().catch(() => undefined);
      await lock.release();
      throw e;
    }
  }

  /**
   * Every write but `audit` enters the queue here. It closes the open audit group, so an audit
   * call made after this write was submitted is committed after it: submission order holds.
   */
  private run<R>(task: () => R | Promise<R>): Promise<R> {
    this.auditBatch = null;
    return this.queue.run(task);
  }

  /** The one writer's progress: how long its current write has run, when one last succeeded. */
  writerProgress(): { runningForMs: number; lastOkAt: number | null } {
    return this.queue.progress();
  }

  /** Typed access to one collection (created on its first write). */
  collection<T extends StoredRecord>(name: string): Collection<T> {
    if (!isCollectionName(name)) throw new AppError('BAD_REQUEST', `invalid collection name: ${name}`);
    return new Collection<T>(this, name);
  }

  /**
   * Runs `fn` against the current state and commits everything it staged — record changes in any
   * collections and audit entries — as ONE durable write. `fn` must be synchronous: it runs while
   * every other writer waits. If it throws, nothing is written.
   */
  transaction<R>(fn: (tx: Tx) => R): Promise<R> {
    return this.run(async () => {
      this.assertWritable();
      const b = new TxBuilder({ get: (c, id) => this.sets.get(c)?.get(id) }, () => this.now().toISOString());
      const result = fn(b);
      if (result instanceof Promise) throw new AppError('INTERNAL', 'store.transaction() takes a synchronous function');
      await this.commit(b);
      return result;
    });
  }

  /**
   * Appends one audit entry on its own (durable before it resolves). Group commit: calls made while
   * an earlier write is on its way to the disk wait together and are committed as one journal
   * line with ONE fdatasync, in call order, each caller getting its own entry. A lone call costs
   * what it did before; N concurrent signatures cost one sync instead of N in a row.
   */
  audit(input: AuditInput): Promise<AuditEntry> {
    return new Promise<AuditEntry>((resolve, reject) => {
      const waiter = { input, resolve, reject };
      if (this.auditBatch && this.auditBatch.length < MAX_AUDIT_BATCH) {
        this.auditBatch.push(waiter);
        return;
      }
      const batch = [waiter];
      this.auditBatch = batch;
      this.queue
        .run(async () => {
          // From here on the batch is closed: later calls start the next one behind this write.
          if (this.auditBatch === batch) this.auditBatch = null;
          this.assertWritable();
          const b = new TxBuilder({ get: () => undefined }, () => this.now().toISOString());
          const joined: AuditWaiter[] = [];
          for (const w of batch) {
            try {
              b.audit(w.input);
              joined.push(w);
            } catch (e) {
              w.reject(e); // a malformed entry fails its caller only, not the others in the batch
            }
          }
          const entries = await this.commit(b);
          joined.forEach((w, i) => w.resolve(entries[i]!));
        })
        .catch((e: unknown) => {
          for (const w of batch) w.reject(e); // the ones already settled ignore it
        });
    });
  }

  get auditHead(): AuditHead {
    return this.auditLog.head;
  }

  /** Active record (a clone), or undefined. Synchronous: no disk access. */
  activeGet(c: string, id: string): unknown | undefined {
    const v = this.sets.get(c)?.get(id);
    return v === undefined ? undefined : structuredClone(v);
  }

  /**
   * Active records of a collection, without copying: these are the live stored objects, so they
   * are read-only — never mutate one (change records through a transaction; clone what you keep
   * or hand out). Iterate synchronously; a write between two steps may change what follows.
   */
  *activeValues(c: string): Generator<unknown> {
    const set = this.sets.get(c);
    if (set) yield* set.values();
  }

  activeCount(c: string): number {
    return this.sets.get(c)?.count() ?? 0;
  }

  archivedGet(c: string, id: string): Promise<unknown | undefined> {
    return this.archiveStore.get(c, id);
  }

  archivedScan(c: string): AsyncGenerator<unknown> {
    return this.archiveStore.scan(c);
  }

  /**
   * Appends many finished records straight to the archive (history import, benchmarks), with one
   * fsync per partition instead of one commit per record. Not journaled: the records were never
   * active, and a crash mid-import leaves only whole records or a torn line the readers skip.
   */
  importArchived<T extends StoredRecord>(c: string, records: Iterable<T>, at?: string): Promise<number> {
    if (!isCollectionName(c)) throw new AppError('BAD_REQUEST', `invalid collection name: ${c}`);
    return this.run(async () => {
      this.assertWritable();
      const when = at ?? this.now().toISOString();
      let batch: ArchiveItem[] = [];
      let n = 0;
      for (const r of records) {
        batch.push({ id: r.id, v: r, at: when });
        if (batch.length >= 10_000) {
          await this.archiveStore.append(c, batch, { sync: false });
          n += batch.length;
          batch = [];
        }
      }
      await this.archiveStore.append(c, batch, { sync: false });
      await this.archiveStore.flush(); // one fsync per file touched, for the whole import
      return n + batch.length;
    });
  }

  /** Writes changed shards, syncs the audit log and empties the journal. */
  checkpoint(): Promise<void> {
    return this.run(() => {
      this.assertWritable();
      return this.checkpointNow();
    });
  }

  /**
   * Runs `fn` with every write paused (after a checkpoint, so the files alone hold the state):
   * the backup's consistent snapshot. Keep `fn` short: writers wait for it.
   */
  exclusive<R>(fn: (files: { shardFiles: () => { path: string; text: string }[] }) => Promise<R>): Promise<R> {
    return this.run(async () => {
      this.assertWritable();
      await this.checkpointNow();
      return fn({ shardFiles: () => this.shardSnapshot() });
    });
  }

  /** Checkpoints, closes the files and releases the lock. Later calls fail. */
  close(): Promise<void> {
    return this.run(async () => {
      if (this.closed) return;
      try {
        if (!this.broken) await this.checkpointNow();
      } finally {
        this.closed = true;
        await this.journal.close();
        await this.auditLog.close();
        await this.lock.release();
      }
    });
  }

  /** Commits the staged changes; returns the audit entries written (durable once it resolves). */
  private async commit(b: TxBuilder): Promise<AuditEntry[]> {
    if (b.empty) return [];
    const ops: JournalOp[] = [];
    const archived = new Map<string, ArchiveItem[]>();
    for (const ch of b.changes.values()) {
      if (ch.archivedAt !== undefined) {
        ops.push({ op: 'archive', c: ch.c, id: ch.id, v: ch.v, at: ch.archivedAt });
        const list = archived.get(ch.c) ?? archived.set(ch.c, []).get(ch.c)!;
        list.push({ id: ch.id, v: ch.v, at: ch.archivedAt });
      } else if (ch.v === null) {
        if (this.sets.get(ch.c)?.has(ch.id)) ops.push({ op: 'del', c: ch.c, id: ch.id });
      } else {
        ops.push({ op: 'put', c: ch.c, id: ch.id, v: ch.v });
      }
    }
    const audit = this.auditLog.prepare(b.auditInputs);
    if (ops.length === 0 && audit.length === 0) return [];
    const rec: JournalRecord = { tx: this.checkpointState.tx + this.txSinceCheckpoint + 1, ops, audit };
    const line = Journal.encode(rec);
    try {
      if (this.opts.spaceGuard !== false) await this.space.assertSpaceFor(line.length * 2);
      // Archive copies first: until the journal line lands the record is still active, so a
      // failure here or a crash leaves at most a duplicate archived copy (readers prefer active).
      // Not fsync'd: the journal line below holds the same records (replay re-archives them), and
      // the archive is flushed before the journal is ever emptied.
      for (const [c, items] of archived) await this.archiveStore.append(c, items, { sync: false });
      await this.journal.append(line);
    } catch (e) {
      if (this.journal.damaged) this.broken = e;
      this.noteFailure(e);
      throw e;
    }
    // Committed. Memory follows synchronously, so readers never see half a transaction.
    this.txSinceCheckpoint++;
    this.apply(ops);
    try {
      // Not fsync'd here: the journal line already holds these entries durably, and the log is
      // synced before the journal is ever emptied (checkpointNow).
      await this.auditLog.write(audit, { sync: false });
    } catch (e) {
      // The transaction is durable (the journal has its audit entries; a re-open appends them),
      // so it is still acknowledged. But the log and memory now disagree: refuse further writes.
      this.broken = e;
      this.opts.logger?.error({ err: e }, 'audit append failed after commit; store needs reopening');
      this.opts.events?.publish('store.state', { state: 'error', freeBytes: 0 });
      return audit;
    }
    if (this.full) await this.noteSuccess();
    if (this.journal.bytes >= (this.opts.checkpointBytes ?? 4 * 1024 * 1024)) {
      // The commit is already durable; a failed checkpoint is retried at the next threshold.
      await this.checkpointNow().catch((e: unknown) => this.opts.logger?.warn({ err: e }, 'store checkpoint failed'));
    }
    return audit;
  }

  private apply(ops: readonly JournalOp[]): void {
    for (const op of ops) {
      const set = this.setFor(op.c);
      if (op.op === 'put') set.set(op.id, op.v);
      else set.delete(op.id);
    }
  }

  private async checkpointNow(): Promise<void> {
    if (this.txSinceCheckpoint === 0 && this.journal.bytes === 0) return;
    for (const set of this.sets.values()) await set.flush();
    await this.archiveStore.flush();
    await this.auditLog.sync();
    const cp: Checkpoint = {
      ...this.checkpointState,
      tx: this.checkpointState.tx + this.txSinceCheckpoint,
      audit: this.auditLog.head,
      at: this.now().toISOString(),
    };
    await this.cpFile.write(cp);
    this.checkpointState = cp;
    this.txSinceCheckpoint = 0;
    await this.journal.reset();
  }

  /** Re-applies commits the last run acknowledged but did not checkpoint. Idempotent. */
  private async replay(records: readonly JournalRecord[]): Promise<void> {
    const cp = this.checkpointState;
    let last = cp.tx;
    for (const rec of records) {
      if (rec.tx > cp.tx) {
        for (const op of rec.ops) {
          if (op.op === 'archive' && (await this.archiveStore.get(op.c, op.id)) === undefined) {
            await this.archiveStore.append(op.c, [{ id: op.id, v: op.v, at: op.at }], { sync: false });
          }
        }
        this.apply(rec.ops);
        last = Math.max(last, rec.tx);
      }
      const head = this.auditLog.head;
      const missing = rec.audit.filter((e) => e.seq > head.seq);
      if (missing.length > 0) await this.auditLog.write(missing, { sync: false });
    }
    this.txSinceCheckpoint = last - cp.tx;
    if (records.length > 0) {
      this.opts.logger?.info({ commits: records.length }, 'store journal replayed');
      await this.checkpointNow();
    }
    if (this.auditLog.head.seq < cp.audit.seq) {
      throw new AppError('INTERNAL', 'the audit log ends before the last checkpoint: it was truncated; run `edoc-gateway audit verify`', {
        logSeq: this.auditLog.head.seq,
        checkpointSeq: cp.audit.seq,
      });
    }
  }

  private async loadCollections(): Promise<void> {
    const db = path.join(this.stateDir, DB_DIR);
    for (const entry of await readdir(db, { withFileTypes: true })) {
      if (!entry.isDirectory() || !isCollectionName(entry.name)) continue;
      this.sets.set(entry.name, await ShardSet.load(path.join(db, entry.name), entry.name, this.checkpointState.shards));
    }
  }

  private setFor(c: string): ShardSet {
    let set = this.sets.get(c);
    if (!set) {
      set = new ShardSet(c, path.join(this.stateDir, DB_DIR, c), this.checkpointState.shards);
      this.sets.set(c, set);
    }
    return set;
  }

  private shardSnapshot(): { path: string; text: string }[] {
    const out: { path: string; text: string }[] = [];
    for (const set of this.sets.values()) {
      for (const f of set.snapshot()) out.push({ path: `${DB_DIR}/${set.name}/${f.file}`, text: f.text });
    }
    out.push({ path: `${DB_DIR}/${CHECKPOINT_FILE}`, text: JSON.stringify(this.checkpointState) + '\n' });
    return out;
  }

  private assertWritable(): void {
    if (this.closed) throw new AppError('INTERNAL', 'store is closed');
    if (this.broken) throw new AppError('INTERNAL', 'store must be reopened after a failed write', undefined, { cause: this.broken });
  }

  private noteFailure(e: unknown): void {
    if (isAppError(e) && e.code === 'STORAGE_FULL' && !this.full) {
      this.full = true;
      const freeBytes = (e.details as { freeBytes?: number } | undefined)?.freeBytes ?? 0;
      this.opts.events?.publish('store.state', { state: 'full', freeBytes });
    }
  }

  private async noteSuccess(): Promise<void> {
    this.full = false;
    this.opts.events?.publish('store.state', { state: 'ok', freeBytes: await this.space.freeBytes().catch(() => 0) });
  }

  private now(): Date {
    return this.opts.now?.() ?? new Date();
  }
}

function newCheckpoint(opts: StoreOptions): Checkpoint {
  const shards = opts.shards ?? 8;
  if (!Number.isInteger(shards) || shards < 1 || shards > 256) throw new AppError('BAD_REQUEST', 'shards must be 1–256');
  return { format: STORE_FORMAT, shards, tx: 0, audit: { seq: 0, hash: '0'.repeat(64) }, at: new Date(0).toISOString() };
}
