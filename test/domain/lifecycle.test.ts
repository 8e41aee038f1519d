import t from 'tap';
import fc from 'fast-check';
import {
  INCOMING_RANK,
  INCOMING_STATES,
  OUTGOING_RANK,
  OUTGOING_STATES,
  acceptRecallRequest,
  nextIncomingState,
  nextOutgoingState,
  type IncomingState,
  type OutgoingEvent,
  type OutgoingState,
} from '../../src/domain/lifecycle.js';
import { STATUS_CODES, type StatusCode } from '../../src/domain/status-codes.js';

// The contract of spec/http-api.md "States" plus the documented decisions, written out
// independently of the implementation's table: [from, code, to].
const ALLOWED: ReadonlyArray<readonly [IncomingState, StatusCode, IncomingState]> = [
  ['arrived', '03', 'accepted'],
  ['arrived', '02', 'refused'],
  ['accepted', '04', 'assigned'],
  ['accepted', '05', 'in-progress'],
  ['accepted', '06', 'done'],
  ['assigned', '05', 'in-progress'],
  ['assigned', '06', 'done'],
  ['in-progress', '06', 'done'],
];

t.test('incoming: the normal path', async (t) => {
  const steps: Array<[StatusCode, IncomingState]> = [['03', 'accepted'], ['04', 'assigned'], ['05', 'in-progress'], ['06', 'done']];
  let s: IncomingState = 'arrived';
  for (const [code, want] of steps) {
    const r = nextIncomingState(s, code);
    t.same(r, { ok: true, state: want, recallRequested: false }, `${s} + ${code}`);
    if (r.ok) s = r.state;
  }
});

t.test('incoming: refusals are typed', async (t) => {
  t.same(nextIncomingState('arrived', '02'), { ok: true, state: 'refused', recallRequested: false });
  t.match(nextIncomingState('accepted', '02'), { ok: false, reason: 'invalid-transition' }, 'no refusal after acceptance');
  t.match(nextIncomingState('arrived', '04'), { ok: false, reason: 'invalid-transition' }, 'acceptance cannot be skipped');
  t.match(nextIncomingState('arrived', '06'), { ok: false, reason: 'invalid-transition' });
  t.match(nextIncomingState('in-progress', '04'), { ok: false, reason: 'invalid-transition' }, 'never backwards');
  t.match(nextIncomingState('in-progress', '05'), { ok: false, reason: 'invalid-transition' }, 'no repeat');
  t.match(nextIncomingState('done', '06'), { ok: false, reason: 'invalid-transition' });
  t.match(nextIncomingState('refused', '03'), { ok: false, reason: 'invalid-transition' });
  t.match(nextIncomingState('arrived', '01'), { ok: false, reason: 'automatic-code' });
  t.match(nextIncomingState('arrived', '13'), { ok: false, reason: 'sender-code' });
  t.match(nextIncomingState('accepted', '15'), { ok: false, reason: 'no-recall-pending' });
  const r = nextIncomingState('accepted', '04');
  t.ok(r.ok);
  const bad = nextIncomingState('done', '03');
  t.ok(!bad.ok && bad.message.includes('03') && bad.message.includes('done'), 'message names code and state');
});

t.test('incoming: skipping forward after acceptance is allowed', async (t) => {
  t.match(nextIncomingState('accepted', '05'), { ok: true, state: 'in-progress' });
  t.match(nextIncomingState('accepted', '06'), { ok: true, state: 'done' });
  t.match(nextIncomingState('assigned', '06'), { ok: true, state: 'done' });
});

t.test('incoming: recall', async (t) => {
  t.ok(acceptRecallRequest('done'));
  t.notOk(acceptRecallRequest('recalled'));
  for (const s of ['arrived', 'accepted', 'refused', 'assigned', 'in-progress', 'done'] as const) {
    t.same(nextIncomingState(s, '15', { recallRequested: true }), { ok: true, state: 'recalled', recallRequested: false }, `${s} + 15`);
    t.same(nextIncomingState(s, '16', { recallRequested: true }), { ok: true, state: s, recallRequested: false }, `${s} + 16`);
  }
  t.match(nextIncomingState('recalled', '15', { recallRequested: true }), { ok: false, reason: 'invalid-transition' });
  t.same(nextIncomingState('accepted', '04', { recallRequested: true }), { ok: true, state: 'assigned', recallRequested: true }, 'a pending recall survives other steps');
});

t.test('outgoing', async (t) => {
  t.same(nextOutgoingState('signed', 'enqueue'), { ok: true, state: 'queued' });
  t.same(nextOutgoingState('queued', 'axis-accepted'), { ok: true, state: 'sent' });
  t.same(nextOutgoingState('queued', 'axis-refused'), { ok: true, state: 'failed' });
  t.same(nextOutgoingState('sent', 'recall'), { ok: true, state: 'recalled' });
  t.match(nextOutgoingState('signed', 'axis-accepted'), { ok: false, reason: 'invalid-transition' });
  t.match(nextOutgoingState('queued', 'recall'), { ok: false });
  t.match(nextOutgoingState('failed', 'enqueue'), { ok: false });
  t.match(nextOutgoingState('recalled', 'recall'), { ok: false });
});

t.test('property: incoming never goes backwards, moves only through allowed codes', async (t) => {
  const step = fc.record({ code: fc.constantFrom(...STATUS_CODES), recall: fc.boolean() });
  fc.assert(
    fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
      let s: IncomingState = 'arrived';
      let pending = false;
      for (const { code, recall } of steps) {
        if (recall && acceptRecallRequest(s)) pending = true;
        const r = nextIncomingState(s, code, { recallRequested: pending });
        if (!r.ok) continue;
        if (INCOMING_RANK[r.state] < INCOMING_RANK[s]) return false;
        const viaTable = ALLOWED.some(([f, c, to]) => f === s && c === code && to === r.state);
        const viaRecall = pending && ((code === '15' && r.state === 'recalled') || (code === '16' && r.state === s));
        if (!viaTable && !viaRecall) return false;
        s = r.state;
        pending = r.recallRequested;
      }
      return true;
    }),
    { numRuns: 200 },
  );
  t.pass('held');
});

t.test('every incoming state is reachable from arrived', async (t) => {
  const seen = new Set<IncomingState>(['arrived']);
  const queue: IncomingState[] = ['arrived'];
  while (queue.length > 0) {
    const s = queue.shift() as IncomingState;
    for (const code of STATUS_CODES) {
      for (const recallRequested of [false, true]) {
        const r = nextIncomingState(s, code, { recallRequested });
        if (r.ok && !seen.has(r.state)) {
          seen.add(r.state);
          queue.push(r.state);
        }
      }
    }
  }
  t.same([...seen].sort(), [...INCOMING_STATES].sort());
});

t.test('property: outgoing never goes backwards', async (t) => {
  const events: OutgoingEvent[] = ['enqueue', 'axis-accepted', 'axis-refused', 'recall'];
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...events), { maxLength: 20 }), (evs) => {
      let s: OutgoingState = 'signed';
      for (const e of evs) {
        const r = nextOutgoingState(s, e);
        if (!r.ok) continue;
        if (OUTGOING_RANK[r.state] <= OUTGOING_RANK[s]) return false;
        s = r.state;
      }
      return OUTGOING_STATES.includes(s);
    }),
    { numRuns: 200 },
  );
  t.pass('held');
});
