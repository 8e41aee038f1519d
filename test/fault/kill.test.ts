import t from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { OFFICE_A } from '../support/office.js';
import { makeFaultRig, soak, SOAK, waitFor } from '../support/fault-gateway.js';

/**
 * Invariants 1 and 6 over the whole path: gateway A (a real `serve` process) is SIGKILLed at
 * random moments while three clients keep submitting. Every submission that got a 201 must reach
 * office B exactly once; none may arrive twice, and the axis must hold exactly one package per
 * document. Submissions cut by the kill (no answer) may or may not have been accepted: if they
 * were, they too must arrive once.
 */
t.setTimeout(SOAK ? 3_600_000 : 300_000);

t.test('SIGKILL of gateway A during a stream of submissions', async (t) => {
  const rig = await makeFaultRig(t);
  const kills = soak(5, 20);
  const acknowledged = new Set<string>();
  let cut = 0;
  const delays: number[] = [];
  for (let k = 0; k < kills; k++) {
    const gw = await rig.start();
    let stop = false;
    let firstAck: () => void = () => undefined;
    const acked = new Promise<void>((resolve) => (firstAck = resolve));
    const client = async (): Promise<void> => {
      while (!stop) {
        const r = await rig.submit();
        if (r.status === 201 && r.body?.documentId) {
          acknowledged.add(r.body.documentId);
          firstAck();
        } else if (r.status === 0) {
          cut++;
          return; // the gateway died under this request: its outcome is unknown
        } else t.fail(`unexpected answer ${r.status}: ${JSON.stringify(r.body)}`);
      }
    };
    const clients = [client(), client(), client()];
    // The stream is flowing once one submission has been answered: the first one after a start
    // also compiles its route and loads the CMS code, which on a loaded 2-core box can outlast
    // any fixed delay (then no round would acknowledge anything). Capped, so a gateway that never
    // answers still gets killed and the assertions below say why.
    await Promise.race([acked, sleep(60_000)]);
    // Then a random instant: while signing, storing, enqueuing or sending (logged for replay).
    const delay = Math.floor(Math.random() * 2600);
    delays.push(delay);
    await sleep(delay);
    stop = true;
    await gw.kill();
    await Promise.all(clients);
  }
  t.comment(`kills=${kills} acknowledged=${acknowledged.size} cut=${cut} delays=${delays.join(',')}`);
  t.ok(acknowledged.size > 0, 'some submissions were acknowledged between kills');

  // Back up for good: the outbox finishes what the crashes left queued.
  await rig.start();
  await waitFor(async () => (await rig.health()).queue.outgoing === 0, 120_000, "A's outbox to drain");
  const got = await waitFor(async () => {
    const m = await rig.deliveredAtB();
    return [...acknowledged].every((id) => m.has(id)) ? m : null;
  }, 60_000, 'every acknowledged document at B');
  for (const id of acknowledged) t.equal(got.get(id), 1, `delivered once: ${id}`);
  const dupes = [...got].filter(([, n]) => n !== 1);
  t.same(dupes, [], 'no document arrived twice at B');
  t.equal(rig.offices.sim.stats().perAgency[OFFICE_A.id]?.sent ?? 0, got.size, 'the axis accepted exactly one package per document');
  t.ok(got.size <= acknowledged.size + cut, 'nothing arrived that was never submitted');
});
