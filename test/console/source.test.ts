import t from 'tap';
import { consoleSource } from '../../src/main-console.js';
import { StatusCache } from '../../src/main-status.js';
import { C, type OutgoingRecord } from '../../src/documents/records.js';
import { CLERK, OFFICE_A, SAMPLE_PDF, makeOffices, metadataFor, testLogger, upload } from '../support/office.js';

/**
 * The console's data source over a real core (store, SoftHSM token, axis simulator on loopback).
 * `queue [n]` must show the oldest documents not yet sent even behind a long history: a box that
 * was offline for a day holds far more active documents than one listing page.
 */
t.test('queue shows the oldest waiting documents even behind more than a page of newer ones', async (t) => {
  const env = await makeOffices(t.testdir(), [OFFICE_A]);
  t.teardown(() => env.close());
  const a = env.offices[0]!;
  const v = await a.core.documents.submit({ metadata: metadataFor([OFFICE_A.id]), file: await upload(a.dir, SAMPLE_PDF), attachments: [], actor: CLERK });
  const real = a.core.store.activeGet(C.outgoing, v.id) as OutgoingRecord;
  t.ok(real, 'a real submitted record to copy');

  // One document queued since last year, then 250 newer ones already sent (copies of the real one).
  const now = Date.now();
  await a.core.store.transaction((tx) => {
    const outgoing = tx.collection<OutgoingRecord>(C.outgoing);
    outgoing.insert({ ...structuredClone(real), id: 'out-oldest-waiting', state: 'queued', createdAt: '2025-11-01T08:00:00.000Z' });
    for (let i = 0; i < 250; i++) {
      outgoing.insert({ ...structuredClone(real), id: `out-sent-${i}`, state: 'sent', createdAt: new Date(now + 1000 + i).toISOString() });
    }
  });

  const source = consoleSource({
    config: a.config,
    core: a.core,
    cache: new StatusCache(a.core, testLogger()),
    display: null,
    startedAt: now,
    axisEndpoint: () => 'http://127.0.0.1/axis',
  });
  const queue = await source.queue(3);
  t.equal(queue[0]?.id, 'out-oldest-waiting', 'the oldest waiting document comes first');
  t.notOk(queue.some((q) => q.id.startsWith('out-sent-')), 'sent documents are not in the queue');
});
