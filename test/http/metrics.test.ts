import t from 'tap';
import { Metrics, loopDelayMs } from '../../src/http/metrics.js';

/**
 * The event-loop delay gauge. perf_hooks' histogram holds the time between its sampling timer's
 * ticks (resolution + delay), so read raw an idle service would report ≈ 20 ms of "delay" — which
 * is how an earlier bench run read 31 ms where the loop was late by about 11.
 */
t.test('the delay is what is left after the sampling resolution', async (t) => {
  t.equal(loopDelayMs(20e6), 0, 'on time');
  t.equal(loopDelayMs(19.1e6), 0, 'a tick slightly early is no delay, not a negative one');
  t.equal(loopDelayMs(31e6), 11, 'late by 11 ms');
  t.equal(loopDelayMs(14e6, 10), 4, 'another resolution');
});

t.test('/metrics of a loop blocked once: the maximum shows the block, net of the resolution', async (t) => {
  const m = new Metrics();
  t.teardown(() => m.close());
  await new Promise((r) => setTimeout(r, 100));
  const end = Date.now() + 150;
  while (Date.now() < end); // block the loop on purpose
  await new Promise((r) => setTimeout(r, 60));
  const text = m.render([], null);
  const max = Number(/^edoc_event_loop_delay_seconds\{quantile="1"\} (\S+)$/m.exec(text)?.[1]);
  // Blocked for 150 ms: the late tick came ≥ 130 ms after it was due (150 − the 20 ms period).
  t.ok(max >= 0.13, `the block is seen, in seconds (${max} s)`);
});
