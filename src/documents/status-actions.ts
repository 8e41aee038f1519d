import { AppError } from '../errors.js';
import { applyRecipientStatus, nextIncomingState, nextOutgoingState, parseStatusCode } from '../domain/index.js';
import { prepareStatusEntry, stageOutboxEntry } from '../relay/status-packages.js';
import { removeBlobs } from '../relay/inbox-receive.js';
import { C, addHistory, type IncomingRecord, type OutboxEntry, type OutgoingRecord, type StoredFile } from './records.js';
import { nowOf, type DocumentsDeps } from './context.js';
import type { Actor } from './types.js';

/**
 * The office's own status decisions: answering an incoming document (02–06, and 15/16 to a
 * recall request) and recalling an outgoing one (13 to every recipient). Each builds its status
 * package(s) first, then commits the state change, the outbox entries and the audit entry in one
 * transaction — where the transition is checked again, so two clerks clicking at once cannot
 * both succeed.
 */
const OFFICE_CODES = new Set(['02', '03', '04', '05', '06', '15', '16']);

function actorName(a: Actor): string {
  return `${a.kind}:${a.name}`;
}

export async function setIncomingStatus(deps: DocumentsDeps, id: string, rawCode: string, description: string | undefined, actor: Actor): Promise<IncomingRecord> {
  const { store, config } = deps;
  const doc = store.activeGet(C.incoming, id) as IncomingRecord | undefined;
  if (!doc) {
    if (store.activeGet(C.outgoing, id)) throw new AppError('CONFLICT', 'statuses are set on incoming documents only');
    throw new AppError('NOT_FOUND', `no document ${id}`);
  }
  const code = parseStatusCode(rawCode);
  if (!code || !OFFICE_CODES.has(code)) {
    throw new AppError('VALIDATION_FAILED', 'invalid status code', [{ field: 'code', problem: 'must be one of 02, 03, 04, 05, 06 (15 or 16 to answer a recall)' }]);
  }
  const text = description?.normalize('NFC').trim() || undefined;
  if (code === '02' && !text) throw new AppError('VALIDATION_FAILED', 'a refusal needs a reason', [{ field: 'description', problem: 'is required for 02' }]);
  const check = (d: IncomingRecord) => {
    const t = nextIncomingState(d.state, code, { recallRequested: d.recallRequested !== null });
    if (!t.ok) throw new AppError('CONFLICT', t.message, { state: d.state, code, reason: t.reason });
    return t;
  };
  check(doc);
  const now = nowOf(deps);
  const entry: OutboxEntry = await prepareStatusEntry(
    store,
    {
      recordId: doc.id,
      recordCollection: 'incoming',
      senderOrganId: doc.from.organId,
      documentId: doc.documentId,
      code: `${doc.number}/${doc.notation}`,
      promulgationDate: doc.promulgationDate,
      priority: doc.priority,
    },
    { from: { organId: config.organ.id, organName: config.organ.name }, to: [doc.from.organId], statusCode: code, ...(text ? { description: text } : {}), at: now, staff: actor.name },
  );
  const at = now.toISOString();
  let removed: string[] = [];
  const updated = await store.transaction((tx) => {
    const docs = tx.collection<IncomingRecord>(C.incoming);
    const d = docs.get(id);
    if (!d) throw new AppError('NOT_FOUND', `no document ${id}`);
    const t = check(d);
    d.state = t.state;
    if (code === '15' || code === '16') d.recallRequested = null;
    if (code === '02') d.reason = text ?? null;
    d.sentCodes.push(code);
    addHistory(d, { at, event: code === '15' ? 'recall-agreed' : code === '16' ? 'recall-refused' : 'status-set', statusCode: code, by: actor.name, ...(text ? { description: text } : {}) });
    if (code === '15') {
      // QĐ 28 Art. 9: on a recall the receiver deletes the document (the record and history stay).
      removed = [d.file, ...d.attachments, d.edxml].flatMap((f) => (f && !f.removed ? [f.sha256] : []));
      const drop = (f: StoredFile): StoredFile => ({ ...f, removed: true });
      d.file = d.file ? drop(d.file) : null;
      d.attachments = d.attachments.map(drop);
      d.edxml = drop(d.edxml);
      d.signatures = [];
    }
    docs.put(d);
    stageOutboxEntry(tx, entry);
    tx.audit({ event: code === '15' ? 'recall-agreed' : 'status-set', actor: actorName(actor), subject: d.documentId, data: { record: id, code, description: text } });
    return d;
  });
  deps.onQueued?.();
  if (removed.length > 0) await removeBlobs(store, removed);
  deps.bus.publish('incoming.status', { id, documentId: updated.documentId, statusCode: code });
  if (code === '15') deps.bus.publish('incoming.recalled', { id, documentId: updated.documentId });
  return updated;
}

export async function recallDocument(deps: DocumentsDeps, id: string, reason: string, actor: Actor): Promise<OutgoingRecord> {
  const { store, config } = deps;
  const doc = store.activeGet(C.outgoing, id) as OutgoingRecord | undefined;
  if (!doc) {
    if (store.activeGet(C.incoming, id)) throw new AppError('CONFLICT', 'only outgoing documents can be recalled');
    throw new AppError('NOT_FOUND', `no document ${id}`);
  }
  const text = typeof reason === 'string' ? reason.normalize('NFC').trim() : '';
  if (!text) throw new AppError('VALIDATION_FAILED', 'a recall needs a reason', [{ field: 'reason', problem: 'is required' }]);
  const check = (d: OutgoingRecord) => {
    const t = nextOutgoingState(d.state, 'recall');
    if (!t.ok) throw new AppError('CONFLICT', `the document cannot be recalled while ${d.state}`, { state: d.state });
    return t;
  };
  check(doc);
  const now = nowOf(deps);
  const entries: OutboxEntry[] = [];
  for (const r of doc.recipients) {
    entries.push(
      await prepareStatusEntry(
        store,
        {
          recordId: doc.id,
          recordCollection: 'outgoing',
          senderOrganId: config.organ.id,
          documentId: doc.documentId,
          code: `${doc.metadata.number}/${doc.metadata.notation}`,
          promulgationDate: doc.metadata.promulgationDate,
          priority: doc.metadata.priority,
        },
        { from: { organId: config.organ.id, organName: config.organ.name }, to: [r.organId], statusCode: '13', description: text, at: now, staff: actor.name },
      ),
    );
  }
  const at = now.toISOString();
  const updated = await store.transaction((tx) => {
    const docs = tx.collection<OutgoingRecord>(C.outgoing);
    const d = docs.get(id);
    if (!d) throw new AppError('NOT_FOUND', `no document ${id}`);
    d.state = check(d).state;
    d.recall = { reason: text, at };
    d.recipients = d.recipients.map((r) => ({ ...r, ...applyRecipientStatus(r, { code: '13', at, description: text }).status }));
    addHistory(d, { at, event: 'recall-requested', statusCode: '13', by: actor.name, description: text });
    docs.put(d);
    for (const e of entries) stageOutboxEntry(tx, e);
    tx.audit({ event: 'recall-requested', actor: actorName(actor), subject: d.documentId, data: { record: id, reason: text, to: d.recipients.map((r) => r.organId) } });
    return d;
  });
  deps.onQueued?.();
  return updated;
}
