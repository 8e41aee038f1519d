import type { Logger } from '../log/logger.js';
import type { EventBus } from '../events.js';
import { isEdxmlError, type ParsedEdoc, type ParsedStatus } from '../edxml/index.js';
import type { TrustStore } from '../signing/types.js';
import type { Store } from '../store/store.js';
import { C, type IncomingRecord, type InboxSeen, type OutboxEntry } from '../documents/records.js';
import { AxisStatus, axisErrorReason, classifyAxisError, type MessageType, type ReceivedItem, type RelayAxis } from './outbox-axis.js';
import { decide, incomingRecord, type IncomingPolicy } from './inbox-edoc.js';
import { parseStored, removeBlobs, storePackage, type ReceivedPackage } from './inbox-receive.js';
import { stageStatus, type StatusEvent } from './inbox-status.js';
import { prepareStatusEntry, stageOutboxEntry } from './status-packages.js';

export interface InboxOptions {
  store: Store;
  axis: RelayAxis;
  bus: EventBus;
  logger: Logger;
  trust: TrustStore;
  organ: { id: string; name: string };
  policy: IncomingPolicy;
  limits: { maxPackageBytes: number; maxAttachments: number };
  pollSeconds: number;
  axisStatus?: AxisStatus;
  /** Told when a status package was queued (01/02 answers), so it goes out at once. */
  onQueued?: () => void;
  now?: () => Date;
}

export interface PollResult {
  processed: number;
  duplicates: number;
  failed: number;
}

/**
 * The inbox poller. Every `pollSeconds` (and on demand) it lists what waits for this office,
 * edoc packages first (so a recall 13 in the same round finds its document), then status packages,
 * and handles each one to the end before the next:
 *
 *   seen before? → just acknowledge again (duplicate suppression: the `inboxSeen` record)
 *   getEdoc → the package streamed into the blob store (bounded) → stream-parsed, attachments
 *   decoded into blobs → PDF signatures verified → accepted (`arrived`, 01 queued) or refused
 *   (`refused`, 02 queued with the reason) → ONE store transaction (record, seen-marker, outbox
 *   entry, audit) → only then `updateStatus(done)`.
 *
 * A package that cannot be parsed (malformed, DTD, entity bombs, too large, too many attachments)
 * is acknowledged `fail` with an audit entry; it never stops the poller. An axis or store error
 * ends the round without acknowledging: the package is listed again next round.
 */
export class Inbox {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private stopping = false;
  private current: Promise<PollResult> | null = null;
  readonly axisStatus: AxisStatus;

  constructor(private readonly opts: InboxOptions) {
    this.axisStatus = opts.axisStatus ?? new AxisStatus(opts.bus, () => this.now());
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.current?.catch(() => undefined);
  }

  /** One round now (or the round already running). */
  poll(): Promise<PollResult> {
    if (!this.current) {
      this.current = this.round().finally(() => {
        this.current = null;
      });
    }
    return this.current;
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.poll()
        .catch((e: unknown) => this.opts.logger.warn({ err: e }, 'inbox poll failed'))
        .finally(() => this.schedule(this.opts.pollSeconds * 1000));
    }, ms);
    this.timer.unref?.();
  }

  private now(): Date {
    return this.opts.now?.() ?? new Date();
  }

  private async round(): Promise<PollResult> {
    const result: PollResult = { processed: 0, duplicates: 0, failed: 0 };
    for (const type of ['edoc', 'status'] as MessageType[]) {
      let items: ReceivedItem[];
      try {
        items = await this.opts.axis.listReceived(type);
        this.axisStatus.report('ok');
      } catch (e) {
        this.reportAxisError(e);
        throw e;
      }
      for (const item of items) {
        if (this.stopping) break;
        await this.handle({ ...item, messageType: item.messageType ?? type }, result);
      }
    }
    return result;
  }

  private reportAxisError(e: unknown): void {
    const kind = classifyAxisError(e);
    this.axisStatus.report(kind === 'auth' ? 'refused' : kind === 'transient' ? 'unreachable' : 'ok', axisErrorReason(e));
  }

  private async handle(item: ReceivedItem, result: PollResult): Promise<void> {
    const { store, axis } = this.opts;
    const seen = await store.collection<InboxSeen>(C.inboxSeen).get(item.docId);
    if (seen) {
      result.duplicates++;
      await this.ack(item.docId, seen.outcome === 'failed' ? 'fail' : 'done');
      return;
    }
    let pkg: { sha256: string; size: number };
    let rec: ReceivedPackage;
    try {
      const source = await axis.fetch(item.docId);
      pkg = await storePackage(store, source, this.opts.limits.maxPackageBytes);
    } catch (e) {
      if (isEdxmlError(e)) return this.reject(item, null, e.code, e.message, result);
      // The axis answered, but this package can never be handed over intact (corrupt base64, no
      // data, unknown id): refused like an unreadable one, or it would end every round before
      // anything listed behind it is read. Our own disk failing (LOCAL_IO) is not its fault.
      if (classifyAxisError(e) === 'permanent' && (e as { code?: unknown }).code !== 'LOCAL_IO') {
        return this.reject(item, null, 'UNFETCHABLE', axisErrorReason(e), result);
      }
      this.reportAxisError(e);
      throw e;
    }
    const same = this.sameContent(pkg.sha256);
    if (same) {
      // The same package again under a new axis DocId (a sender's resend): processed once.
      await store.transaction((tx) => markSeen(tx, { id: item.docId, at: this.now().toISOString(), messageType: item.messageType, outcome: 'ignored', recordId: same }));
      result.duplicates++;
      await this.ack(item.docId, 'done');
      return;
    }
    try {
      rec = await parseStored(store, pkg, this.opts.limits);
    } catch (e) {
      if (isEdxmlError(e)) return this.reject(item, pkg.sha256, e.code, e.message, result);
      throw e;
    }
    if (rec.parsed.kind === 'status') await this.acceptStatus(item, rec as ReceivedPackage & { parsed: ParsedStatus }, pkg.sha256);
    else await this.acceptEdoc(item, rec as ReceivedPackage & { parsed: ParsedEdoc });
    result.processed++;
  }

  /** An incoming document already stored from byte-identical package content. */
  private sameContent(sha256: string): string | undefined {
    for (const v of this.opts.store.activeValues(C.incoming)) {
      const r = v as IncomingRecord;
      if (r.edxml.sha256 === sha256) return r.id;
    }
    return undefined;
  }

  /** Unparseable or hostile: acknowledged `fail`, audited, remembered; the round goes on. */
  private async reject(item: ReceivedItem, blob: string | null, code: string, message: string, result: PollResult): Promise<void> {
    const at = this.now().toISOString();
    this.opts.logger.warn({ docId: item.docId, code }, 'inbox: refused an unreadable package');
    await this.opts.store.transaction((tx) => {
      markSeen(tx, { id: item.docId, at, messageType: item.messageType, outcome: 'failed' });
      tx.audit({ event: 'incoming-unreadable', actor: `axis:${item.from ?? 'unknown'}`, subject: item.docId, data: { code, message: message.slice(0, 300) } });
    });
    if (blob) await removeBlobs(this.opts.store, [blob]);
    result.failed++;
    await this.ack(item.docId, 'fail');
    // No document and no status to answer with: the office hears of it here (display, web, DMS).
    this.opts.bus.publish('incoming.unreadable', { axisDocId: item.docId, from: item.from ?? null, code });
  }

  private async acceptStatus(item: ReceivedItem, rec: ReceivedPackage & { parsed: ParsedStatus }, blob: string): Promise<void> {
    const { store, logger } = this.opts;
    const at = this.now().toISOString();
    let events: StatusEvent[] = [];
    await store.transaction((tx) => {
      const out = stageStatus(tx, store, rec.parsed, item.docId, at);
      events = out.events;
      if (out.outcome === 'ignored') {
        logger.warn({ docId: item.docId, note: out.note }, 'inbox: status package matches nothing here');
        tx.audit({ event: 'status-ignored', actor: `axis:${rec.parsed.header.from.organId}`, subject: item.docId, data: { note: out.note } });
      }
      markSeen(tx, { id: item.docId, at, messageType: 'status', outcome: out.outcome, ...(out.recordId ? { recordId: out.recordId } : {}) });
    });
    // Status packages are small and their content is now in the record: the raw bytes go.
    await removeBlobs(store, [blob]);
    await this.ack(item.docId, 'done');
    for (const ev of events) {
      if (ev.name === 'outgoing.status') this.opts.bus.publish('outgoing.status', ev.payload);
      else this.opts.bus.publish('incoming.status', ev.payload);
    }
  }

  private async acceptEdoc(item: ReceivedItem, rec: ReceivedPackage & { parsed: ParsedEdoc }): Promise<void> {
    const { store, organ, bus } = this.opts;
    const decision = await decide(store, rec, this.opts.policy, this.opts.trust);
    const now = this.now();
    const at = now.toISOString();
    const record = incomingRecord(rec, decision, item.docId, at);
    const code = decision.accept ? '01' : '02';
    const entry: OutboxEntry = await prepareStatusEntry(
      store,
      {
        recordId: record.id,
        recordCollection: 'incoming',
        senderOrganId: record.from.organId,
        documentId: record.documentId,
        code: `${record.number}/${record.notation}`,
        promulgationDate: record.promulgationDate,
        priority: record.priority,
      },
      { from: { organId: organ.id, organName: organ.name }, to: [record.from.organId], statusCode: code, ...(decision.reason ? { description: decision.reason } : {}), at: now },
    );
    record.sentCodes.push(code);
    await store.transaction((tx) => {
      tx.collection<IncomingRecord>(C.incoming).insert(record);
      stageOutboxEntry(tx, entry);
      markSeen(tx, { id: item.docId, at, messageType: 'edoc', outcome: decision.accept ? 'accepted' : 'refused', recordId: record.id });
      tx.audit({
        event: decision.accept ? 'incoming-arrived' : 'incoming-refused',
        actor: `axis:${record.from.organId}`,
        subject: record.documentId,
        data: { record: record.id, axisDocId: item.docId, package: rec.blob.sha256, reason: decision.reason, statusQueued: code },
      });
    });
    await this.ack(item.docId, 'done');
    this.opts.onQueued?.();
    if (decision.accept) {
      bus.publish('incoming.arrived', { id: record.id, documentId: record.documentId, from: record.from.organId, subject: record.subject, priority: record.priority });
    } else {
      bus.publish('incoming.refused', { id: record.id, documentId: record.documentId, reason: decision.reason ?? '' });
    }
  }

  private async ack(docId: string, status: 'done' | 'fail'): Promise<void> {
    try {
      await this.opts.axis.ack(docId, status);
    } catch (e) {
      // Stored durably already: the package is listed again and acknowledged next round.
      this.opts.logger.warn({ docId, reason: axisErrorReason(e) }, 'inbox: acknowledgement failed; will repeat');
      this.reportAxisError(e);
    }
  }
}

/** The seen-marker goes straight to the archive: looked up by id, never listed, never rewritten. */
function markSeen(tx: import('../store/transaction.js').Tx, seen: InboxSeen): void {
  const c = tx.collection<InboxSeen>(C.inboxSeen);
  c.put(seen);
  c.archive(seen.id);
}
