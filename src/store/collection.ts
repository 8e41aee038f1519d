import type { AuditInput } from './audit.js';
import type { Store } from './store.js';
import type { StoredRecord, TxCollection } from './transaction.js';

/** Options of a single-record write: an audit entry committed together with the change. */
export interface WriteOptions {
  audit?: AuditInput;
}

export interface ListOptions {
  /** Also stream the archive (finished records). Reads history from disk: for reports. */
  includeArchived?: boolean;
}

/**
 * One collection of records with string ids. Reads of active records are synchronous and served
 * from memory; `get` falls back to the archive. Each write is a one-change transaction; use
 * `store.transaction` to commit changes to several records (and audit entries) together.
 */
export class Collection<T extends StoredRecord> {
  constructor(
    private readonly store: Store,
    readonly name: string,
  ) {}

  /** The active record, or undefined (no disk access). */
  getActive(id: string): T | undefined {
    return this.store.activeGet(this.name, id) as T | undefined;
  }

  /** The active record, else the archived one, else undefined. */
  async get(id: string): Promise<T | undefined> {
    return this.getActive(id) ?? ((await this.store.archivedGet(this.name, id)) as T | undefined);
  }

  /** Active records matching `filter` (clones; order unspecified). */
  listActive(filter?: (r: T) => boolean): T[] {
    const out: T[] = [];
    for (const v of this.store.activeValues(this.name)) {
      const r = v as T;
      if (!filter || filter(r)) out.push(structuredClone(r));
    }
    return out;
  }

  /** Like listActive, plus archived records when asked (each id once; active wins). */
  async list(filter?: (r: T) => boolean, opts: ListOptions = {}): Promise<T[]> {
    const out = this.listActive(filter);
    if (!opts.includeArchived) return out;
    const seen = new Set(out.map((r) => r.id));
    for (const v of this.store.activeValues(this.name)) seen.add((v as T).id);
    const archived = new Map<string, T>();
    for await (const v of this.store.archivedScan(this.name)) {
      const r = v as T;
      if (!seen.has(r.id)) archived.set(r.id, r); // a later copy of the same id replaces an earlier one
    }
    for (const r of archived.values()) if (!filter || filter(r)) out.push(r);
    return out;
  }

  /** Streams archived records (no de-duplication, constant memory). */
  async *scanArchived(): AsyncGenerator<T> {
    for await (const v of this.store.archivedScan(this.name)) yield v as T;
  }

  countActive(): number {
    return this.store.activeCount(this.name);
  }

  insert(record: T, opts: WriteOptions = {}): Promise<T> {
    return this.write((c) => c.insert(record), opts);
  }

  put(record: T, opts: WriteOptions = {}): Promise<T> {
    return this.write((c) => c.put(record), opts);
  }

  update(id: string, fn: (draft: T) => T | void, opts: WriteOptions = {}): Promise<T> {
    return this.write((c) => c.update(id, fn), opts);
  }

  delete(id: string, opts: WriteOptions = {}): Promise<boolean> {
    return this.write((c) => c.delete(id), opts);
  }

  /** Moves a finished record to the archive partitions (see archive.ts). */
  archive(id: string, opts: WriteOptions = {}): Promise<T> {
    return this.write((c) => c.archive(id), opts);
  }

  private write<R>(fn: (c: TxCollection<T>) => R, opts: WriteOptions): Promise<R> {
    return this.store.transaction((tx) => {
      const result = fn(tx.collection<T>(this.name));
      if (opts.audit) tx.audit(opts.audit);
      return result;
    });
  }
}
