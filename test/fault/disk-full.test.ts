import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { open, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../support/cli.js';
import { makeFaultRig, SOAK, waitFor } from '../support/fault-gateway.js';

/**
 * Disk full over the whole service: gateway A's state directory is a small tmpfs mounted here
 * (root only). Below the reserve, and with the filesystem completely full, submissions answer
 * 507 STORAGE_FULL and leave nothing behind; once space is back they are accepted and delivered,
 * the service restarts on that state, and the audit chain verifies.
 */
t.setTimeout(SOAK ? 1_200_000 : 240_000);
const MB = 1024 * 1024;

function tryMount(dir: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=96m,mode=0700', 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Root, and allowed to mount here (containers may forbid it): probed once with a throwaway mount. */
function mountAllowed(): string | false {
  if (process.getuid?.() !== 0) return 'needs root to mount a tmpfs';
  const probe = mkdtempSync(path.join(tmpdir(), 'edoc-mount-probe-'));
  try {
    if (!tryMount(probe)) return 'mount -t tmpfs is not permitted here';
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return false;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

/** Writes zeros to `file` until the filesystem is left with about `leave` bytes (0: until ENOSPC). */
async function fill(file: string, leave: number): Promise<void> {
  const fh = await open(file, 'a');
  const chunk = Buffer.alloc(MB);
  try {
    for (;;) {
      const free = (await statfs(path.dirname(file))).bavail * (await statfs(path.dirname(file))).bsize;
      if (free <= leave) return;
      await fh.write(chunk, 0, Math.min(chunk.length, Math.max(4096, free - leave)));
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    await fh.close();
  }
}

t.test('STORAGE_FULL on a full state filesystem, then recovery', { skip: mountAllowed() }, async (t) => {
  const mnt = mkdtempSync(path.join(tmpdir(), 'edoc-fault-disk-'));
  if (!tryMount(mnt)) throw new Error('mounting the tmpfs failed although the probe mount worked');
  const unmount = (): void => {
    execFileSync('umount', ['-l', mnt], { stdio: 'ignore' });
    rmSync(mnt, { recursive: true, force: true });
  };
  let rig;
  try {
    rig = await makeFaultRig(t, { stateDirA: path.join(mnt, 'state') });
  } catch (e) {
    unmount();
    throw e;
  }
  // Registered after the rig's own teardown: gateway A is gone before its filesystem is.
  t.teardown(unmount);
  await rig.start();
  // Every acknowledged document, including any accepted while the free-space figure was cached.
  const acknowledged: string[] = [];
  const submit = async (): Promise<Awaited<ReturnType<typeof rig.submit>>> => {
    const r = await rig.submit();
    if (r.status === 201 && r.body?.documentId) acknowledged.push(r.body.documentId);
    return r;
  };
  const first = await submit();
  t.equal(first.status, 201, 'accepted while there is room');
  const filler = path.join(mnt, 'filler');

  // 1. Free space below the store's reserve (64 MiB): refused before anything is written.
  await fill(filler, 40 * MB);
  const low = await waitFor(async () => {
    const r = await submit();
    return r.status !== 201 ? r : null;
  }, 30_000, 'a refusal below the reserve');
  t.equal(low.status, 507, 'below the reserve: 507');
  t.equal(low.body?.error?.code, 'STORAGE_FULL');
  t.equal((await rig.health()).store.state, 'full', 'health shows the store full');

  // 2. Completely full: the state files themselves cannot grow.
  await fill(filler, 0);
  const full = await submit();
  t.equal(full.status, 507, `completely full: 507 (${JSON.stringify(full.body)})`);
  t.equal(full.body?.error?.code, 'STORAGE_FULL');
  const signed = await rig.sign();
  t.equal(signed.status, 507, `sign on a full disk: 507 (its upload cannot be stored either) ${JSON.stringify(signed.body)}`);
  t.equal(rig.current!.child.exitCode, null, 'the service did not exit');

  // 3. Space back: accepted again, delivered, nothing half-written left by the refusals.
  await rm(filler);
  const back = await waitFor(async () => {
    const r = await submit();
    return r.status === 201 ? r : null;
  }, 60_000, 'submissions accepted again');
  void back;
  const list = (await (await fetch(`${rig.current!.url}/api/v1/documents?direction=outgoing`, { headers: { authorization: `Bearer ${rig.key}` } })).json()) as { items: { documentId: string }[] };
  t.same(list.items.map((d) => d.documentId).sort(), [...acknowledged].sort(), 'only the acknowledged documents exist');
  const got = await waitFor(async () => {
    const m = await rig.deliveredAtB();
    return acknowledged.every((id) => m.has(id)) ? m : null;
  }, 60_000, 'every acknowledged document at B');
  t.equal(got.size, acknowledged.length, 'B has exactly the acknowledged documents');

  // 4. The state survived: a clean restart works and the audit chain verifies.
  t.equal(await rig.current!.stop(), 0, 'stops cleanly');
  const audit = await runCli(['audit', 'verify', '--config', rig.gw.configFile], { env: rig.gw.env });
  t.equal(audit.code, 0, `audit verify: ${audit.stdout.trim()} ${audit.stderr.trim()}`);
  await rig.start();
  t.equal((await rig.health()).store.state, 'ok', 'restarted on the same state, store ok');
  await rig.current!.stop();
});
