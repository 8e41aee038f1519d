import t from 'tap';
import fc from 'fast-check';
import { OUTBOX_BACKOFF, WEBHOOK_BACKOFF, backoffDelay, nextAttemptAt, type BackoffPolicy } from '../../src/relay/backoff.js';

/**
 * The retry delays of the outbox and the webhook queue: exponential from the base, capped, and
 * spread by the jitter so a long queue does not retry in lockstep when the axis comes back.
 */
const fixed = (v: number) => () => v;

t.test('exponential growth from the base, capped', async (t) => {
  const p: BackoffPolicy = { baseMs: 1_000, factor: 2, maxMs: 10_000, jitter: 0 };
  t.same([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(p, n)), [1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
  t.equal(backoffDelay(p, 0), 1_000, 'attempts below 1 count as the first');
  t.equal(backoffDelay(p, 10_000), 10_000, 'a huge attempt count stays finite and capped');
  t.equal(backoffDelay(OUTBOX_BACKOFF, 1, fixed(0.5)), 5_000, 'outbox: 5 s after the first failure');
  t.equal(backoffDelay(OUTBOX_BACKOFF, 100, fixed(0.5)), 10 * 60_000, 'outbox: at most 10 min');
  t.equal(backoffDelay(WEBHOOK_BACKOFF, 100, fixed(0.5)), 5 * 60_000, 'webhooks: at most 5 min');
});

t.test('jitter spreads each delay within ±jitter and never past the cap', async (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 200 }), fc.double({ min: 0, max: 0.999999, noNaN: true }), (attempts, r) => {
      const p = OUTBOX_BACKOFF;
      const raw = Math.min(p.maxMs, p.baseMs * 2 ** Math.min(attempts - 1, 60));
      const d = backoffDelay(p, attempts, fixed(r));
      return d >= Math.floor(raw * (1 - p.jitter)) && d <= Math.ceil(Math.min(p.maxMs, raw * (1 + p.jitter)));
    }),
  );
  const spread = new Set([0, 0.25, 0.5, 0.75, 0.999].map((r) => backoffDelay(OUTBOX_BACKOFF, 3, fixed(r))));
  t.ok(spread.size >= 4, 'different draws give different delays (no lockstep)');
  t.ok(backoffDelay(OUTBOX_BACKOFF, 3, fixed(0)) < backoffDelay(OUTBOX_BACKOFF, 3, fixed(0.999)));
});

t.test('nextAttemptAt is now plus the delay', async (t) => {
  const now = new Date('2026-11-27T08:00:00.000Z');
  t.equal(nextAttemptAt({ baseMs: 2_000, factor: 3, maxMs: 60_000, jitter: 0 }, 2, now), '2026-11-27T08:00:06.000Z');
});
