import type { Logger } from '../log/logger.js';
import type { Store } from '../store/store.js';
import { C, type IncomingRecord, type OutboxEntry, type OutgoingRecord } from './records.js';

/**
 * Moves finished documents to the store's archive partitions (ARCHITECTURE invariant 3: the
 * active files hold bounded, active data, so a write costs the same after years of traffic).
 *
 * Finished, and untouched for `retainDays` (so late statuses and the office's look-ups still
 * find them among the active records):
 * - outgoing: `failed`, `recalled`, or `sent` with every recipient `done` or `refused`;
 * - incoming: `done`, `refused` or `recalled`;
 * and nothing of theirs is still waiting in the outbox. Archived records stay readable by id
 * (`documents.get`, files) and in reports; lists show the active set.
 */
export interface ArchiverOptions {
  store: Store;
  logger: Logger;
  retainDays?: number;
  intervalMs?: number;
  now?: () => Date;
}

const BATCH = 200;

export function isFinished(r: OutgoingRecord | IncomingRecord): boolean {
  if (r.direction === 'incoming') return r.state === 'done' || r.state === 'refused' || r.state === 'recalled';
  if (r.state === 'failed' || r.state === 'recalled') return true;
  return r.state === 'sent' && r.recipients.every((x) => x.stage === 'done' || x.stage === 'refused');
}

export class Archiver {
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: ArchiverOptions) {}

  start(): void {
    const every = this.opts.intervalMs ?? 3_600_000;
    this.timer = setInterval(() => void this.run().catch((e: unknown) => this.opts.logger.warn({ err: e }, 'archiving failed')), every);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Archives what is due; returns how many records moved. */
  async run(): Promise<number> {
    const { store } = this.opts;
    const cutoff = (this.opts.now?.() ?? new Date()).getTime() - (this.opts.retainDays ?? 30) * 86_400_000;
    const waiting = new Set<string>();
    for (const v of store.activeValues(C.outbox)) waiting.add((v as OutboxEntry).recordId);
    const due: { c: string; id: string }[] = [];
    for (const c of [C.outgoing, C.incoming]) {
      for (const v of store.activeValues(c)) {
        const r = v as OutgoingRecord | IncomingRecord;
        if (!waiting.has(r.id) && isFinished(r) && Date.parse(r.updatedAt) < cutoff) due.push({ c, id: r.id });
      }
    }
    for (let i = 0; i < due.length; i += BATCH) {
      const part = due.slice(i, i + BATCH);
      await store.transaction((tx) => {
        for (const d of part) if (tx.collection(d.c).get(d.id)) tx.collection(d.c).archive(d.id);
      });
    }
    if (due.length > 0) this.opts.logger.info({ archived: due.length }, 'finished documents archived');
    return due.length;
  }
}
