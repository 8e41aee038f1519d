import { createHash } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loopDelayMs } from '../http/metrics.js';
import type { SigningToken } from '../hsm/port.js';

/**
 * `hsm.raw_sign_per_s`: the token's signing limit through the adapter the service uses (graphene,
 * async C_Sign, one operation per session). `concurrency` should equal `hsm.sessions` so every
 * session stays busy; more only queues. Also reports the event-loop delay p99 seen meanwhile.
 */
export interface BenchFigure {
  name: string;
  value: number;
  unit: string;
  n: number;
}

export async function benchRawSign(token: SigningToken, seconds: number, concurrency = 2): Promise<BenchFigure[]> {
  const digest = new Uint8Array(createHash('sha256').update('edoc-gateway bench').digest());
  await token.signDigest(digest); // warm-up: first use pays lazy initialisation inside the module
  const delay = monitorEventLoopDelay({ resolution: 10 });
  const until = Date.now() + seconds * 1000;
  let n = 0;
  const start = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  delay.enable();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) {
        await token.signDigest(digest);
        n++;
      }
    }),
  );
  delay.disable();
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  return [
    { name: 'hsm.raw_sign_per_s', value: round(n / elapsed), unit: 'sign/s', n },
    { name: 'hsm.loop_delay_p99_ms', value: round(loopDelayMs(delay.percentile(99), 10)), unit: 'ms', n: delay.count },
    // CPU per signature, every thread of this process (SoftHSM signs on libuv's pool): compare
    // with api.sign_cpu_ms_per_req to see what the HTTP path adds on top of the HSM.
    { name: 'hsm.raw_cpu_ms_per_sign', value: Math.round(((cpu.user + cpu.system) / 1000 / Math.max(1, n)) * 100) / 100, unit: 'ms', n },
  ];
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
