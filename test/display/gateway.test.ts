/**
 * The whole service with the real firmware: the composition root (startService, plain HTTP on
 * loopback, a SoftHSM token, the embedded axis) drives the firmware running in simavr. Killing the
 * simulator must show in GET /api/v1/health within seconds while the service keeps answering, and
 * starting it again must bring the display back without restarting anything.
 */
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { startService } from '../../src/main.js';
import { embeddedOfficeConfig, makeDevToken } from '../support/softhsm.js';
import { ensureSimBuilt, SimBackend, waitUntil, type Screen } from '../support/display-backends.js';

const whyNot = ensureSimBuilt();

t.test('service + firmware in simavr: killed → health "disconnected", service serves; restarted → recovers', { skip: whyNot ?? false }, async (t) => {
  const dev = await makeDevToken(t.testdirName + '-token');
  // The pty symlink lives in a short temp path, removed after the simulator is stopped.
  const devDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edoc-display-gw-'));
  const sim = new SimBackend(devDir);
  t.teardown(async () => {
    await sim.stop();
    fs.rmSync(devDir, { recursive: true, force: true });
  });
  await sim.start();

  const config = embeddedOfficeConfig(dev, path.join(t.testdir(), 'state'), { log: { level: 'info' }, display: { path: sim.path, baudRate: 115200 } });
  const s = await startService(config, { noSignals: true, logger: pino({ level: 'silent' }) });
  t.teardown(() => s.stop());

  const health = async (): Promise<{ code: number; status: string; display: string; hsm: string }> => {
    const res = await fetch(`${s.url}/api/v1/health`);
    const b = (await res.json()) as { status: string; display: { state: string }; hsm: { state: string } };
    return { code: res.status, status: b.status, display: b.display.state, hsm: b.hsm.state };
  };
  const screenShows = async (what: string): Promise<Screen> => {
    let last: Screen | null = null;
    // Row 1 of the status page: "HSM ready" and the axis state (not reached yet: "unknown").
    await waitUntil(async () => (last = await sim.screen()).rows[1]?.startsWith('HSM ready') === true, 20_000, what).catch((e: Error) => {
      throw new Error(`${e.message}; screen was ${JSON.stringify(last)}`);
    });
    return last ?? sim.screen();
  };

  await waitUntil(async () => (await health()).display === 'connected', 20_000, 'display connected');
  const first = await screenShows('the status page from the running service');
  t.match(first.rows[0], /^EDOC G/, 'the LCD, read back from the simulator, shows the status page');

  await sim.stop();
  // Forget the old simulator's screen, so only a new drawing can satisfy the check below.
  fs.rmSync(path.join(devDir, 'lcd.txt'), { force: true });
  let h = await health();
  await waitUntil(async () => (h = await health()).display === 'disconnected', 10_000, 'health: display disconnected');
  t.equal(h.display, 'disconnected', 'health says disconnected');
  t.equal(h.code, 200, 'health still answers 200');
  t.equal(h.status, 'degraded', 'degraded, not down');
  t.equal(h.hsm, 'ready', 'the rest of the service is unaffected');
  const metrics = await fetch(`${s.url}/metrics`);
  t.equal(metrics.status, 200, 'other routes keep serving');
  await metrics.text();

  await sim.start();
  await waitUntil(async () => (await health()).display === 'connected', 30_000, 'display reconnected');
  t.pass('the display came back without a restart');
  const again = await screenShows('the status page drawn again on the new simulator');
  t.match(again.rows[0], /^EDOC G/, 'the new simulator shows the status page');
});
