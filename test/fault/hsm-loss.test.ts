import t from 'tap';
import { writeFile } from 'node:fs/promises';
import { findP11KitClientModule } from '../../src/hsm/module-path.js';
import { p11KitServer } from '../support/softhsm.js';
import { makeFaultRig, SOAK, waitFor } from '../support/fault-gateway.js';

/**
 * Invariant 5 for the HSM over the whole service: gateway A (a real `serve` process) reaches its
 * SoftHSM token through p11-kit's RPC, so stopping `p11-kit server` removes the token for real.
 * Signing and submitting answer 503 HSM_UNAVAILABLE while it is gone, health says so, the
 * service keeps running, and it recovers by itself when the token is back.
 */
t.setTimeout(SOAK ? 1_200_000 : 240_000);
const clientModule = findP11KitClientModule();

t.test('HSM lost and back', { skip: clientModule ? false : 'p11-kit-modules not installed' }, async (t) => {
  const rig = await makeFaultRig(t);
  const server = p11KitServer(rig.offices.offices[0]!.dev);
  t.teardown(() => server.stop());
  await server.start();
  rig.gw.config.hsm.module = clientModule!;
  await writeFile(rig.gw.configFile, JSON.stringify(rig.gw.config, null, 2));
  rig.gw.env['P11_KIT_SERVER_ADDRESS'] = server.address;
  const gw = await rig.start();

  t.equal((await rig.sign()).status, 200, 'signs through p11-kit while the token is there');

  await server.stop();
  const refused = await waitFor(async () => {
    const r = await rig.sign();
    return r.status === 503 ? r : null;
  }, 60_000, 'POST /sign to answer 503');
  t.equal(refused.body?.error?.code, 'HSM_UNAVAILABLE', 'sign: 503 HSM_UNAVAILABLE');
  const sub = await rig.submit();
  t.equal(sub.status, 503, 'submit is refused while the token is gone');
  t.equal(sub.body?.error?.code, 'HSM_UNAVAILABLE');
  const h = await rig.health();
  t.not(h.hsm.state, 'ready', `health shows the HSM ${h.hsm.state}`);
  t.not(h.status, 'ok', 'health is not ok');
  t.equal(gw.child.exitCode, null, 'the service did not exit');

  await server.start();
  await waitFor(async () => (await rig.sign()).status === 200, 90_000, 'signing to recover');
  t.pass('signing recovered by itself');
  const after = await rig.submit();
  t.equal(after.status, 201, 'submissions are accepted again');
  await waitFor(async () => (await rig.health()).hsm.state === 'ready', 30_000, 'health to show the HSM ready');
  const got = await waitFor(async () => {
    const m = await rig.deliveredAtB();
    return after.body?.documentId && m.has(after.body.documentId) ? m : null;
  }, 60_000, 'the document at B');
  t.equal(got.get(after.body!.documentId!), 1, 'delivered once');
});
