import type { Logger } from '../log/logger.js';
import type { EventBus } from '../events.js';
import { isOverdue, overdueAtMillis } from '../domain/index.js';
import type { Store } from '../store/store.js';
import { C, addHistory, type OutgoingRecord } from '../documents/records.js';

/**
 * Overdue receipts (spec "States"): a recipient with no receipt within
 * `relay.receiptDeadlineHours` after `sentAt` is overdue. Views compute the flag on every read;
 * this watcher publishes `outgoing.overdue` ONCE per recipient (the flag `overdueNotified` is
 * stored, so a restart does not repeat it) for the display, the console and webhooks. It wakes at
 * the next deadline (capped, so a clock jump costs at most a few minutes) and when asked.
 */
export interface OverdueOptions {
  store: Store;
  bus: EventBus;
  logger: Logger;
  receiptDeadlineHours: number;
  now?: () => Date;
  /** Longest sleep between checks. */
  maxIntervalMs?: number;
}

export class OverdueWatcher {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private checking: Promise<number> | null = null;

  constructor(private readonly opts: OverdueOptions) {}

  start(): void {
    this.running = true;
    this.arm(0);
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private now(): Date {
    return this.opts.now?.() ?? new Date();
  }

  private arm(ms: number): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.check()
        .catch((e: unknown) => this.opts.logger.warn({ err: e }, 'overdue check failed'))
        .finally(() => this.arm(this.nextWakeMs()));
    }, ms);
    this.timer.unref?.();
  }

  private nextWakeMs(): number {
    const cap = this.opts.maxIntervalMs ?? 5 * 60_000;
    const now = this.now().getTime();
    let next = now + cap;
    for (const v of this.opts.store.activeValues(C.outgoing)) {
      const d = v as OutgoingRecord;
      if (d.state !== 'sent' || !d.relay.sentAt) continue;
      const due = overdueAtMillis(d.relay.sentAt, this.opts.receiptDeadlineHours) + 1;
      if (due > now && due < next && d.recipients.some((r) => !r.overdueNotified)) next = due;
    }
    return Math.max(1000, next - now);
  }

  /** Flags and announces newly overdue recipients; returns how many. */
  check(): Promise<number> {
    this.checking ??= this.run().finally(() => {
      this.checking = null;
    });
    return this.checking;
  }

  private async run(): Promise<number> {
    const now = this.now();
    const found: { id: string; documentId: string; organId: string }[] = [];
    for (const v of this.opts.store.activeValues(C.outgoing)) {
      const d = v as OutgoingRecord;
      if (d.state !== 'sent' || !d.relay.sentAt) continue;
      for (const r of d.recipients) {
        if (r.overdueNotified) continue;
        if (isOverdue(d.relay.sentAt, r.history.map((h) => h.code), now, this.opts.receiptDeadlineHours)) {
          found.push({ id: d.id, documentId: d.documentId, organId: r.organId });
        }
      }
    }
    if (found.length === 0) return 0;
    const at = now.toISOString();
    await this.opts.store.transaction((tx) => {
      const docs = tx.collection<OutgoingRecord>(C.outgoing);
      for (const f of found) {
        const d = docs.get(f.id);
        const r = d?.recipients.find((x) => x.organId === f.organId);
        if (!d || !r) continue;
        r.overdueNotified = true;
        docs.put(addHistory(d, { at, event: 'overdue', organId: f.organId }));
      }
    });
    for (const f of found) this.opts.bus.publish('outgoing.overdue', f);
    return found.length;
  }
}
