import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { startAxisSim, type AxisSim } from '../../src/axis-sim/server.js';
import type { SimAgency } from '../../src/axis-sim/agencies.js';
import { VpcpAxis, type VpcpAxisOptions } from '../../src/relay/vpcp/adapter.js';
import { AxisError } from '../../src/relay/axis-port.js';

/**
 * The axis simulator on 127.0.0.1 (a free port) with a state dir under the test's own dir, and
 * VPCP clients for its agencies; everything is closed at the test's teardown.
 */
export const AGENCIES: SimAgency[] = [
  { id: '000.46.24.H44', name: 'UBND xã Tiên Lương', secret: 'c2VjcmV0LWEtMTIzNDU2Nzg5MA==' },
  { id: '000.00.00.H44', name: 'Văn phòng UBND tỉnh', secret: 'c2VjcmV0LWItOTg3NjU0MzIxMA==' },
  { id: '000.00.00.G22', name: 'Văn phòng Chính phủ', secret: 'c2VjcmV0LWMtc2VjcmV0LWM=' },
];
export const [A, B, C] = AGENCIES.map((a) => a.id) as [string, string, string];

export interface TestAxis {
  sim: AxisSim;
  stateDir: string;
  client(id: string, extra?: Partial<VpcpAxisOptions>): VpcpAxis;
}

export async function startTestAxis(t: Test, opts: { stateDir?: string; maxPackageBytes?: number } = {}): Promise<TestAxis> {
  // Not t.testdir(): a second call in the same test would wipe the caller's own files.
  const own = opts.stateDir === undefined;
  const stateDir = opts.stateDir ?? mkdtempSync(join(tmpdir(), 'axis-sim-'));
  const sim = await startAxisSim({ listen: { host: '127.0.0.1', port: 0 }, stateDir, agencies: AGENCIES, ...(opts.maxPackageBytes ? { maxPackageBytes: opts.maxPackageBytes } : {}) });
  const clients: VpcpAxis[] = [];
  t.teardown(async () => {
    for (const c of clients) await c.close();
    await sim.close();
    if (own) rmSync(stateDir, { recursive: true, force: true });
  });
  return {
    sim,
    stateDir,
    client(id, extra = {}) {
      const secret = AGENCIES.find((a) => a.id === id)?.secret ?? 'unknown';
      const c = new VpcpAxis({ endpoint: sim.url, systemId: id, secret, idleTimeoutMs: 5_000, ...extra });
      clients.push(c);
      return c;
    },
  };
}

/** The AxisError a call fails with (any other outcome fails the test). */
export async function axisErr(p: Promise<unknown>): Promise<AxisError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AxisError) return e;
    throw e;
  }
  throw new Error('expected an AxisError');
}
