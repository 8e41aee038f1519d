import t from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SerialPort } from 'serialport';
import { EmulatorBackend } from '../support/display-backends.js';
import { openPtyPair, type PtyPair } from '../support/pty.js';
import { makeFaultRig, SOAK, waitFor } from '../support/fault-gateway.js';

/**
 * Invariant 5 for the serial devices, over the whole service: gateway A (a real `serve` process)
 * with the display (TS emulator on a socat pty) and the technician console (socat pty pair).
 * Unplugging both (killing the emulator and socat) must not stop the service: it keeps signing and
 * accepting, health shows the display disconnected, and both come back when replugged.
 */
t.setTimeout(SOAK ? 1_200_000 : 240_000);

/** The technician's end of the console line: sends a command, collects what comes back. */
async function ask(pair: PtyPair, command: string, expect: RegExp): Promise<string> {
  const port = new SerialPort({ path: pair.b, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  let seen = '';
  port.on('data', (d: Buffer) => (seen += d.toString('utf8')));
  try {
    // Repeat the command until the answer shows up (the service may still be opening the port).
    await waitFor(async () => {
      port.write(`${command}\r\n`);
      await new Promise((r) => setTimeout(r, 500));
      return expect.test(seen);
    }, 30_000, `console answer to ${command}`);
    return seen;
  } finally {
    await new Promise<void>((resolve) => port.close(() => resolve()));
  }
}

t.test('display and console unplugged and replugged', async (t) => {
  // Unix socket and pty link paths stay short outside tap's deep testdir.
  const devDir = await mkdtemp(path.join(tmpdir(), 'edoc-fault-dev-'));
  t.teardown(() => rm(devDir, { recursive: true, force: true }));
  const display = new EmulatorBackend(devDir);
  await display.start();
  t.teardown(() => display.stop());
  const links = { a: path.join(devDir, 'console-a'), b: path.join(devDir, 'console-b') };
  let pair = await openPtyPair({ dir: devDir, ...links });
  t.teardown(() => pair.close());

  const rig = await makeFaultRig(t, {
    adjustA: (c) => ({ ...c, display: { path: display.path, baudRate: 115200 }, console: { path: links.a, baudRate: 115200 } }),
  });
  const gw = await rig.start();
  await waitFor(async () => (await rig.health()).display.state === 'connected', 60_000, 'display connected');
  t.match(await ask(pair, 'status', /HSM/i), /HSM/i, 'the console answers status');

  // Unplug both.
  await display.stop();
  await pair.close();
  const h = await waitFor(async () => {
    const x = await rig.health();
    return x.display.state === 'disconnected' ? x : null;
  }, 60_000, 'health to show the display disconnected');
  t.equal(h.display.state, 'disconnected', 'health: display disconnected');
  t.equal(h.status, 'degraded', 'health: degraded, not down');
  t.equal((await rig.sign()).status, 200, 'still signs');
  const sub = await rig.submit();
  t.equal(sub.status, 201, 'still accepts submissions');
  t.equal(gw.child.exitCode, null, 'the service did not exit');

  // Replug both on the same paths: the reconnect loops find them again.
  await display.start();
  pair = await openPtyPair({ dir: devDir, ...links });
  await waitFor(async () => (await rig.health()).display.state === 'connected', 90_000, 'display reconnected');
  t.pass('the display reconnected by itself');
  t.match(await ask(pair, 'version', /\d+\.\d+/), /\d+\.\d+/, 'the console answers again after replug');
  const got = await waitFor(async () => {
    const m = await rig.deliveredAtB();
    return sub.body?.documentId && m.has(sub.body.documentId) ? m : null;
  }, 60_000, 'the document at B');
  t.equal(got.get(sub.body!.documentId!), 1, 'the document sent meanwhile was delivered once');
});
