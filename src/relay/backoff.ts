/**
 * Exponential backoff with jitter for the outbox and the webhook queue. The delay of attempt n
 * (1-based: the delay after the first failure is attempt 1) is `base × factor^(n-1)`, capped, then
 * spread by ±jitter so that 1,000 documents queued during an outage do not all retry in the same
 * second when the axis comes back ("thundering herd").
 */
export interface BackoffPolicy {
  baseMs: number;
  factor: number;
  maxMs: number;
  /** Fraction of the delay added or removed at random, 0..1. */
  jitter: number;
}

/** Outbox default: 5 s, doubling, at most 10 min (relay.md). */
export const OUTBOX_BACKOFF: BackoffPolicy = { baseMs: 5_000, factor: 2, maxMs: 10 * 60_000, jitter: 0.2 };

/** Webhooks: the office's DMS may be down for a while too; same shape, shorter cap. */
export const WEBHOOK_BACKOFF: BackoffPolicy = { baseMs: 2_000, factor: 2, maxMs: 5 * 60_000, jitter: 0.2 };

/** Delay in ms before the next try after `attempts` failures (attempts ≥ 1). */
export function backoffDelay(policy: BackoffPolicy, attempts: number, random: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(attempts));
  // Math.pow overflows to Infinity for large n; min() keeps it finite.
  const raw = Math.min(policy.maxMs, policy.baseMs * Math.pow(policy.factor, Math.min(n - 1, 60)));
  const spread = raw * policy.jitter * (random() * 2 - 1);
  return Math.max(0, Math.round(Math.min(policy.maxMs, raw + spread)));
}

/** The ISO time of the next try. */
export function nextAttemptAt(policy: BackoffPolicy, attempts: number, now: Date, random?: () => number): string {
  return new Date(now.getTime() + backoffDelay(policy, attempts, random)).toISOString();
}
