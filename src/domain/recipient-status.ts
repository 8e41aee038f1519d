import type { StatusCode } from './status-codes.js';

/**
 * Per-recipient tracking of an outgoing document. Each recipient reports status codes (01…06,
 * 02 = refused; 15/16 answer our recall 13). Over a store-and-forward network they can arrive out
 * of order and more than once, so applying a code never moves a recipient backwards, but every
 * report is kept in the history (the API shows it) — except exact duplicates of one package.
 *
 * Progress order (decided): 01 arrived < 03 accepted < 04 assigned < 05 in progress
 * < 02 refused < 06 done. The standard receiver flow never sends both 02 and 03, so when both
 * are seen the refusal is a return that came later (after acceptance, even after processing
 * started) and wins; "done" is the strongest statement a receiver makes and outranks everything.
 * The recall answer is tracked on its own axis: none < requested (13 sent) < agreed (15) |
 * refused (16); the first answer wins and a contradicting later one is only recorded.
 */
export type RecipientStage = 'pending' | 'arrived' | 'accepted' | 'assigned' | 'in-progress' | 'refused' | 'done';
export type RecallProgress = 'none' | 'requested' | 'agreed' | 'refused';

export const RECIPIENT_STAGE_RANK: Readonly<Record<RecipientStage, number>> = {
  pending: 0,
  arrived: 1,
  accepted: 2,
  assigned: 3,
  'in-progress': 4,
  refused: 5,
  done: 6,
};

export const RECALL_RANK: Readonly<Record<RecallProgress, number>> = { none: 0, requested: 1, agreed: 2, refused: 2 };

const STAGE_OF: Partial<Record<StatusCode, RecipientStage>> = {
  '01': 'arrived',
  '02': 'refused',
  '03': 'accepted',
  '04': 'assigned',
  '05': 'in-progress',
  '06': 'done',
};
const RECALL_OF: Partial<Record<StatusCode, RecallProgress>> = { '13': 'requested', '15': 'agreed', '16': 'refused' };

export interface StatusReport {
  code: StatusCode;
  /** When it was reported (the package's Timestamp, or when we received it), ISO 8601. */
  at: string;
  description?: string;
  /** Stable id of the status package: a second report with the same id is a duplicate. */
  packageId?: string;
}

export interface RecipientStatus {
  organId: string;
  stage: RecipientStage;
  /** The code that put the recipient in its stage; null while pending. */
  latest: StatusCode | null;
  recall: RecallProgress;
  /** Every report applied, in the order they reached us. */
  history: StatusReport[];
}

export interface RecipientUpdate {
  status: RecipientStatus;
  /** stage, latest or recall changed. */
  changed: boolean;
  /** The report's package was applied before: nothing changed, nothing recorded. */
  duplicate: boolean;
  /** The report was recorded but is older news than the current stage (or a late recall answer). */
  superseded: boolean;
}

export function newRecipientStatus(organId: string): RecipientStatus {
  return { organId, stage: 'pending', latest: null, recall: 'none', history: [] };
}

/** Apply one status report to a recipient. Pure: returns a new record, never mutates the input. */
export function applyRecipientStatus(current: RecipientStatus, report: StatusReport): RecipientUpdate {
  if (report.packageId !== undefined && current.history.some((h) => h.packageId === report.packageId)) {
    return { status: current, changed: false, duplicate: true, superseded: false };
  }
  const next: RecipientStatus = { ...current, history: [...current.history, { ...report }] };
  const stage = STAGE_OF[report.code];
  const recall = RECALL_OF[report.code];
  let changed = false;
  if (stage !== undefined && RECIPIENT_STAGE_RANK[stage] > RECIPIENT_STAGE_RANK[current.stage]) {
    next.stage = stage;
    next.latest = report.code;
    changed = true;
  }
  if (recall !== undefined && RECALL_RANK[recall] > RECALL_RANK[current.recall]) {
    next.recall = recall;
    changed = true;
  }
  return { status: next, changed, duplicate: false, superseded: !changed };
}

/** Codes that prove the document reached the recipient: anything the receiver sent. */
const RECEIPT_CODES: ReadonlySet<string> = new Set(['01', '02', '03', '04', '05', '06', '15', '16']);

const HOUR_MS = 3_600_000;

function toMillis(t: Date | number | string): number {
  if (t instanceof Date) return t.getTime();
  if (typeof t === 'number') return t;
  return Date.parse(t);
}

/**
 * Is a recipient overdue? True when no receipt has come back more than `deadlineHours` after
 * `sentAt` (spec: "no 01 within relay.receiptDeadlineHours"). Any receiver code counts as a
 * receipt, not only 01: some systems skip 01 and answer 03 directly, and a receiver that accepted
 * the document has evidently received it. The deadline itself is elapsed hours, not working hours
 * (the legal "same day" rule is [uncertain]; the hours are configuration). Exactly at the deadline
 * is not yet overdue. Unparseable times or a non-positive deadline give false: never raise a
 * false alarm from bad data.
 */
export function isOverdue(
  sentAt: Date | number | string,
  receivedCodes: Iterable<string>,
  now: Date | number | string,
  deadlineHours: number,
): boolean {
  for (const c of receivedCodes) if (RECEIPT_CODES.has(c)) return false;
  const sent = toMillis(sentAt);
  const at = toMillis(now);
  if (!Number.isFinite(sent) || !Number.isFinite(at) || !Number.isFinite(deadlineHours) || deadlineHours <= 0) return false;
  return at - sent > deadlineHours * HOUR_MS;
}

/** When a recipient without a receipt becomes overdue (ms since the epoch), for timers. */
export function overdueAtMillis(sentAt: Date | number | string, deadlineHours: number): number {
  return toMillis(sentAt) + deadlineHours * HOUR_MS;
}
