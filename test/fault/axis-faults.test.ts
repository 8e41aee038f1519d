import t, { type Test } from 'tap';
import { OFFICE_A } from '../support/office.js';
import { makeFaultRig, SOAK, soak, waitFor, type FaultRig } from '../support/fault-gateway.js';

/**
 * The axis simulator down, slow and flaky (its fault knobs) while gateway A (a real `serve`
 * process) keeps accepting: submissions are acknowledged durably, delivery resumes by itself once
 * the axis is back, and every document reaches office B exactly once.
 */
t.setTimeout(SOAK ? 1_800_000 : 300_000);

async function submitMany(t: Test, rig: FaultRig, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await rig.submit();
    t.equal(r.status, 201, 'acknowledged while the axis misbehaves');
    if (r.body?.documentId) ids.push(r.body.documentId);
  }
  return ids;
}

async function deliveredOnce(t: Test, rig: FaultRig, ids: string[], what: string): Promise<void> {
  const got = await waitFor(async () => {
    const m = await rig.deliveredAtB();
    return ids.every((id) => m.has(id)) ? m : null;
  }, 120_000, `${what}: every document at B`);
  t.same(ids.filter((id) => got.get(id) !== 1), [], `${what}: each delivered exactly once`);
  t.equal(rig.offices.sim.stats().perAgency[OFFICE_A.id]?.sent, got.size, `${what}: one package per document at the axis`);
}

t.test('axis down, slow, flaky: delivery resumes, nothing lost, nothing doubled', async (t) => {
  const rig = await makeFaultRig(t);
  const sim = rig.offices.sim;
  await rig.start();
  const all: string[] = [];

  // Down (connections reset): accepted into the queue, nothing sent.
  sim.faults.set({ down: true, downMode: 'reset' });
  const down = await submitMany(t, rig, soak(4, 20));
  all.push(...down);
  const h = await waitFor(async () => {
    const x = await rig.health();
    return x.axis.state === 'unreachable' ? x : null;
  }, 60_000, 'health to show the axis unreachable');
  t.equal(h.status, 'degraded', 'health is degraded while the axis is unreachable');
  t.equal(h.queue.outgoing, down.length, 'the queue holds every acknowledged document');
  t.equal(sim.stats().perAgency[OFFICE_A.id]?.sent ?? 0, 0, 'nothing reached the axis while it was down');
  sim.faults.reset();
  await deliveredOnce(t, rig, all, 'after down');

  // Down as 503 (maintenance), then slow.
  sim.faults.set({ down: true, downMode: '503' });
  all.push(...(await submitMany(t, rig, soak(2, 10))));
  sim.faults.set({ down: false, slowMs: 1500 });
  all.push(...(await submitMany(t, rig, soak(2, 10))));
  await deliveredOnce(t, rig, all, 'after 503 and slow');

  // Flaky: random 500s, and packages stored then the connection dropped before the answer
  // (the resend must be recognised as the same package).
  sim.faults.set({ slowMs: 0, errorRate: 0.4, seed: 7, dropAfterAccept: true });
  all.push(...(await submitMany(t, rig, soak(4, 20))));
  await waitFor(() => sim.stats().duplicates > 0, 60_000, 'at least one resend after a dropped answer');
  sim.faults.reset();
  await deliveredOnce(t, rig, all, 'after flaky');
  t.ok(sim.stats().duplicates > 0, 'resends happened and the axis dropped them as duplicates');
  t.equal((await rig.health()).queue.outgoing, 0, 'the queue is empty at the end');
});
