import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The simulator's durable state: one file per package under `packages/` and one `index.json`
 * (documents, per-recipient delivery state, the duplicate index, counters), always replaced
 * atomically (temp → fsync → rename → fsync dir) behind one promise queue, so the simulator
 * survives its own restart — and a kill -9 — with nothing half-written.
 */
export type RecipientState = 'pending' | 'processing' | 'done' | 'fail';

export interface SimDoc {
  docId: string;
  from: string;
  to: string[];
  messageType: string;
  serviceType: string;
  /** ISO 8601. */
  createdTime: string;
  sha256: string;
  size: number;
  recipients: Record<string, RecipientState>;
  /** Recipients that have fetched it at least once. */
  fetchedBy: string[];
}

export interface AgencyCounters {
  sent: number;
  received: number;
  delivered: number;
  acknowledged: number;
  duplicates: number;
}

export interface SimStats {
  /** New packages accepted (duplicates not included). */
  received: number;
  /** First fetch of a package by each recipient. */
  delivered: number;
  /** Recipients' `done` acknowledgements. */
  acknowledged: number;
  /** Resends answered with an existing DocId. */
  duplicates: number;
  perAgency: Record<string, AgencyCounters>;
}

interface IndexFile {
  version: 1;
  docs: Record<string, SimDoc>;
  /** `${from}|${recipients, sorted}|${sha256}` → docId. */
  byContent: Record<string, string>;
  stats: SimStats;
}

export interface NewPackage {
  from: string;
  to: string[];
  messageType: string;
  serviceType: string;
  sha256: string;
  size: number;
}

const emptyIndex = (): IndexFile => ({ version: 1, docs: {}, byContent: {}, stats: { received: 0, delivered: 0, acknowledged: 0, duplicates: 0, perAgency: {} } });

export class SimStore {
  private queue: Promise<void> = Promise.resolve();

  private constructor(
    private readonly dir: string,
    private readonly index: IndexFile,
  ) {}

  static async open(dir: string): Promise<SimStore> {
    await mkdir(join(dir, 'packages'), { recursive: true });
    await mkdir(join(dir, 'tmp'), { recursive: true });
    // Uploads cut by a crash are never referenced by the index: drop them.
    await rm(join(dir, 'tmp'), { recursive: true, force: true });
    await mkdir(join(dir, 'tmp'), { recursive: true });
    let index = emptyIndex();
    try {
      index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as IndexFile;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    return new SimStore(dir, index);
  }

  /** A fresh path for an upload in progress (same filesystem as `packages/`, for rename). */
  tempPath(): string {
    return join(this.dir, 'tmp', randomUUID());
  }

  packagePath(docId: string): string {
    return join(this.dir, 'packages', `${docId}.edxml`);
  }

  /**
   * Makes an uploaded file a package. The same bytes from the same sender to the same recipients
   * are a resend: the temp file is dropped and the first DocId returned (invariant 6: at-least-once
   * on the wire, exactly-once in effect). The recipients belong to the key because a status
   * package names none: a recall sent to several offices is the same bytes once per recipient.
   */
  async addPackage(tempFile: string, p: NewPackage): Promise<{ docId: string; duplicate: boolean }> {
    return this.serial(async () => {
      const key = `${p.from}|${[...p.to].sort().join(',')}|${p.sha256}`;
      const existing = this.index.byContent[key];
      if (existing && this.index.docs[existing]) {
        await rm(tempFile, { force: true });
        this.index.stats.duplicates++;
        this.counters(p.from).duplicates++;
        await this.save();
        return { docId: existing, duplicate: true };
      }
      const docId = randomUUID();
      await fsyncPath(tempFile);
      await rename(tempFile, this.packagePath(docId));
      await fsyncPath(join(this.dir, 'packages'));
      const recipients: Record<string, RecipientState> = {};
      for (const r of p.to) recipients[r] = 'pending';
      this.index.docs[docId] = { docId, ...p, createdTime: new Date().toISOString(), recipients, fetchedBy: [] };
      this.index.byContent[key] = docId;
      this.index.stats.received++;
      this.counters(p.from).sent++;
      for (const r of p.to) this.counters(r).received++;
      await this.save();
      return { docId, duplicate: false };
    });
  }

  get(docId: string): SimDoc | undefined {
    return this.index.docs[docId];
  }

  /** What `getReceivedEdocList` shows an agency: not yet acknowledged done or fail, oldest first. */
  pending(agency: string, messageType?: string): SimDoc[] {
    return Object.values(this.index.docs)
      .filter((d) => (d.recipients[agency] === 'pending' || d.recipients[agency] === 'processing') && (!messageType || d.messageType === messageType))
      .sort((a, b) => a.createdTime.localeCompare(b.createdTime));
  }

  sent(agency: string, messageType?: string): SimDoc[] {
    return Object.values(this.index.docs)
      .filter((d) => d.from === agency && (!messageType || d.messageType === messageType))
      .sort((a, b) => a.createdTime.localeCompare(b.createdTime));
  }

  async markFetched(docId: string, agency: string): Promise<void> {
    return this.serial(async () => {
      const d = this.index.docs[docId];
      if (!d || d.fetchedBy.includes(agency) || !(agency in d.recipients)) return;
      d.fetchedBy.push(agency);
      this.index.stats.delivered++;
      this.counters(agency).delivered++;
      await this.save();
    });
  }

  /**
   * `done` and `fail` take the package off the recipient's list (fail: the recipient could not
   * use it and will say why in a status package); `processing` keeps it listed.
   */
  async setStatus(docId: string, agency: string, status: RecipientState): Promise<boolean> {
    return this.serial(async () => {
      const d = this.index.docs[docId];
      if (!d || !(agency in d.recipients)) return false;
      if (status === 'done' && d.recipients[agency] !== 'done') {
        this.index.stats.acknowledged++;
        this.counters(agency).acknowledged++;
      }
      d.recipients[agency] = status;
      await this.save();
      return true;
    });
  }

  stats(): SimStats {
    return structuredClone(this.index.stats);
  }

  /** Resolves when every queued write is on disk. */
  async idle(): Promise<void> {
    await this.queue;
  }

  private counters(agency: string): AgencyCounters {
    return (this.index.stats.perAgency[agency] ??= { sent: 0, received: 0, delivered: 0, acknowledged: 0, duplicates: 0 });
  }

  private serial<T>(f: () => Promise<T>): Promise<T> {
    const run = this.queue.then(f);
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async save(): Promise<void> {
    const tmp = join(this.dir, 'index.json.tmp');
    await writeFile(tmp, JSON.stringify(this.index));
    await fsyncPath(tmp);
    await rename(tmp, join(this.dir, 'index.json'));
    await fsyncPath(this.dir);
  }
}

/** fsync a file or a directory (a rename is durable only once its directory is synced). */
async function fsyncPath(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
