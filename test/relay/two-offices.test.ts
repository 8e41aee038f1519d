import t from 'tap';
import { existsSync } from 'node:fs';
import { CLERK, OFFICE_A, OFFICE_B, SAMPLE_PDF, makeOffices, metadataFor, until, upload } from '../support/office.js';
import type { OutgoingRecord, IncomingRecord } from '../../src/documents/records.js';

/**
 * Two gateways (real cores, real SoftHSM tokens) and the axis simulator over HTTP on 127.0.0.1:
 * the whole life of a document, both directions of status traffic, and a recall.
 */
t.test('a document from A reaches B verified, statuses flow back in order, and a recall removes B’s copy', async (t) => {
  const dir = t.testdir();
  const env = await makeOffices(dir, [OFFICE_A, OFFICE_B]);
  t.teardown(() => env.close());
  const [a, b] = env.offices as [(typeof env.offices)[0], (typeof env.offices)[0]];

  const sent = await a.core.documents.submit({ metadata: metadataFor([OFFICE_B.id], { priority: 1 }), file: await upload(dir, SAMPLE_PDF), attachments: [], actor: CLERK });
  t.equal(sent.state, 'queued', 'accepted as queued');
  t.equal(sent.recipients[0]?.status, null);
  t.ok(sent.signatures.some((s) => s.integrity === 'valid' && s.byOrganisationKey), 'the organisation signature is on the file');

  await until(async () => (await a.core.documents.get(sent.id)).state === 'sent', 20_000, 'A: sent');
  t.equal(env.sim.stats().received, 1, 'the axis received one package');

  const r1 = await b.core.inbox.poll();
  t.equal(r1.processed, 1, 'B processed one package');
  const incoming = (await b.core.documents.list({ direction: 'incoming' })).items;
  t.equal(incoming.length, 1);
  const got = incoming[0]!;
  t.equal(got.state, 'arrived');
  t.equal(got.documentId, sent.documentId);
  t.equal(got.priority, 1);
  t.ok(got.signatures.length > 0 && got.signatures.every((s) => s.integrity === 'valid' && s.certificateTrusted), 'B verified A’s signature against its trust anchors');
  t.ok(b.events.some((e) => e.name === 'incoming.arrived'), 'B announced the arrival');
  const bodyA = await streamBytes((await a.core.documents.openFile(sent.id)).stream);
  const bodyB = await streamBytes((await b.core.documents.openFile(got.id)).stream);
  t.same(bodyB, bodyA, 'B holds exactly the signed file A sent');

  // B's 01 is automatic.
  await until(() => b.core.store.activeCount('outbox') === 0, 20_000, 'B: 01 sent');
  await a.core.inbox.poll();
  t.equal((await a.core.documents.get(sent.id)).recipients[0]?.status, '01', 'A sees 01');

  for (const code of ['03', '04', '05', '06']) {
    const v = await b.core.documents.setIncomingStatus(got.id, code, undefined, CLERK);
    t.ok(v.recipients[0]?.status === code, `B set ${code}`);
  }
  await until(() => b.core.store.activeCount('outbox') === 0, 20_000, 'B: statuses sent');
  await a.core.inbox.poll();
  const afterStatuses = await a.core.documents.get(sent.id);
  t.equal(afterStatuses.recipients[0]?.status, '06');
  const order = afterStatuses.history.filter((h) => h.event === 'status').map((h) => h.statusCode);
  t.same(order, ['01', '03', '04', '05', '06'], 'A received the statuses in order');

  // Recall: 13 to B; B agrees (15) and its copy is removed; A sees the answer.
  const recalled = await a.core.documents.recall(sent.id, 'Sai sót số liệu', CLERK);
  t.equal(recalled.state, 'recalled');
  await until(() => a.core.store.activeCount('outbox') === 0, 20_000, 'A: 13 sent');
  await b.core.inbox.poll();
  const asked = await b.core.documents.get(got.id);
  t.equal(asked.recallRequested?.reason, 'Sai sót số liệu', 'B sees the recall request');
  const fileBlob = (b.core.store.activeGet('incoming', got.id) as IncomingRecord).file!.sha256;
  await b.core.documents.setIncomingStatus(got.id, '15', undefined, CLERK);
  const gone = await b.core.documents.get(got.id);
  t.equal(gone.state, 'recalled');
  t.equal(gone.file, null, 'B’s copy is gone from the view');
  await t.rejects(b.core.documents.openFile(got.id), { code: 'NOT_FOUND' });
  t.notOk(existsSync(b.core.store.blobs.path(fileBlob)), 'the file’s blob is deleted');
  t.ok(gone.history.some((h) => h.event === 'recall-agreed'), 'B’s history keeps the recall');

  await until(() => b.core.store.activeCount('outbox') === 0, 20_000, 'B: 15 sent');
  await a.core.inbox.poll();
  const final = a.core.store.activeGet('outgoing', sent.id) as OutgoingRecord;
  t.ok(final.history.some((h) => h.event === 'recall-agreed' && h.organId === OFFICE_B.id), 'A’s history shows B agreed');
  t.equal(final.recipients[0]?.recall, 'agreed');
});

async function streamBytes(s: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks);
}
