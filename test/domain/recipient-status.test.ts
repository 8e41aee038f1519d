import t from 'tap';
import fc from 'fast-check';
import {
  RECALL_RANK,
  RECIPIENT_STAGE_RANK,
  applyRecipientStatus,
  isOverdue,
  newRecipientStatus,
  overdueAtMillis,
  type RecipientStatus,
  type StatusReport,
} from '../../src/domain/recipient-status.js';
import { STATUS_CODES, type StatusCode } from '../../src/domain/status-codes.js';

function apply(s: RecipientStatus, code: StatusCode, packageId?: string) {
  const report: StatusReport = { code, at: '2026-11-26T10:00:00Z' };
  if (packageId !== undefined) report.packageId = packageId;
  return applyRecipientStatus(s, report);
}

t.test('in-order statuses advance the recipient', async (t) => {
  let s = newRecipientStatus('000.00.00.G22');
  t.equal(s.stage, 'pending');
  for (const [code, stage] of [['01', 'arrived'], ['03', 'accepted'], ['04', 'assigned'], ['05', 'in-progress'], ['06', 'done']] as const) {
    const u = apply(s, code);
    t.ok(u.changed);
    t.equal(u.status.stage, stage);
    t.equal(u.status.latest, code);
    s = u.status;
  }
  t.same(s.history.map((h) => h.code), ['01', '03', '04', '05', '06']);
});

t.test('out of order: never backwards, everything recorded', async (t) => {
  let s = newRecipientStatus('G22');
  s = apply(s, '05').status;
  const late = apply(s, '01');
  t.equal(late.status.stage, 'in-progress');
  t.equal(late.changed, false);
  t.equal(late.superseded, true);
  t.same(late.status.history.map((h) => h.code), ['05', '01']);
  t.same(s.history.map((h) => h.code), ['05'], 'the input record is not mutated');
});

t.test('refusal outranks acceptance and progress, done outranks refusal', async (t) => {
  let s = newRecipientStatus('G22');
  s = apply(s, '03').status;
  s = apply(s, '02').status;
  t.equal(s.stage, 'refused', 'a 02 after 03 is a return');
  s = apply(s, '04').status;
  t.equal(s.stage, 'refused');
  s = apply(s, '06').status;
  t.equal(s.stage, 'done');
  s = apply(s, '02').status;
  t.equal(s.stage, 'done');
});

t.test('duplicates of one package are dropped, distinct reports kept', async (t) => {
  let s = newRecipientStatus('G22');
  s = apply(s, '05', 'pkg-1').status;
  const dup = apply(s, '05', 'pkg-1');
  t.equal(dup.duplicate, true);
  t.equal(dup.status.history.length, 1);
  const other = apply(s, '05', 'pkg-2');
  t.equal(other.duplicate, false);
  t.equal(other.status.history.length, 2, 'a second progress report is news');
});

t.test('recall answers', async (t) => {
  let s = apply(newRecipientStatus('G22'), '03').status;
  s = apply(s, '13').status;
  t.equal(s.recall, 'requested');
  t.equal(s.stage, 'accepted', 'recall does not touch the stage');
  s = apply(s, '16').status;
  t.equal(s.recall, 'refused');
  const late = apply(s, '15');
  t.equal(late.status.recall, 'refused', 'first answer wins');
  t.equal(late.status.history.at(-1)?.code, '15', 'the contradicting answer is recorded');
  t.equal(apply(apply(newRecipientStatus('G22'), '13').status, '15').status.recall, 'agreed');
});

t.test('property: any order of any codes never moves a recipient backwards and keeps every report', async (t) => {
  const report = fc.record({ code: fc.constantFrom(...STATUS_CODES), id: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }) });
  fc.assert(
    fc.property(fc.array(report, { maxLength: 30 }), (reports) => {
      let s = newRecipientStatus('G22');
      const ids = new Set<number>();
      let expectedHistory = 0;
      for (const r of reports) {
        const u = apply(s, r.code, r.id === undefined ? undefined : `p${r.id}`);
        const dup = r.id !== undefined && ids.has(r.id);
        if (u.duplicate !== dup) return false;
        if (!dup) expectedHistory++;
        if (r.id !== undefined) ids.add(r.id);
        if (RECIPIENT_STAGE_RANK[u.status.stage] < RECIPIENT_STAGE_RANK[s.stage]) return false;
        if (RECALL_RANK[u.status.recall] < RECALL_RANK[s.recall]) return false;
        s = u.status;
      }
      return s.history.length === expectedHistory;
    }),
    { numRuns: 200 },
  );
  t.pass('held');
});

t.test('property: the final stage does not depend on arrival order', async (t) => {
  const codes = fc.array(fc.constantFrom(...STATUS_CODES), { maxLength: 12 });
  fc.assert(
    fc.property(codes, fc.func(fc.integer()), (cs, key) => {
      const run = (list: StatusCode[]) => list.reduce((s, c) => apply(s, c).status, newRecipientStatus('G22')).stage;
      const shuffled = [...cs].sort((a, b) => key(a) - key(b));
      return run(cs) === run(shuffled);
    }),
    { numRuns: 200 },
  );
  t.pass('held');
});

t.test('isOverdue', async (t) => {
  const sent = '2026-11-26T08:00:00Z';
  t.equal(isOverdue(sent, [], '2026-11-26T16:00:00Z', 8), false, 'exactly at the deadline: not yet');
  t.equal(isOverdue(sent, [], '2026-11-26T16:00:01Z', 8), true);
  t.equal(isOverdue(new Date(sent), ['13'], Date.parse('2026-11-27T08:00:00Z'), 8), true, 'our own recall is no receipt');
  t.equal(isOverdue(sent, ['01'], '2026-12-26T00:00:00Z', 8), false);
  t.equal(isOverdue(sent, ['03'], '2026-12-26T00:00:00Z', 8), false, 'a 03 without 01 proves receipt');
  t.equal(isOverdue(sent, new Set(['02']), '2026-12-26T00:00:00Z', 8), false);
  t.equal(isOverdue('garbage', [], '2026-12-26T00:00:00Z', 8), false, 'bad data raises no alarm');
  t.equal(isOverdue(sent, [], '2026-12-26T00:00:00Z', 0), false);
  t.equal(isOverdue(sent, [], '2026-12-26T00:00:00Z', NaN), false);
  t.equal(overdueAtMillis(sent, 8), Date.parse('2026-11-26T16:00:00Z'));
});
