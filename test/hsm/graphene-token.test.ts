import t from 'tap';
import { createHash, verify, X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventBus, type HsmState } from '../../src/events.js';
import { isAppError } from '../../src/errors.js';
import { makeDevToken, openDevToken } from '../support/softhsm.js';

const dir = t.testdir({});
// Token init is ~1 s: one RSA token shared by the tests below, plus one per other mechanism.
const shared = makeDevToken(join(dir, 'rsa'));
const sha256 = (d: Uint8Array | string): Uint8Array => new Uint8Array(createHash('sha256').update(d).digest());

t.test('one wrong PIN: one C_Login, state pin-incorrect, no retry until an administrator asks', async (t) => {
  const dev = await shared;
  const wrongPin = join(dir, 'wrong.pin');
  writeFileSync(wrongPin, 'not-the-pin\n', { mode: 0o600 });
  const bus = new EventBus();
  const events: HsmState[] = [];
  bus.subscribe('hsm.state', (e) => events.push(e.state));
  const token = await openDevToken(dev, { hsm: { pinFile: wrongPin }, bus, backoffStartMs: 20 });
  t.teardown(() => token.close());
  t.equal(token.state(), 'pin-incorrect');
  t.equal(token.loginAttempts, 1);
  t.same(events, ['pin-incorrect']);
  const info = await token.info();
  t.equal(info.state, 'pin-incorrect');
  t.notMatch(JSON.stringify(info), /not-the-pin/, 'the PIN never appears in info');

  // Time passes (many backoff periods): no automatic retry.
  await new Promise((r) => setTimeout(r, 500));
  t.equal(token.loginAttempts, 1, 'still exactly one login attempt');
  await t.rejects(token.signDigest(sha256('x')), { code: 'HSM_UNAVAILABLE', message: /administrator/ });

  // The administrator fixes the PIN file and asks again.
  writeFileSync(wrongPin, `${(await import('node:fs')).readFileSync(dev.pinFile, 'utf8')}`);
  t.equal(await token.retryLogin(), 'ready');
  t.equal(token.loginAttempts, 2);
  t.equal((await token.signDigest(sha256('x'))).length, 256);
  t.same(events, ['pin-incorrect', 'starting', 'ready']);
});

t.test('an absent token does not make openToken throw; the adapter keeps trying', async (t) => {
  const dev = await shared;
  const token = await openDevToken(dev, { hsm: { tokenLabel: 'no-such-token' }, backoffStartMs: 20 });
  t.teardown(() => token.close());
  t.equal(token.state(), 'down');
  t.match((await token.info()).lastError, /not present/);
  await t.rejects(token.signDigest(sha256('x')), { code: 'HSM_UNAVAILABLE' });
  t.equal(token.loginAttempts, 0, 'no login without a token');
});

t.test('50 concurrent signs on 2 sessions all succeed and verify, for each mechanism', async (t) => {
  for (const mechanism of ['RSA-PKCS', 'RSA-PSS', 'ECDSA'] as const) {
    const dev = mechanism === 'RSA-PKCS' ? await shared : await makeDevToken(join(dir, `conc-${mechanism}`), { mechanism });
    const token = await openDevToken(dev);
    const pub = new X509Certificate(await token.certificate()).publicKey;
    const inputs = Array.from({ length: 50 }, (_, i) => `document ${i} ${mechanism}`);
    const results = await Promise.allSettled(inputs.map((s) => token.signDigest(sha256(s))));
    const failed = results.filter((r) => r.status === 'rejected');
    t.equal(failed.length, 0, `${mechanism}: no failures ${failed.map((f) => String((f as PromiseRejectedResult).reason)).join(',')}`);
    let ok = 0;
    results.forEach((r, i) => {
      if (r.status !== 'fulfilled') return;
      const key =
        mechanism === 'RSA-PSS'
          ? { key: pub, padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength: 32 }
          : mechanism === 'ECDSA'
            ? { key: pub, dsaEncoding: 'der' as const }
            : { key: pub };
      if (verify('sha256', Buffer.from(inputs[i]!), key, r.value)) ok++;
    });
    t.equal(ok, 50, `${mechanism}: every signature verifies with the certificate's key`);
    t.equal(token.state(), 'ready');
    await token.close();
  }
});

t.test('signing does not block the event loop', async (t) => {
  const dev = await shared;
  const token = await openDevToken(dev);
  t.teardown(() => token.close());
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  const ticksAtCompletion: number[] = [];
  await Promise.all(Array.from({ length: 200 }, (_, i) => token.signDigest(sha256(`n${i}`)).then(() => ticksAtCompletion.push(ticks))));
  clearInterval(timer);
  // If C_Sign ran on the loop, no timer callback could run between two completions.
  const distinct = new Set(ticksAtCompletion).size;
  t.ok(ticks > 0, `the interval ticked ${ticks} times during 200 signs`);
  t.ok(distinct > 1, `timer callbacks ran between sign completions (${distinct} distinct tick counts)`);
});

t.test('a wrong digest size is refused without touching the token', async (t) => {
  const dev = await shared;
  const token = await openDevToken(dev);
  t.teardown(() => token.close());
  await t.rejects(token.signDigest(new Uint8Array(20)), RangeError);
  t.equal(token.state(), 'ready');
  t.ok(isAppError(await token.signDigest(new Uint8Array(31)).catch((e) => e)) === false);
});
