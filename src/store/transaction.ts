import { AppError } from '../errors.js';
import type { AuditInput } from './audit.js';
import { isCollectionName, isRecordId } from './layout.js';

/** A record the store can hold: any JSON object with a string id. */
export interface StoredRecord {
  id: string;
}

/** Read access to the committed active records (the store provides it). */
export interface ActiveView {
  get(collection: string, id: string): unknown | undefined;
}

/** The staged effect on one record: its new value, null for deleted, or archived at `archivedAt`. */
export interface StagedChange {
  c: string;
  id: string;
  v: unknown | null;
  archivedAt?: string;
}

/** Changes to one collection inside a transaction. Reads see the transaction's own changes. */
export interface TxCollection<T extends StoredRecord> {
  get(id: string): T | undefined;
  /** Adds a new active record; CONFLICT if an active record has this id. */
  insert(record: T): T;
  /** Inserts or replaces. */
  put(record: T): T;
  /** Replaces the record with what `fn` returns (or the draft it mutated); NOT_FOUND if absent. */
  update(id: string, fn: (draft: T) => T | void): T;
  /** Removes an active record; false if there was none. */
  delete(id: string): boolean;
  /** Moves a finished record to the archive; it stays readable through `get` on the store. */
  archive(id: string): T;
}

/**
 * A transaction being built. Nothing touches the disk or the live state until the function given
 * to `store.transaction` returns; then every change and audit entry is committed as ONE journal
 * line (one durable write) and acknowledged together, or not at all.
 */
export interface Tx {
  collection<T extends StoredRecord>(name: string): TxCollection<T>;
  /** Adds an audit entry, chained and committed with the transaction's changes. */
  audit(input: AuditInput): void;
}

export class TxBuilder implements Tx {
  readonly changes = new Map<string, StagedChange>();
  readonly auditInputs: AuditInput[] = [];

  constructor(
    private readonly active: ActiveView,
    private readonly now: () => string,
  ) {}

  collection<T extends StoredRecord>(name: string): TxCollection<T> {
    if (!isCollectionName(name)) throw new AppError('BAD_REQUEST', `invalid collection name: ${name}`);
    const read = (id: string): T | undefined => {
      const staged = this.changes.get(key(name, id));
      const v = staged ? (staged.archivedAt ? null : staged.v) : this.active.get(name, id);
      return v === null || v === undefined ? undefined : (structuredClone(v) as T);
    };
    const stage = (id: string, v: unknown | null, archivedAt?: string): void => {
      this.changes.set(key(name, id), { c: name, id, v, ...(archivedAt ? { archivedAt } : {}) });
    };
    return {
      get: read,
      insert: (record) => {
        checkRecord(record);
        if (read(record.id) !== undefined) throw new AppError('CONFLICT', `${name} ${record.id} already exists`, { collection: name, id: record.id });
        stage(record.id, structuredClone(record));
        return structuredClone(record);
      },
      put: (record) => {
        checkRecord(record);
        stage(record.id, structuredClone(record));
        return structuredClone(record);
      },
      update: (id, fn) => {
        const draft = read(id);
        if (draft === undefined) throw new AppError('NOT_FOUND', `${name} ${id} not found`, { collection: name, id });
        const next = fn(draft) ?? draft;
        checkRecord(next);
        if (next.id !== id) throw new AppError('BAD_REQUEST', 'update must not change the id', { collection: name, id });
        stage(id, structuredClone(next));
        return structuredClone(next);
      },
      delete: (id) => {
        if (read(id) === undefined) return false;
        stage(id, null);
        return true;
      },
      archive: (id) => {
        const current = read(id);
        if (current === undefined) throw new AppError('NOT_FOUND', `${name} ${id} not found`, { collection: name, id });
        stage(id, current, this.now());
        return current;
      },
    };
  }

  audit(input: AuditInput): void {
    if (typeof input.event !== 'string' || input.event === '') throw new AppError('BAD_REQUEST', 'audit entry needs an event');
    this.auditInputs.push({ ...input });
  }

  get empty(): boolean {
    return this.changes.size === 0 && this.auditInputs.length === 0;
  }
}

function key(c: string, id: string): string {
  return `${c}\u0000${id}`;
}

function checkRecord(r: unknown): asserts r is StoredRecord {
  if (typeof r !== 'object' || r === null || !isRecordId((r as { id?: unknown }).id)) {
    throw new AppError('BAD_REQUEST', 'a record needs a string id (1–256 characters, no control characters)');
  }
}
