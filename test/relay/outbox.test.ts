import t from 'tap';
import type { OutgoingRecord } from '../../src/documents/records.js';
import { CLERK, OFFICE_A, OFFICE_B, SAMPLE_PDF, makeOffices, metadataFor, until, upload } from '../support/office.js';

/**
 * The outbox against a real simulator with its fault knobs: an outage with a restart in the
 * middle, an accepted-then-dropped connection, refused credentials and a permanent refusal.
 */
const FAST = { baseMs: 100, factor: 2, maxMs: 400, jitter: 0 };

t.test('axis down, then back: every queued document delivered exactly once, most urgent first, across a restart', async (t) => {
  const dir = t.testdir();
  // One at a time so the delivery order is exactly the sending order.
  const env = await makeOffices(dir, [OFFICE_A, OFFICE_B], { tuning: { outboxConcurrency: 1, outboxBackoff: FAST } });
  t.teardown(() => env.close());
  const [a, b] = env.offices as [(typeof env.offices)[0], (typeof env.offices)[0]];
  await until(() => a.core.store.activeCount('organs') === 2, 20_000, 'directory synced');

  env.sim.faults.set({ down: true });
  const priorities = [0, 3, 1, 0, 4, 2];
  const ids: string[] = [];
  for (const p of priorities) {
    const v = await a.core.documents.submit({ metadata: metadataFor([OFFICE_B.id], { priority: p }), file: await upload(dir, SAMPLE_PDF), attachments: [], actor: CLERK });
    ids.push(v.id);
  }
  await until(async () => (await a.core.health()).axis.state === 'unreachable', 20_000, 'axis seen unreachable');
  t.ok(a.events.some((e) => e.name === 'axis.state' && (e.payload as { state: string }).state === 'unreachable'), 'axis.state published');
  for (const id of ids) t.equal((await a.core.documents.get(id)).state, 'queued', 'still queued while the axis is down');

  // A restart in the middle: the queue is durable; attempts carry over.
  const attemptsBefore = (a.core.store.collection<OutgoingRecord>('outgoing').listActive()).reduce((n, d) => n + d.relay.attempts, 0);
  t.ok(attemptsBefore > 0, 'attempts were recorded');
  await a.restart();
  t.equal(a.core.store.activeCount('outbox'), priorities.length, 'every entry survived the restart');
  const attemptsAfter = (a.core.store.collection<OutgoingRecord>('outgoing').listActive()).reduce((n, d) => n + d.relay.attempts, 0);
  t.ok(attemptsAfter >= attemptsBefore, 'attempt counts continue after the restart');

  env.sim.faults.set({ down: false });
  await until(() => a.core.store.activeCount('outbox') === 0, 30_000, 'queue drained');
  for (const id of ids) t.equal((await a.core.documents.get(id)).state, 'sent');
  t.equal(env.sim.stats().received, priorities.length, 'the axis received each package exactly once');

  const byAxisId = new Map(a.core.store.collection<OutgoingRecord>('outgoing').listActive().map((d) => [d.relay.axisDocId, d.metadata.priority]));
  const arrived = await env.axisAs(OFFICE_B.id).getReceivedEdocList('edoc');
  t.same(arrived.map((e) => byAxisId.get(e.docId)), [3, 4, 2, 1, 0, 0], 'Hỏa tốc first, then 2, 1, 0 (oldest first within a tier)');

  const round = await b.core.inbox.poll();
  t.equal(round.processed, priorities.length, 'B received each document once');
});

t.test('the axis stores a package and drops the connection: the retry is deduplicated', async (t) => {
  const dir = t.testdir();
  const env = await makeOffices(dir, [OFFICE_A, OFFICE_B], { tuning: { outboxBackoff: FAST } });
  t.teardown(() => env.close());
  const [a, b] = env.offices as [(typeof env.offices)[0], (typeof env.offices)[0]];
  env.sim.faults.set({ dropAfterAccept: true });
  const v = await a.core.documents.submit({ metadata: metadataFor([OFFICE_B.id]), file: await upload(dir, SAMPLE_PDF), attachments: [], actor: CLERK });
  await until(async () => ((await a.core.documents.get(v.id)).relay?.attempts ?? 0) >= 1, 20_000, 'a failed attempt');
  env.sim.faults.set({ dropAfterAccept: false });
  await until(async () => (await a.core.documents.get(v.id)).state === 'sent', 20_000, 'sent');
  const stats = env.sim.stats();
  t.equal(stats.received, 1, 'stored once');
  t.ok(stats.duplicates >= 1, 'the resend was recognised as a duplicate');
  t.equal((await b.core.inbox.poll()).processed, 1, 'delivered once');
});

t.test('refused credentials keep documents queued and the axis state says so', async (t) => {
  const dir = t.testdir();
  const env = await makeOffices(dir, [OFFICE_A, OFFICE_B], { wrongSecretFor: [OFFICE_A.id], tuning: { outboxBackoff: FAST } });
  t.teardown(() => env.close());
  const [a] = env.offices as [(typeof env.offices)[0]];
  const v = await a.core.documents.submit({ metadata: metadataFor([OFFICE_B.id]), file: await upload(dir, SAMPLE_PDF), attachments: [], actor: CLERK });
  await until(async () => (await a.core.health()).axis.state === 'refused', 20_000, 'axis refused us');
  // The axis state is reported before the attempt's transaction commits: wait for the record.
  const doc = await until(async () => {
    const d = await a.core.documents.get(v.id);
    return d.relay?.lastError ? d : null;
  }, 20_000, 'the failed attempt recorded');
  t.equal(doc.state, 'queued', 'kept queued: the secret is fixed once, not every document resubmitted');
  t.match(doc.relay?.lastError ?? '', /AUTH/, 'the reason is recorded');
  t.equal(env.sim.stats().received, 0);
});

t.test('a package the axis refuses for good fails its document with the reason', async (t) => {
  const dir = t.testdir();
  const env = await makeOffices(dir, [OFFICE_A, OFFICE_B], { tuning: { outboxBackoff: FAST } });
  t.teardown(() => env.close());
  const [a] = env.offices as [(typeof env.offices)[0]];
  // An empty directory (never synced): the recipient is only checked syntactically here, so the
  // axis is the one that refuses it.
  await until(() => a.core.store.activeCount('organs') === 2, 20_000, 'directory synced');
  a.core.organs.stop();
  await a.core.store.transaction((tx) => {
    for (const id of [OFFICE_A.id, OFFICE_B.id]) tx.collection('organs').delete(id);
  });
  const v = await a.core.documents.submit({ metadata: metadataFor(['000.00.00.G22']), file: await upload(dir, SAMPLE_PDF), attachments: [], actor: CLERK });
  await until(async () => (await a.core.documents.get(v.id)).state === 'failed', 20_000, 'failed');
  const doc = await a.core.documents.get(v.id);
  t.match(doc.relay?.lastError ?? '', /UNKNOWN_AGENCY|unknown recipient/i);
  t.ok(a.events.some((e) => e.name === 'outgoing.failed'), 'outgoing.failed published');
  t.equal(a.core.store.activeCount('outbox'), 0, 'nothing left to retry');
});
