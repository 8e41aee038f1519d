import t from 'tap';
import { pino } from 'pino';
import { EventBus } from '../../src/events.js';
import { Store } from '../../src/store/store.js';
import { Outbox } from '../../src/relay/outbox.js';
import type { RelayAxis } from '../../src/relay/outbox-axis.js';
import type { OutboxEntry, OutgoingRecord } from '../../src/documents/records.js';

/**
 * An outbox restarted with entries that already failed (the axis was out when the gateway
 * stopped) must send the most urgent one first, whatever retry times the entries stored: the
 * Hỏa tốc entry had been the probe most often, so its own stored backoff is the LONGEST. Trusting
 * it let normal documents overtake it when the axis came back (seen in CI, stop 9). Here the
 * urgent entry's stored retry lies an hour ahead: without the probe-on-start rule it would not be
 * sent at all within this test.
 */
t.test('restart with failed entries: the most urgent goes first, then the rest in order', async (t) => {
  const store = await Store.open({ stateDir: t.testdir(), logger: pino({ level: 'silent' }) });
  t.teardown(() => store.close());
  const now = Date.now();
  const iso = (ms: number): string => new Date(ms).toISOString();
  const entries: { pkg: string; priority: number; attempts: number; retryInMs: number }[] = [
    { pkg: 'normal-old', priority: 0, attempts: 2, retryInMs: -1_000 },
    { pkg: 'hoa-toc', priority: 3, attempts: 6, retryInMs: 3_600_000 },
    { pkg: 'urgent', priority: 1, attempts: 2, retryInMs: -1_000 },
    { pkg: 'normal-new', priority: 0, attempts: 2, retryInMs: -1_000 },
  ];
  await store.transaction((tx) => {
    entries.forEach((e, i) => {
      const recordId = `out-${i}`;
      tx.collection<OutgoingRecord>('outgoing').put({
        id: recordId, direction: 'outgoing', documentId: `D-${i}`, state: 'queued', history: [], updatedAt: iso(now),
        relay: { attempts: e.attempts, nextAttemptAt: iso(now + e.retryInMs), lastError: 'timeout', queuedAt: iso(now - 60_000), sentAt: null },
      } as unknown as OutgoingRecord);
      tx.collection<OutboxEntry>('outbox').put({
        id: `ob-${i}`, messageType: 'edoc', recordId, recordCollection: 'outgoing', documentId: `D-${i}`, priority: e.priority, packageId: e.pkg,
        blob: 'a'.repeat(64), size: 1, from: '000.46.24.H99', to: ['000.00.00.H99'], attempts: e.attempts, nextAttemptAt: iso(now + e.retryInMs),
        lastError: 'timeout', createdAt: iso(now - 60_000 + i), order: String(i).padStart(4, '0'),
      });
    });
  });

  const sent: string[] = [];
  const axis = {
    send: async (_pkg: unknown, meta: { packageId: string }) => {
      sent.push(meta.packageId);
      return { docId: `AX-${sent.length}` };
    },
  } as unknown as RelayAxis;
  const outbox = new Outbox({ store, axis, bus: new EventBus(), logger: pino({ level: 'silent' }), maxOfflineHours: 24, concurrency: 1 });
  outbox.start();
  t.teardown(() => outbox.stop());
  const deadline = Date.now() + 20_000;
  while (store.activeCount('outbox') > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));

  t.same(sent, ['hoa-toc', 'urgent', 'normal-old', 'normal-new'], 'Hỏa tốc first (the probe), then by priority, oldest first');
  t.equal(store.activeCount('outbox'), 0, 'the queue drained');
});
