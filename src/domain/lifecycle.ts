import type { StatusCode } from './status-codes.js';

/**
 * State machines of a document's life in this office (spec/http-api.md "States").
 *
 * Incoming: `arrived` (01 is sent automatically) → `accepted` (03) | `refused` (02);
 * `accepted` → `assigned` (04) → `in-progress` (05) → `done` (06); `recalled` after the sender's
 * recall request (13) that the office agreed to (15).
 *
 * Decisions:
 * - Skipping forward is allowed after acceptance (accepted → in-progress or done, assigned →
 *   done). A commune office often handles a document without a formal assignment, and NĐ 30 asks
 *   for the processing status to be reported, not for every intermediate step; forcing the clerk
 *   to send meaningless 04/05 packages would only add traffic. The order itself is enforced:
 *   nothing ever moves back.
 * - Acceptance (03) cannot be skipped: it is the legal act of receipt after checking integrity and
 *   authenticity (QĐ 28 Art. 9), so 04/05/06 need an accepted document.
 * - Refusal (02) is possible only from `arrived`: once accepted the document is the office's
 *   responsibility; a document found mis-addressed later is handled outside the exchange.
 * - Repeating the current state's code is an invalid transition (409), not a no-op: the HTTP layer
 *   has idempotency keys for retries, and a second 05 would send a second status package.
 * - A recall request (13) changes no state: the record notes it and the clerk answers 15 (→
 *   `recalled`, from any state but `recalled`, refused and done included: the sender may withdraw a
 *   document that was already handled) or 16 (state unchanged). 15/16 need a pending request.
 */
export const INCOMING_STATES = ['arrived', 'accepted', 'refused', 'assigned', 'in-progress', 'done', 'recalled'] as const;
export type IncomingState = (typeof INCOMING_STATES)[number];

/** Order along the life cycle; a transition never lowers it. refused/accepted are alternatives. */
export const INCOMING_RANK: Readonly<Record<IncomingState, number>> = {
  arrived: 0,
  accepted: 1,
  refused: 1,
  assigned: 2,
  'in-progress': 3,
  done: 4,
  recalled: 5,
};

/** The business transitions the office itself makes, as data: [from, code, to]. */
export const INCOMING_TRANSITIONS: ReadonlyArray<readonly [IncomingState, StatusCode, IncomingState]> = [
  ['arrived', '03', 'accepted'],
  ['arrived', '02', 'refused'],
  ['accepted', '04', 'assigned'],
  ['accepted', '05', 'in-progress'],
  ['accepted', '06', 'done'],
  ['assigned', '05', 'in-progress'],
  ['assigned', '06', 'done'],
  ['in-progress', '06', 'done'],
];

export type TransitionRefusal =
  | 'invalid-transition' // the code is not allowed from this state
  | 'automatic-code' // 01 is sent by the gateway on arrival, never set by hand
  | 'sender-code' // 13 is the sender's; use it on the incoming record as a recall request
  | 'no-recall-pending'; // 15/16 answer a 13 that never came

export type IncomingTransition =
  | { ok: true; state: IncomingState; recallRequested: boolean }
  | { ok: false; reason: TransitionRefusal; message: string };

export interface IncomingContext {
  /** A 13 from the sender is waiting for the office's answer. */
  recallRequested?: boolean;
}

/**
 * The state after the office sends `code` about an incoming document in state `current`, or a
 * typed refusal (the HTTP layer maps it to 409). Also returns whether a recall stays pending.
 */
export function nextIncomingState(current: IncomingState, code: StatusCode, ctx: IncomingContext = {}): IncomingTransition {
  const pending = ctx.recallRequested === true;
  if (code === '01') return refuse('automatic-code', 'status 01 is sent automatically on arrival');
  if (code === '13') return refuse('sender-code', 'status 13 is sent by the sender of a document, not its receiver');
  if (code === '15' || code === '16') {
    if (!pending) return refuse('no-recall-pending', `status ${code} answers a recall request, and none is pending`);
    if (current === 'recalled') return refuse('invalid-transition', 'the document is already recalled');
    return { ok: true, state: code === '15' ? 'recalled' : current, recallRequested: false };
  }
  const hit = INCOMING_TRANSITIONS.find(([from, c]) => from === current && c === code);
  if (hit === undefined) return refuse('invalid-transition', `status ${code} is not allowed when the document is ${current}`);
  return { ok: true, state: hit[2], recallRequested: pending };
}

/**
 * The sender asked to recall (13 received). Returns whether the request is to be recorded as
 * pending: a document already recalled has nothing left to recall (a duplicate 13).
 */
export function acceptRecallRequest(current: IncomingState): boolean {
  return current !== 'recalled';
}

function refuse(reason: TransitionRefusal, message: string): { ok: false; reason: TransitionRefusal; message: string } {
  return { ok: false, reason, message };
}

/**
 * Outgoing: `signed` → `queued` → `sent` (the axis accepted it) | `failed` (the axis refused it
 * permanently); `sent` → `recalled` (13 sent to every recipient). A failed package is not retried
 * by the state machine: transient errors never reach `failed` (the outbox keeps retrying while
 * `queued`), and a permanent refusal needs a new submission. Recall needs a sent document: before
 * that there is no recipient to send 13 to.
 */
export const OUTGOING_STATES = ['signed', 'queued', 'sent', 'failed', 'recalled'] as const;
export type OutgoingState = (typeof OUTGOING_STATES)[number];

export type OutgoingEvent = 'enqueue' | 'axis-accepted' | 'axis-refused' | 'recall';

export const OUTGOING_RANK: Readonly<Record<OutgoingState, number>> = {
  signed: 0,
  queued: 1,
  sent: 2,
  failed: 2,
  recalled: 3,
};

export const OUTGOING_TRANSITIONS: ReadonlyArray<readonly [OutgoingState, OutgoingEvent, OutgoingState]> = [
  ['signed', 'enqueue', 'queued'],
  ['queued', 'axis-accepted', 'sent'],
  ['queued', 'axis-refused', 'failed'],
  ['sent', 'recall', 'recalled'],
];

export type OutgoingTransition = { ok: true; state: OutgoingState } | { ok: false; reason: 'invalid-transition'; message: string };

export function nextOutgoingState(current: OutgoingState, event: OutgoingEvent): OutgoingTransition {
  const hit = OUTGOING_TRANSITIONS.find(([from, e]) => from === current && e === event);
  if (hit === undefined) {
    return { ok: false, reason: 'invalid-transition', message: `${event} is not allowed when the document is ${current}` };
  }
  return { ok: true, state: hit[2] };
}
