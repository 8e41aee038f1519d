import type { Logger } from '../log/logger.js';
import type { EventBus } from '../events.js';
import type { Store } from '../store/store.js';
import { C, type OutboxEntry, type OutgoingRecord } from '../documents/records.js';
import { OUTBOX_BACKOFF, backoffDelay, type BackoffPolicy } from './backoff.js';
import { AxisStatus, axisErrorReason, classifyAxisError, type RelayAxis } from './outbox-axis.js';
import { stageOutcome, stageRetry, type OutboxEvent } from './outbox-effects.js';

export interface OutboxOptions {
  store: Store;
  axis: RelayAxis;
  bus: EventBus;
  logger: Logger;
  /** `relay.maxOfflineHours`: an entry waiting longer raises `outgoing.offline-alert` once. */
  maxOfflineHours: number;
  /**
   * Packages on the network at once (default 2). Measured against the simulator (which stores
   * each package durably, one at a time, like a small axis node): 1,000 queued documents drained
   * in 10–13 s with 2 in flight, 12 s with 1 and 20 s with 4 — beyond 2 the sends only contend
   * for the same disk and CPU (on a Pi, one SD card). A larger axis may take more: it is tunable.
   */
  concurrency?: number;
  backoff?: BackoffPolicy;
  now?: () => Date;
  /** Shared reachability tracker (the inbox reports to it too). */
  axisStatus?: AxisStatus;
}

/**
 * The durable send queue. Entries live in the `outbox` collection (the document record and its
 * entry are committed together by the documents service), so a restart continues where it was.
 *
 * Order: Hỏa tốc (priority 3 and 4) first, then 2, 1, 0; oldest first within a priority. Packages of
 * one document go strictly one after another (01 before 03 before 04…), so the receiver sees them
 * in the order the office made them; different documents go `concurrency` (default 2) at a time.
 *
 * Failures: a transient error (network, 5xx, timeout) is counted on the entry with its next try
 * (exponential backoff with jitter, stored), AND pauses the whole queue with the same backoff:
 * when the axis is down there is no point in failing 1,000 entries one by one, each on its own
 * growing timer. One probe is sent when the pause ends; its success releases every entry at once,
 * which is what lets a long queue drain within seconds once the axis returns. A permanent refusal
 * of a package fails the document (state `failed`, with the reason). A refusal of our credentials
 * (wrong secret or system id) is a configuration problem shared by every package: the entries stay
 * queued, the axis state becomes `refused` (health, display) and the queue keeps probing on the
 * backoff (at most every 10 minutes); `wake()` (the console's `retry`) after the secret has been
 * fixed resumes at once — failing every document would force the office to resubmit them all.
 */
export class Outbox {
  /** Entries being sent or recorded: not picked again until their result is committed. */
  private readonly inFlight = new Map<string, Promise<void>>();
  /** Of those, how many are on the network: the concurrency limit applies to these only. */
  private sending = 0;
  /** Successful sends waiting to be recorded: committed together (one fsync for several). */
  private sentBatch: { entry: OutboxEntry; docId: string; at: string; done: (e?: unknown) => void }[] = [];
  private committing = false;
  private readonly concurrency: number;
  private readonly policy: BackoffPolicy;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private pumping = false;
  private pumpAgain = false;
  /** Consecutive transient failures across the queue (the outage's length in tries). */
  private outageFailures = 0;
  /**
   * Bumped whenever the outage picture changes (a counted failure, a success). A failure counts
   * towards the outage only if nothing changed since its send started: four sends in flight when
   * the axis goes down are ONE observation, not four (else the pause would jump to 40 s at once).
   */
  private generation = 0;
  private pausedUntil = 0;
  /** Ignore per-entry nextAttemptAt for the entries present now (wake, or the axis came back). */
  private releaseAll = false;
  readonly axisStatus: AxisStatus;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly opts: OutboxOptions) {
    this.concurrency = Math.max(1, opts.concurrency ?? 2);
    this.policy = opts.backoff ?? OUTBOX_BACKOFF;
    this.axisStatus = opts.axisStatus ?? new AxisStatus(opts.bus, () => this.now());
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    // Entries that already failed mean the axis was out when we stopped. Start as if the outage
    // continues: one probe (the most urgent entry), whose success releases the whole queue in
    // priority order. Trusting the stored per-entry timers instead would let normal documents
    // overtake the Hỏa tốc one that had been probing most (its backoff is the longest).
    if (this.outageFailures === 0 && this.hasFailedEntries()) this.outageFailures = 1;
    this.kick();
  }

  private hasFailedEntries(): boolean {
    for (const v of this.opts.store.activeValues(C.outbox)) if ((v as OutboxEntry).attempts > 0) return true;
    return false;
  }

  /** Stops picking new entries and waits for the ones in flight. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await Promise.allSettled([...this.inFlight.values()]);
  }

  /** Retry now: every waiting entry is tried again without waiting for its backoff. */
  wake(): void {
    this.releaseAll = true;
    this.pausedUntil = 0;
    this.kick();
  }

  /** Called after something was enqueued. */
  notify(): void {
    this.kick();
  }

  state(): { axis: string; lastContactAt: string | null; pending: number; inFlight: number } {
    return { axis: this.axisStatus.state, lastContactAt: this.axisStatus.lastContactAt, pending: this.opts.store.activeCount(C.outbox), inFlight: this.inFlight.size };
  }

  /** Resolves when nothing is in flight and nothing is due (tests and the bench). */
  idle(): Promise<void> {
    if (this.inFlight.size === 0 && this.dueCount() === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private now(): Date {
    return this.opts.now?.() ?? new Date();
  }

  private kick(): void {
    if (!this.running) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        this.pump();
      } while (this.pumpAgain && this.running);
    } finally {
      this.pumping = false;
    }
  }

  /** Starts as many due entries as the concurrency allows, then arms the timer. */
  private pump(): void {
    const nowMs = this.now().getTime();
    this.checkOfflineAlerts(nowMs);
    if (nowMs < this.pausedUntil) {
      this.arm(this.pausedUntil - nowMs);
      return;
    }
    // During an outage only one probe at a time.
    const slots = this.outageFailures > 0 ? Math.max(0, 1 - this.inFlight.size) : this.concurrency - this.sending;
    const picked = this.pick(slots, nowMs);
    for (const e of picked) this.launch(e);
    if (picked.length === 0 && this.releaseAll && this.inFlight.size === 0) this.releaseAll = false;
    // Due entries that could not start wait for a slot or for their document's previous package:
    // a finishing send kicks the pump. Only entries whose own retry time lies ahead need the timer.
    const next = this.nextRetryMs(nowMs);
    if (next !== null) this.arm(next - nowMs);
    this.resolveIdle();
  }

  private pick(slots: number, nowMs: number): OutboxEntry[] {
    if (slots <= 0) return [];
    // The oldest entry of each record: later packages of a document wait for it (per-document FIFO).
    const head = new Map<string, OutboxEntry>();
    for (const v of this.opts.store.activeValues(C.outbox)) {
      const e = v as OutboxEntry;
      const h = head.get(e.recordId);
      if (!h || e.order < h.order) head.set(e.recordId, e);
    }
    const busy = new Set<string>();
    for (const id of this.inFlight.keys()) {
      const e = this.opts.store.activeGet(C.outbox, id) as OutboxEntry | undefined;
      if (e) busy.add(e.recordId);
    }
    // While the axis is out (probe mode) the entries' own timers are moot: the probe is always the
    // entry that should go first, so recovery starts with the most urgent document.
    const ignoreTimers = this.releaseAll || this.outageFailures > 0;
    // The best `slots` entries by one pass (slots is small): no sort of the whole queue per send.
    const best: OutboxEntry[] = [];
    for (const e of head.values()) {
      if (this.inFlight.has(e.id) || busy.has(e.recordId)) continue;
      if (!ignoreTimers && Date.parse(e.nextAttemptAt) > nowMs) continue;
      if (best.length === slots && compareEntries(e, best[best.length - 1]!) >= 0) continue;
      let i = best.length;
      while (i > 0 && compareEntries(e, best[i - 1]!) < 0) i--;
      best.splice(i, 0, e);
      if (best.length > slots) best.pop();
    }
    return best.map((e) => structuredClone(e));
  }

  /** The earliest retry time still ahead, or null (none, or every timer is ignored now). */
  private nextRetryMs(nowMs: number): number | null {
    if (this.releaseAll || this.outageFailures > 0) return null;
    let min: number | null = null;
    for (const v of this.opts.store.activeValues(C.outbox)) {
      const e = v as OutboxEntry;
      if (this.inFlight.has(e.id)) continue;
      const t = Date.parse(e.nextAttemptAt);
      if (t > nowMs && (min === null || t < min)) min = t;
    }
    return min;
  }

  private dueCount(): number {
    const nowMs = this.now().getTime();
    if (nowMs < this.pausedUntil) return 0;
    let n = 0;
    for (const v of this.opts.store.activeValues(C.outbox)) {
      if (this.releaseAll || Date.parse((v as OutboxEntry).nextAttemptAt) <= nowMs) n++;
    }
    return n;
  }

  private arm(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    // Cap the sleep so a clock change or a missed notify costs at most a minute.
    this.timer = setTimeout(() => {
      this.timer = null;
      this.kick();
    }, Math.min(ms, 60_000));
    this.timer.unref?.();
  }

  private launch(entry: OutboxEntry): void {
    this.sending++;
    const p = this.send(entry, this.generation)
      .catch((e: unknown) => this.opts.logger.error({ err: e, entry: entry.id }, 'outbox: recording a send result failed'))
      .finally(() => {
        this.inFlight.delete(entry.id);
        this.kick();
      });
    this.inFlight.set(entry.id, p);
  }

  private async send(entry: OutboxEntry, generation: number): Promise<void> {
    const { store, axis, logger } = this.opts;
    let docId: string;
    try {
      const path = store.blobs.path(entry.blob);
      ({ docId } = await axis.send({ path, size: entry.size, sha256: entry.blob }, { messageType: entry.messageType, from: entry.from, to: entry.to, packageId: entry.packageId }));
    } catch (e) {
      this.freeSlot();
      await this.failed(entry, e, generation);
      return;
    }
    this.freeSlot();
    this.axisStatus.report('ok');
    this.generation++;
    if (this.outageFailures > 0) {
      logger.info({ failures: this.outageFailures }, 'axis reachable again; releasing the queue');
      this.releaseAll = true;
    }
    this.outageFailures = 0;
    this.pausedUntil = 0;
    await new Promise<void>((resolve, reject) => {
      this.sentBatch.push({ entry, docId, at: this.now().toISOString(), done: (e) => (e ? reject(e) : resolve()) });
      void this.commitSent();
    });
  }

  /** The network part is over: the next entry may start while this one is being recorded. */
  private freeSlot(): void {
    this.sending--;
    this.kick();
  }

  /** Group commit of successful sends: every result waiting is recorded in one transaction. */
  private async commitSent(): Promise<void> {
    if (this.committing) return;
    this.committing = true;
    try {
      while (this.sentBatch.length > 0) {
        const batch = this.sentBatch;
        this.sentBatch = [];
        try {
          const events = await this.opts.store.transaction((tx) => batch.flatMap((b) => stageOutcome(tx, b.entry, { kind: 'sent', axisDocId: b.docId, at: b.at })));
          for (const b of batch) b.done();
          this.publish(events);
        } catch (e) {
          for (const b of batch) b.done(e);
        }
      }
    } finally {
      this.committing = false;
    }
  }

  private async failed(entry: OutboxEntry, e: unknown, generation: number): Promise<void> {
    const { store, logger } = this.opts;
    const kind = classifyAxisError(e);
    const reason = axisErrorReason(e);
    const at = this.now();
    if (kind === 'permanent') {
      // The axis answered: it is reachable.
      this.axisStatus.report('ok');
      logger.warn({ entry: entry.id, documentId: entry.documentId, reason }, 'axis refused a package permanently');
      const events = await store.transaction((tx) => stageOutcome(tx, entry, { kind: 'refused', reason, at: at.toISOString() }));
      this.publish(events);
      return;
    }
    if (generation === this.generation) {
      this.generation++;
      this.outageFailures++;
      const delay = backoffDelay(this.policy, this.outageFailures);
      this.pausedUntil = at.getTime() + delay;
      this.releaseAll = false;
      if (this.outageFailures === 1) logger.warn({ reason, kind }, `axis send failed; retrying in ${Math.round(delay / 1000)} s`);
      this.axisStatus.report(kind === 'auth' ? 'refused' : 'unreachable', reason);
    }
    const next = new Date(at.getTime() + backoffDelay(this.policy, entry.attempts + 1)).toISOString();
    await store.transaction((tx) => stageRetry(tx, entry, reason, next));
  }

  private publish(events: OutboxEvent[]): void {
    for (const ev of events) {
      if (ev.name === 'outgoing.sent') this.opts.bus.publish('outgoing.sent', ev.payload);
      else this.opts.bus.publish('outgoing.failed', ev.payload);
    }
  }

  private alerting = false;

  private lastAlertCheck = 0;

  /** `outgoing.offline-alert` once per edoc entry waiting longer than relay.maxOfflineHours. */
  private checkOfflineAlerts(nowMs: number): void {
    // Hours-scale deadline: a scan every few seconds is plenty (not one per send).
    if (this.alerting || (nowMs >= this.lastAlertCheck && nowMs - this.lastAlertCheck < 5_000)) return;
    this.lastAlertCheck = nowMs;
    const limitMs = this.opts.maxOfflineHours * 3_600_000;
    const late: OutboxEntry[] = [];
    for (const v of this.opts.store.activeValues(C.outbox)) {
      const e = v as OutboxEntry;
      if (!e.alerted && e.messageType === 'edoc' && nowMs - Date.parse(e.createdAt) > limitMs) late.push(e);
    }
    if (late.length === 0) return;
    this.alerting = true;
    void this.opts.store
      .transaction((tx) => {
        const c = tx.collection<OutboxEntry>(C.outbox);
        for (const e of late) if (c.get(e.id)) c.update(e.id, (d) => void (d.alerted = true));
      })
      .then(() => {
        for (const e of late) {
          const waitingHours = Math.floor((nowMs - Date.parse(e.createdAt)) / 3_600_000);
          this.opts.bus.publish('outgoing.offline-alert', { id: e.recordId, documentId: e.documentId, waitingHours });
        }
      })
      .catch((err: unknown) => this.opts.logger.warn({ err }, 'outbox: recording an offline alert failed'))
      .finally(() => {
        this.alerting = false;
      });
  }

  private resolveIdle(): void {
    if (this.idleWaiters.length === 0 || this.inFlight.size > 0 || this.dueCount() > 0) return;
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const r of w) r();
  }
}

/** Hỏa tốc (3, 4) first, then 2, 1, 0; older first; id as the tie-break so the order is total. */
export function compareEntries(a: OutboxEntry, b: OutboxEntry): number {
  const pa = Math.min(a.priority, 3);
  const pb = Math.min(b.priority, 3);
  return pb - pa || (a.order < b.order ? -1 : a.order > b.order ? 1 : 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The outgoing record an edoc entry belongs to (for views). */
export function outboxEntryFor(store: Store, recordId: string): OutboxEntry | undefined {
  for (const v of store.activeValues(C.outbox)) {
    const e = v as OutboxEntry;
    if (e.recordId === recordId && e.messageType === 'edoc') return structuredClone(e);
  }
  return undefined;
}

export type { OutgoingRecord };
