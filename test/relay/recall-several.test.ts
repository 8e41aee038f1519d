import t from 'tap';
import type { OutgoingRecord } from '../../src/documents/records.js';
import { CLERK, OFFICE_A, OFFICE_B, SAMPLE_PDF, makeOffices, metadataFor, until, upload, type OfficeSpec } from '../support/office.js';

/**
 * A recall of a document sent to two offices, over the simulator on 127.0.0.1. The 13 goes out as
 * one status package per recipient, and those packages are byte-identical (a status package
 * carries no `To`): the axis must not take the second one for a resend of the first, or the
 * second office never hears of the recall. Each office answers for itself (15 and 16).
 */
const OFFICE_C: OfficeSpec = { id: '000.00.00.G22', name: 'Văn phòng Chính phủ', abbreviation: 'VPCP' };

t.test('a recall reaches every recipient and each answer comes back', async (t) => {
  const dir = t.testdir();
  const env = await makeOffices(dir, [OFFICE_A, OFFICE_B, OFFICE_C]);
  t.teardown(() => env.close());
  const [a, b, c] = env.offices as [(typeof env.offices)[0], (typeof env.offices)[0], (typeof env.offices)[0]];

  const sent = await a.core.documents.submit({ metadata: metadataFor([OFFICE_B.id, OFFICE_C.id]), file: await upload(dir, SAMPLE_PDF), attachments: [], actor: CLERK });
  await until(async () => (await a.core.documents.get(sent.id)).state === 'sent', 20_000, 'A: sent');
  const received = [];
  for (const o of [b, c]) {
    await o.core.inbox.poll();
    const got = (await o.core.documents.list({ direction: 'incoming' })).items[0];
    t.equal(got?.state, 'arrived', `${o.spec.id} received the document`);
    received.push(got!.id);
  }
  const [atB, atC] = received as [string, string];

  await a.core.documents.recall(sent.id, 'Ban hành nhầm', CLERK);
  await until(() => a.core.store.activeCount('outbox') === 0, 20_000, 'A: both 13s sent');
  t.equal(env.sim.stats().perAgency[OFFICE_A.id]?.duplicates ?? 0, 0, 'neither 13 was taken for a resend');
  for (const [o, id] of [[b, atB], [c, atC]] as const) {
    await o.core.inbox.poll();
    t.equal((await o.core.documents.get(id)).recallRequested?.reason, 'Ban hành nhầm', `${o.spec.id} sees the recall request`);
  }

  await b.core.documents.setIncomingStatus(atB, '15', undefined, CLERK);
  await c.core.documents.setIncomingStatus(atC, '16', 'Văn bản đã được triển khai', CLERK);
  for (const o of [b, c]) await until(() => o.core.store.activeCount('outbox') === 0, 20_000, `${o.spec.id}: answer sent`);
  await a.core.inbox.poll();
  const final = a.core.store.activeGet('outgoing', sent.id) as OutgoingRecord;
  const recallOf = (id: string) => final.recipients.find((r) => r.organId === id)?.recall;
  t.equal(recallOf(OFFICE_B.id), 'agreed', 'B agreed');
  t.equal(recallOf(OFFICE_C.id), 'refused', 'C refused');
  t.equal((await b.core.documents.get(atB)).state, 'recalled', 'B’s copy is recalled');
  t.not((await c.core.documents.get(atC)).state, 'recalled', 'C keeps its copy');
});
