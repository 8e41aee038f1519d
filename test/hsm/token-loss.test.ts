import t from 'tap';
import { createHash } from 'node:crypto';
import { EventBus, type HsmState } from '../../src/events.js';
import { findP11KitClientModule } from '../../src/hsm/module-path.js';
import { makeDevToken, openDevToken, p11KitServer } from '../support/softhsm.js';

/**
 * The token REALLY goes away: SoftHSM is served through `p11-kit server` and the adapter uses
 * p11-kit's client module; killing the server (and its per-connection processes) breaks every
 * session the way pulling a USB token does.
 */
const clientModule = findP11KitClientModule();
const sha256 = (d: string): Uint8Array => new Uint8Array(createHash('sha256').update(d).digest());

async function waitFor(pred: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!pred() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  return pred();
}

t.test('token loss while signing, then recovery by itself', { skip: clientModule ? false : 'p11-kit-modules not installed' }, async (t) => {
  const dir = t.testdir({});
  const dev = await makeDevToken(dir);
  const server = p11KitServer(dev);
  t.teardown(() => server.stop());
  await server.start();
  process.env['P11_KIT_SERVER_ADDRESS'] = server.address;

  const bus = new EventBus();
  const states: HsmState[] = [];
  bus.subscribe('hsm.state', (e) => states.push(e.state));
  const token = await openDevToken(dev, { hsm: { module: clientModule! }, bus, backoffStartMs: 100, probeIntervalMs: 200 });
  t.teardown(() => token.close());
  t.equal(token.state(), 'ready');
  t.equal((await token.signDigest(sha256('before'))).length, 256);

  // Keep signing while the device disappears.
  let stop = false;
  t.teardown(() => {
    stop = true;
  });
  const outcomes: string[] = [];
  const signer = (async () => {
    for (let i = 0; !stop; i++) {
      try {
        await token.signDigest(sha256(`loop ${i}`));
        outcomes.push('ok');
      } catch (e) {
        outcomes.push((e as { code?: string }).code ?? 'other');
        await new Promise((r) => setTimeout(r, 10));
      }
    }
  })();
  await waitFor(() => outcomes.length >= 5, 10_000);
  await server.stop();
  t.ok(await waitFor(() => token.state() === 'down', 10_000), 'the adapter notices the loss');
  await waitFor(() => outcomes.at(-1) === 'HSM_UNAVAILABLE', 5_000);
  await t.rejects(token.signDigest(sha256('during')), { code: 'HSM_UNAVAILABLE' }, 'signing answers unavailable');
  t.match((await token.info()).lastError, /CKR_/);

  await server.start();
  t.ok(await waitFor(() => token.state() === 'ready', 20_000), 'the adapter reconnects by itself');
  stop = true;
  await signer;
  t.equal((await token.signDigest(sha256('after'))).length, 256, 'signing works again');
  t.notOk(outcomes.includes('other'), `only ok or HSM_UNAVAILABLE while signing (${[...new Set(outcomes)].join(',')})`);
  t.ok(outcomes.includes('HSM_UNAVAILABLE'));
  t.same(states, ['ready', 'down', 'ready'], 'ready at start, then one down and one ready event');
  t.equal(token.loginAttempts, 2, 'one login at start, one after the reconnect');

  // Removed while idle: the periodic probe notices without any sign request.
  await server.stop();
  t.ok(await waitFor(() => token.state() === 'down', 10_000), 'an idle loss is noticed by the probe');
  await server.start();
  t.ok(await waitFor(() => token.state() === 'ready', 20_000), 'and recovered again');
  t.equal((await token.signDigest(sha256('again'))).length, 256);
});
