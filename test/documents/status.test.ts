import t from 'tap';
import { PassThrough } from 'node:stream';
import type { OutgoingRecord } from '../../src/documents/records.js';
import { buildStatus } from '../../src/edxml/index.js';
import { CLERK, OFFICE_A, OFFICE_B, SAMPLE_PDF, makeOffices, metadataFor, until, upload } from '../support/office.js';

/**
 * Status rules between two real gateways: the office's transitions (invalid → CONFLICT, 02 needs
 * a reason, 15/16 only answer a recall), recall preconditions, duplicate and out-of-order status
 * packages on the sender's side, overdue receipts (clock shifted) and the offline alert.
 */
let shiftMs = 0;
const now = () => new Date(Date.now() + shiftMs);
const dir = t.testdir();
const env = await makeOffices(dir, [OFFICE_A, OFFICE_B], { now, tuning: { outboxBackoff: { baseMs: 100, factor: 2, maxMs: 400, jitter: 0 } } });
t.teardown(() => env.close());
const [a, b] = env.offices as [(typeof env.offices)[0], (typeof env.offices)[0]];

async function sendOne(over: Record<string, unknown> = {}): Promise<{ outId: string; inId: string }> {
  const v = await a.core.documents.submit({ metadata: metadataFor([OFFICE_B.id], over), file: await upload(dir, SAMPLE_PDF), attachments: [], actor: CLERK });
  await until(async () => (await a.core.documents.get(v.id)).state === 'sent', 20_000, 'sent');
  await b.core.inbox.poll();
  const inc = (await b.core.documents.list({ direction: 'incoming', q: v.documentId })).items[0];
  if (!inc) throw new Error('not received');
  return { outId: v.id, inId: inc.id };
}

const drained = (o: typeof a) => until(() => o.core.store.activeCount('outbox') === 0, 20_000, 'outbox drained');

t.test('the office’s transitions on an incoming document', async (t) => {
  const { outId, inId } = await sendOne();
  const docs = b.core.documents;
  await t.rejects(docs.setIncomingStatus(inId, '05', undefined, CLERK), { code: 'CONFLICT' }, '05 before acceptance');
  await t.rejects(docs.setIncomingStatus(inId, '01', undefined, CLERK), { code: 'VALIDATION_FAILED' }, '01 is automatic');
  await t.rejects(docs.setIncomingStatus(inId, '02', '  ', CLERK), { code: 'VALIDATION_FAILED' }, '02 needs a reason');
  await t.rejects(docs.setIncomingStatus(inId, '15', undefined, CLERK), { code: 'CONFLICT' }, '15 without a recall request');
  await t.rejects(docs.setIncomingStatus(outId, '03', undefined, CLERK), { code: 'NOT_FOUND' }, 'not a document of B');
  const refused = await docs.setIncomingStatus(inId, '02', 'Sai thể thức văn bản', CLERK);
  t.equal(refused.state, 'refused');
  await t.rejects(docs.setIncomingStatus(inId, '03', undefined, CLERK), { code: 'CONFLICT' }, 'nothing after a refusal');
  await drained(b);
  await a.core.inbox.poll();
  const seen = await a.core.documents.get(outId);
  t.equal(seen.recipients[0]?.status, '02', 'A sees the refusal');
  t.ok(seen.history.some((h) => h.statusCode === '02' && h.description === 'Sai thể thức văn bản'), 'with its reason');
});

t.test('recall needs a sent document; a 16 keeps the recipient’s copy', async (t) => {
  env.sim.faults.set({ down: true }); // keeps the next document queued
  try {
    const queued = await a.core.documents.submit({ metadata: metadataFor([OFFICE_B.id]), file: await upload(dir, SAMPLE_PDF), attachments: [], actor: CLERK });
    await t.rejects(a.core.documents.recall(queued.id, 'x', CLERK), { code: 'CONFLICT' }, 'not yet sent');
  } finally {
    env.sim.faults.set({ down: false });
    a.core.outbox.wake();
  }
  const { outId, inId } = await sendOne();
  await t.rejects(a.core.documents.recall(outId, '  ', CLERK), { code: 'VALIDATION_FAILED' }, 'a reason is required');
  await t.rejects(a.core.documents.recall(inId, 'x', CLERK), { code: 'NOT_FOUND' });
  await a.core.documents.recall(outId, 'Nhầm nơi nhận', CLERK);
  await t.rejects(a.core.documents.recall(outId, 'again', CLERK), { code: 'CONFLICT' }, 'already recalled');
  await drained(a);
  await b.core.inbox.poll();
  const kept = await b.core.documents.setIncomingStatus(inId, '16', 'Đã xử lý xong', CLERK);
  t.equal(kept.state, 'arrived', '16 leaves the state');
  t.equal(kept.recallRequested, null);
  t.ok(kept.file, 'the copy is kept');
  await drained(b);
  await a.core.inbox.poll();
  const rec = a.core.store.activeGet('outgoing', outId) as OutgoingRecord;
  t.equal(rec.recipients[0]?.recall, 'refused');
  t.ok(rec.history.some((h) => h.event === 'recall-refused'));
  t.ok(a.events.some((e) => e.name === 'outgoing.status' && (e.payload as { statusCode: string }).statusCode === '16'));
});

t.test('duplicate and out-of-order status packages on the sender’s side', async (t) => {
  const { outId, inId } = await sendOne();
  await drained(b); // B's 01 is out: A has not polled yet
  await b.core.documents.setIncomingStatus(inId, '03', undefined, CLERK);
  await b.core.documents.setIncomingStatus(inId, '06', undefined, CLERK);
  await drained(b);
  // A receives 01, 03 and 06 in one round.
  await a.core.inbox.poll();
  const rec = a.core.store.activeGet('outgoing', outId) as OutgoingRecord;
  t.equal(rec.recipients[0]?.latest, '06');
  // A late copy of a 03 (another hop, another axis DocId) arrives after the 06: recorded, but it
  // does not move the recipient back.
  const late = await statusBytes(rec.documentId, '03');
  await env.sim.inject(OFFICE_A.id, OFFICE_B.id, late, 'status');
  await env.sim.inject(OFFICE_A.id, '02.29.W00', late, 'status');
  const round = await a.core.inbox.poll();
  t.equal(round.processed, 2);
  const after = a.core.store.activeGet('outgoing', outId) as OutgoingRecord;
  t.equal(after.recipients[0]?.latest, '06', 'still done');
  t.equal((await a.core.documents.get(outId)).recipients[0]?.status, '06');
  t.ok(after.recipients[0]!.history.filter((h) => h.code === '03').length >= 2, 'the late reports are kept in the history');
});

async function statusBytes(documentId: string, code: string): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const [, date, rest] = documentId.split(',');
  await buildStatus(
    {
      header: {
        from: { organId: OFFICE_B.id },
        responseFor: { organId: OFFICE_A.id, code: rest!, promulgationDate: date!.replaceAll('/', '-'), documentId },
        statusCode: code,
        timestamp: '2026-11-26T08:00:00',
      },
    },
    out,
  );
  out.end();
  return Buffer.concat(chunks);
}

t.test('overdue receipts: flagged on read, announced once', async (t) => {
  // B does not poll: no 01 comes back.
  const v = await a.core.documents.submit({ metadata: metadataFor([OFFICE_B.id]), file: await upload(dir, SAMPLE_PDF), attachments: [], actor: CLERK });
  await until(async () => (await a.core.documents.get(v.id)).state === 'sent', 20_000, 'sent');
  t.equal((await a.core.documents.get(v.id)).recipients[0]?.overdue, false);
  shiftMs = (a.config.relay.receiptDeadlineHours + 1) * 3_600_000;
  try {
    t.equal((await a.core.documents.get(v.id)).recipients[0]?.overdue, true, 'overdue after the deadline');
    t.ok((await a.core.documents.queue()).overdue >= 1);
    const n1 = await a.core.overdue.check();
    t.ok(n1 >= 1, 'announced');
    t.equal(await a.core.overdue.check(), 0, 'only once');
    const events = a.events.filter((e) => e.name === 'outgoing.overdue' && (e.payload as { id: string }).id === v.id);
    t.equal(events.length, 1);
    const today = now().toISOString().slice(0, 10);
    const report = await a.core.documents.report({ from: '2000-01-01', to: today });
    t.ok(report.overdue.some((o) => o.id === v.id), 'in the report');
    // The receipt arrives late: no longer overdue.
    await b.core.inbox.poll();
    await drained(b);
    await a.core.inbox.poll();
    t.equal((await a.core.documents.get(v.id)).recipients[0]?.overdue, false, 'a receipt clears it');
  } finally {
    shiftMs = 0;
  }
});

t.test('an entry waiting longer than relay.maxOfflineHours raises one offline alert', async (t) => {
  env.sim.faults.set({ down: true });
  try {
    const v = await a.core.documents.submit({ metadata: metadataFor([OFFICE_B.id]), file: await upload(dir, SAMPLE_PDF), attachments: [], actor: CLERK });
    shiftMs = (a.config.relay.maxOfflineHours + 1) * 3_600_000;
    a.core.outbox.wake();
    await until(() => a.events.some((e) => e.name === 'outgoing.offline-alert' && (e.payload as { id: string }).id === v.id), 20_000, 'alert');
    a.core.outbox.wake();
    await new Promise((r) => setTimeout(r, 300));
    t.equal(a.events.filter((e) => e.name === 'outgoing.offline-alert' && (e.payload as { id: string }).id === v.id).length, 1, 'once');
  } finally {
    shiftMs = 0;
    env.sim.faults.set({ down: false });
  }
  a.core.outbox.wake();
  await drained(a);
});

t.test('finished documents move to the archive and stay readable by id', async (t) => {
  const { outId, inId } = await sendOne();
  for (const code of ['03', '06']) await b.core.documents.setIncomingStatus(inId, code, undefined, CLERK);
  await drained(b);
  await a.core.inbox.poll();
  t.equal((await a.core.documents.get(outId)).recipients[0]?.status, '06');
  t.equal(await a.core.archiver.run(), 0, 'not before the retention period');
  shiftMs = 31 * 86_400_000;
  try {
    t.ok((await a.core.archiver.run()) >= 1, 'archived on A');
    t.ok((await b.core.archiver.run()) >= 1, 'archived on B');
  } finally {
    shiftMs = 0;
  }
  t.equal(a.core.store.activeGet('outgoing', outId), undefined, 'no longer in the active files');
  const fromArchive = await a.core.documents.get(outId);
  t.equal(fromArchive.recipients[0]?.status, '06', 'still readable by id');
  const file = await a.core.documents.openFile(outId);
  t.ok(file.size > 0);
  file.stream.resume();
  t.equal((await b.core.documents.get(inId)).state, 'done');
  t.notOk((await a.core.documents.list({})).items.some((d) => d.id === outId), 'lists show the active set');
});
