import t from 'tap';
import { join } from 'node:path';
import { benchRawSign } from '../../src/bench/hsm-bench.js';
import { makeDevToken, openDevToken } from '../support/softhsm.js';

// A smoke run of the benchmark (the figure itself is reported, never asserted: no timing
// assertions). HSM_BENCH_SECONDS=10 for a real measurement.
const seconds = Number(process.env['HSM_BENCH_SECONDS'] ?? '1');

t.test('benchRawSign reports hsm.raw_sign_per_s through the service adapter', async (t) => {
  const dev = await makeDevToken(join(t.testdir({}), 'bench'), { sessions: 2 });
  const token = await openDevToken(dev);
  t.teardown(() => token.close());
  const figures = await benchRawSign(token, seconds, dev.hsm.sessions);
  const raw = figures.find((f) => f.name === 'hsm.raw_sign_per_s');
  t.ok(raw && raw.n > 0 && raw.value > 0, 'signed at least once');
  t.equal(raw?.unit, 'sign/s');
  t.comment(JSON.stringify(figures));
});
