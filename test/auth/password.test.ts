import t from 'tap';
import { hashPassword, verifyPassword } from '../../src/auth/index.js';
import { SignInLimiter } from '../../src/auth/index.js';

const FAST = { N: 1024, r: 8, p: 1 };

t.test('scrypt: per-user salt, parameters in the stored form, constant-time verify', async (t) => {
  const a = await hashPassword('mật khẩu 1', FAST);
  const b = await hashPassword('mật khẩu 1', FAST);
  t.match(a, /^scrypt\$1024\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
  t.not(a, b, 'same password, different salt, different hash');
  t.ok(await verifyPassword('mật khẩu 1', a));
  t.notOk(await verifyPassword('mật khẩu 2', a), 'wrong password');
  // NFC and NFD spellings of a Vietnamese password are the same password.
  t.ok(await verifyPassword('mật khẩu 1'.normalize('NFD'), a));
  t.notOk(await verifyPassword('mật khẩu 1', a.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))), 'tampered hash');
  t.notOk(await verifyPassword('x', 'plain-text'), 'not a scrypt hash');
  const defaults = await hashPassword('secret-pass');
  t.match(defaults, /^scrypt\$16384\$8\$1\$/, 'production cost by default');
});

t.test('sign-in limiter: per user and per address, unblocks after the window', async (t) => {
  let now = 1_000_000;
  const l = new SignInLimiter({ windowMs: 60_000, perUser: 3, perAddress: 5 }, () => now);
  for (let i = 0; i < 3; i++) {
    t.equal(l.retryAfter('an', '10.0.0.1'), 0);
    l.failed('an', '10.0.0.1');
    now += 1000;
  }
  const wait = l.retryAfter('AN', '10.0.0.9');
  t.ok(wait > 0 && wait <= 60, 'user blocked from any address (case-insensitive)');
  t.equal(l.retryAfter('binh', '10.0.0.2'), 0, 'other users are not');
  l.failed('binh', '10.0.0.1');
  l.failed('chi', '10.0.0.1');
  t.ok(l.retryAfter('dung', '10.0.0.1') > 0, 'the address is blocked after 5 failures, whoever it tries');
  now += 60_000;
  t.equal(l.retryAfter('an', '10.0.0.1'), 0, 'after the window everything is allowed again');
  l.failed('an', '10.0.0.1');
  l.succeeded('an');
  t.equal(l.retryAfter('an', '10.0.0.3'), 0, 'a success clears the user');
});

t.test('sessions: hashed at rest, absolute expiry and idle timeout', async (t) => {
  const { Sessions } = await import('../../src/auth/index.js');
  const { Store } = await import('../../src/store/store.js');
  const { pino } = await import('pino');
  const store = await Store.open({ stateDir: t.testdir() });
  t.teardown(() => store.close());
  let now = Date.parse('2026-11-27T08:00:00Z');
  const s = new Sessions(store, pino({ level: 'silent' }), { ttlMs: 8 * 3600_000, idleMs: 30 * 60_000 }, () => now);
  const a = await s.create('lan');
  t.match(a.token, /^[A-Za-z0-9_-]{43}$/);
  t.notOk(JSON.stringify([...store.activeValues('sessions')]).includes(a.token), 'only a hash is stored');
  now += 29 * 60_000;
  t.equal(s.check(a.token), 'lan', 'used within the idle time');
  now += 29 * 60_000;
  t.equal(s.check(a.token), 'lan', 'each use restarts the idle time');
  now += 31 * 60_000;
  t.equal(s.check(a.token), null, 'idle too long');
  const b = await s.create('lan');
  for (let i = 0; i < 20; i++) {
    now += 25 * 60_000;
    if (s.check(b.token) === null) break;
  }
  t.ok(now - Date.parse('2026-11-27T08:00:00Z') <= 10 * 3600_000 + 90 * 60_000, 'ends at the absolute expiry even when used');
  t.equal(s.check(b.token), null);
  t.equal(s.check('not-a-token'), null);
});
