import type { AxisState, HsmState } from '../events.js';

/**
 * What the display's pages need to know about the rest of the service. The caller (main.ts)
 * builds it from the store and the adapters' current states; the display asks for it each
 * time it renders, so it never holds a second copy of the truth.
 */
export interface DisplayStatusSnapshot {
  hsm: HsmState;
  axis: AxisState;
  /** ISO 8601; null when the axis was never reached. */
  axisLastContactAt: string | null;
  axisError?: string | null;
  queue: {
    /** Outgoing documents accepted but not yet sent. */
    pending: number;
    /** Of those, the ones that already failed an attempt and wait for a retry. */
    retrying: number;
    /** ISO 8601 of the oldest pending document. */
    oldestPendingAt?: string | null;
  };
  /** Sent documents whose recipient's status is overdue. */
  overdue: number;
  incomingUnread: number;
  /** The newest urgent incoming document still unread (for the status page). */
  lastUrgent?: { from: string; subject: string; priority: number; at: string } | null;
  store?: 'ok' | 'full' | 'error';
  /** The LAN address staff use, shown on the network page. */
  lanAddress?: string | null;
}

/** Incoming priority from which a document is "urgent": 2 Thượng khẩn, 3 Hỏa tốc, 4 Hỏa tốc hẹn giờ. */
export const URGENT_PRIORITY = 2;

export type Health = 'healthy' | 'degraded' | 'failed';

const HSM_FAILED: ReadonlySet<HsmState> = new Set(['down', 'locked', 'pin-incorrect']);

export function isHsmFailure(state: HsmState): boolean {
  return HSM_FAILED.has(state);
}

/**
 * failed: signing impossible or state cannot be stored (HSM down/locked/wrong PIN, disk full).
 * degraded: documents wait (axis unreachable or refusing, retries pending, statuses overdue)
 * or the HSM is still starting.
 */
export function healthOf(s: DisplayStatusSnapshot): Health {
  if (isHsmFailure(s.hsm) || s.store === 'full' || s.store === 'error') return 'failed';
  if (s.axis === 'unreachable' || s.axis === 'refused' || s.queue.retrying > 0 || s.overdue > 0 || s.hsm === 'starting') {
    return 'degraded';
  }
  return 'healthy';
}
