import t from 'tap';
import { TxBuilder } from '../../src/store/transaction.js';
import type { IncomingRecord, OutboxEntry, OutgoingRecord } from '../../src/documents/records.js';
import { stageOutcome, stageRetry, type SendOutcome } from '../../src/relay/outbox-effects.js';

/**
 * What a finished send stages, checked on the store's own transaction builder for every kind of
 * package (the document's edoc, a status about an outgoing or an incoming document) and both
 * outcomes. The outbox tests drive the edoc paths end to end; the status paths are pinned here.
 */
const AT = '2026-11-27T10:00:00.000Z';
const SENT: SendOutcome = { kind: 'sent', axisDocId: 'AX-1', at: AT };
const REFUSED: SendOutcome = { kind: 'refused', reason: 'unknown receiver', at: AT };

function outgoing(state: OutgoingRecord['state'] = 'queued'): OutgoingRecord {
  const relay = { attempts: 2, nextAttemptAt: '2026-11-27T09:59:00.000Z', lastError: 'timeout', queuedAt: '2026-11-27T09:00:00.000Z', sentAt: null };
  return { id: 'out-1', direction: 'outgoing', documentId: 'D-OUT', state, relay, history: [], updatedAt: '2026-11-27T09:00:00.000Z' } as unknown as OutgoingRecord;
}

function incoming(): IncomingRecord {
  return { id: 'in-1', direction: 'incoming', documentId: 'D-IN', state: 'accepted', history: [], updatedAt: '2026-11-27T09:00:00.000Z' } as unknown as IncomingRecord;
}

function entry(over: Partial<OutboxEntry>): OutboxEntry {
  return {
    id: 'ob-1', messageType: 'edoc', recordId: 'out-1', recordCollection: 'outgoing', documentId: 'D-OUT', priority: 0, packageId: 'pkg-1',
    blob: 'b', size: 1, from: '000.46.24.H99', to: ['000.00.00.H99'], attempts: 2, nextAttemptAt: AT, lastError: null, createdAt: AT, order: '0',
    ...over,
  };
}

/** A transaction over a tiny committed state, as the store would hand it out. */
function txOver(records: Record<string, { id: string }[]>): TxBuilder {
  const active = new Map<string, unknown>();
  for (const [c, list] of Object.entries(records)) for (const r of list) active.set(`${c}/${r.id}`, r);
  return new TxBuilder({ get: (c, id) => active.get(`${c}/${id}`) }, () => AT);
}

function staged<T>(tx: TxBuilder, c: string, id: string): T | null | undefined {
  return tx.changes.get(`${c}\u0000${id}`)?.v as T | null | undefined;
}

/** The document's own package, from a queued outgoing record, ending in `outcome`. */
function edocOutcome(outcome: SendOutcome, state: OutgoingRecord['state'] = 'queued') {
  const e = entry({});
  const tx = txOver({ outgoing: [outgoing(state)], outbox: [e] });
  const events = stageOutcome(tx, e, outcome);
  return { events, doc: staged<OutgoingRecord>(tx, 'outgoing', 'out-1')!, removed: staged(tx, 'outbox', e.id) === null, audit: tx.auditInputs };
}

t.test('edoc accepted: sent, counters reset, axis DocId kept, outgoing.sent', async (t) => {
  const { events, doc, removed, audit } = edocOutcome(SENT);
  t.ok(removed, 'outbox entry removed');
  t.equal(doc.state, 'sent');
  t.same(doc.relay, { attempts: 3, nextAttemptAt: null, lastError: null, queuedAt: '2026-11-27T09:00:00.000Z', sentAt: AT, axisDocId: 'AX-1' });
  t.same(doc.history, [{ at: AT, event: 'sent', description: 'axis DocId AX-1' }]);
  t.equal(doc.updatedAt, AT);
  t.same(events, [{ name: 'outgoing.sent', payload: { id: 'out-1', documentId: 'D-OUT' } }]);
  t.same(audit, [{ event: 'sent', actor: 'system:outbox', subject: 'D-OUT', data: { record: 'out-1', packageId: 'pkg-1', axisDocId: 'AX-1', to: ['000.00.00.H99'], statusCode: undefined } }]);
});

t.test('edoc refused: failed with the reason, sentAt untouched, outgoing.failed', async (t) => {
  const { events, doc, removed, audit } = edocOutcome(REFUSED);
  t.ok(removed, 'outbox entry removed');
  t.equal(doc.state, 'failed');
  t.same(doc.relay, { attempts: 3, nextAttemptAt: null, lastError: 'unknown receiver', queuedAt: '2026-11-27T09:00:00.000Z', sentAt: null });
  t.same(doc.history, [{ at: AT, event: 'failed', description: 'unknown receiver' }]);
  t.same(events, [{ name: 'outgoing.failed', payload: { id: 'out-1', documentId: 'D-OUT', reason: 'unknown receiver' } }]);
  t.same(audit, [{ event: 'send-refused', actor: 'system:outbox', subject: 'D-OUT', data: { record: 'out-1', reason: 'unknown receiver', statusCode: undefined } }]);
});

t.test('a state the lifecycle does not allow to move stays as it is', async (t) => {
  t.equal(edocOutcome(SENT, 'recalled').doc.state, 'recalled');
  t.equal(edocOutcome(REFUSED, 'sent').doc.state, 'sent');
});

t.test('status packages: a history line on the document, no event', async (t) => {
  const cases = [
    { what: 'recall (13) about an outgoing document', c: 'outgoing', rec: outgoing('sent'), e: entry({ messageType: 'status', statusCode: '13' }), text: 'recall requested' },
    { what: 'acceptance (03) about an incoming document', c: 'incoming', rec: incoming(), e: entry({ messageType: 'status', statusCode: '03', recordId: 'in-1', recordCollection: 'incoming', documentId: 'D-IN' }), text: 'accepted' },
  ] as const;
  for (const k of cases) {
    const sent = txOver({ [k.c]: [k.rec], outbox: [k.e] });
    t.same(stageOutcome(sent, k.e, SENT), [], `${k.what}: nothing to publish`);
    const doc = staged<OutgoingRecord | IncomingRecord>(sent, k.c, k.rec.id)!;
    t.same(doc.history, [{ at: AT, event: 'status-sent', statusCode: k.e.statusCode, description: k.text, organId: '000.00.00.H99' }], `${k.what}: status-sent`);
    t.equal(doc.state, k.rec.state, `${k.what}: state unchanged`);
    t.equal(sent.auditInputs[0]?.event, 'status-sent');

    const refused = txOver({ [k.c]: [k.rec], outbox: [k.e] });
    t.same(stageOutcome(refused, k.e, REFUSED), []);
    t.same(staged<OutgoingRecord | IncomingRecord>(refused, k.c, k.rec.id)!.history, [{ at: AT, event: 'status-failed', statusCode: k.e.statusCode, description: 'unknown receiver', organId: '000.00.00.H99' }], `${k.what}: the reason replaces the code's text`);
    t.same(refused.auditInputs, [{ event: 'send-refused', actor: 'system:outbox', subject: k.e.documentId, data: { record: k.rec.id, reason: 'unknown receiver', statusCode: k.e.statusCode } }]);
    t.equal(staged(refused, 'outbox', k.e.id), null, `${k.what}: outbox entry removed`);
  }
});

t.test('a status to several organs names none; a vanished record still clears the entry and audits', async (t) => {
  const many = entry({ messageType: 'status', statusCode: '13', to: ['a', 'b'] });
  const tx = txOver({ outgoing: [outgoing('sent')], outbox: [many] });
  stageOutcome(tx, many, SENT);
  t.notOk('organId' in (staged<OutgoingRecord>(tx, 'outgoing', 'out-1')!.history[0] ?? {}), 'no organId for several recipients');

  const gone = txOver({ outbox: [entry({})] });
  t.same(stageOutcome(gone, entry({}), REFUSED), [], 'nothing to publish');
  t.equal(staged(gone, 'outbox', 'ob-1'), null, 'entry removed');
  t.equal(staged(gone, 'outgoing', 'out-1'), undefined, 'no record written');
  t.equal(gone.auditInputs.length, 1, 'still audited');
});

t.test('retry: the entry and the document count the attempt; a removed entry is left alone', async (t) => {
  const e = entry({});
  const tx = txOver({ outgoing: [outgoing()], outbox: [e] });
  stageRetry(tx, e, 'timeout again', '2026-11-27T10:05:00.000Z');
  t.match(staged<OutboxEntry>(tx, 'outbox', e.id), { attempts: 3, nextAttemptAt: '2026-11-27T10:05:00.000Z', lastError: 'timeout again' });
  t.match(staged<OutgoingRecord>(tx, 'outgoing', 'out-1')!.relay, { attempts: 3, nextAttemptAt: '2026-11-27T10:05:00.000Z', lastError: 'timeout again' });
  const none = txOver({ outgoing: [outgoing()] });
  stageRetry(none, e, 'x', AT);
  t.ok(none.empty, 'nothing staged');
});
