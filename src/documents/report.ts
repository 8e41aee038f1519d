import { AppError } from '../errors.js';
import type { Store } from '../store/store.js';
import { C, type DocumentRecord, type IncomingRecord, type OutgoingRecord } from './records.js';
import type { QueueSnapshot, ReportQuery, ReportSummary } from './types.js';
import { recipientOverdue, type ViewContext } from './view.js';

/**
 * The pilot report (counts by type, state, direction and day; overdue receipts) and the queue
 * snapshot for health, the display and the console. Days are UTC calendar days of the creation
 * time; `from`/`to` are inclusive `YYYY-MM-DD`.
 */
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function overdueList(store: Store, ctx: ViewContext): ReportSummary['overdue'] {
  const out: ReportSummary['overdue'] = [];
  for (const v of store.activeValues(C.outgoing)) {
    const d = v as OutgoingRecord;
    for (const r of d.recipients) {
      if (recipientOverdue(d, r, ctx)) out.push({ id: d.id, documentId: d.documentId, organId: r.organId, sentAt: d.relay.sentAt ?? '' });
    }
  }
  return out;
}

export async function buildReport(store: Store, q: ReportQuery, ctx: ViewContext): Promise<ReportSummary> {
  if (!DAY.test(q.from) || !DAY.test(q.to) || q.from > q.to) {
    throw new AppError('VALIDATION_FAILED', 'invalid report period', [{ field: 'from', problem: 'from and to must be YYYY-MM-DD with from ≤ to' }]);
  }
  const summary: ReportSummary = { from: q.from, to: q.to, byType: {}, byState: {}, byDirection: { outgoing: 0, incoming: 0 }, byDay: [], overdue: [] };
  const days = new Map<string, { day: string; outgoing: Record<string, number>; incoming: Record<string, number> }>();
  const inc = (o: Record<string, number>, k: string) => void (o[k] = (o[k] ?? 0) + 1);
  for (const c of [C.outgoing, C.incoming]) {
    for (const r of await store.collection<DocumentRecord>(c).list(undefined, { includeArchived: true })) {
      const day = r.createdAt.slice(0, 10);
      if (day < q.from || day > q.to) continue;
      const type = r.direction === 'outgoing' ? (r as OutgoingRecord).metadata.type : ((r as IncomingRecord).type ?? (r as IncomingRecord).typeName);
      inc(summary.byType, type || 'unknown');
      inc(summary.byState, `${r.direction}:${r.state}`);
      summary.byDirection[r.direction]++;
      const d = days.get(day) ?? days.set(day, { day, outgoing: {}, incoming: {} }).get(day)!;
      inc(d[r.direction], r.state);
    }
  }
  summary.byDay = [...days.values()].sort((a, b) => (a.day < b.day ? -1 : 1));
  summary.overdue = overdueList(store, ctx).filter((o) => o.sentAt.slice(0, 10) >= q.from && o.sentAt.slice(0, 10) <= q.to);
  return summary;
}

export function queueSnapshot(store: Store, ctx: ViewContext): QueueSnapshot {
  let outgoing = 0;
  let failed = 0;
  for (const v of store.activeValues(C.outgoing)) {
    const d = v as OutgoingRecord;
    if (d.state === 'queued') outgoing++;
    else if (d.state === 'failed') failed++;
  }
  let incomingUnread = 0;
  for (const v of store.activeValues(C.incoming)) {
    const d = v as IncomingRecord;
    // "Unread" = waiting for the clerk's decision (accept 03 or refuse 02).
    if (d.state === 'arrived') incomingUnread++;
  }
  return { outgoing, failed, incomingUnread, overdue: overdueList(store, ctx).length };
}
