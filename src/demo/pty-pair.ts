import { lstat, unlink } from 'node:fs/promises';
import type { ChildProcess } from 'node:child_process';
import { exited, spawnTracked, stopChild } from './children.js';

/**
 * A null-modem cable made of two pseudo-terminals (`socat pty,raw,echo=0,link=A pty,…,link=B`):
 * what is written to one end comes out of the other. The demo gives one end to the service and
 * the other to a person (console) or to the display emulator. `a` and `b` are stable symlinks to
 * the /dev/pts nodes.
 */
export interface PtyPair {
  a: string;
  b: string;
  pid: number;
  close(): Promise<void>;
}

async function exists(p: string): Promise<boolean> {
  return lstat(p).then(
    () => true,
    () => false,
  );
}

export async function openPtyPair(a: string, b: string, timeoutMs = 5000): Promise<PtyPair> {
  // A link left by a killed run would point at a dead pts.
  await unlink(a).catch(() => undefined);
  await unlink(b).catch(() => undefined);
  const child: ChildProcess = spawnTracked('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    if (stderr.length < 4096) stderr += d.toString();
  });
  const end = Date.now() + timeoutMs;
  while (!(await exists(a)) || !(await exists(b))) {
    if (exited(child)) throw new Error(`socat exited: ${stderr.trim()}`);
    if (Date.now() > end) {
      await stopChild(child);
      throw new Error(`socat did not create ${a} and ${b} in time`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    a,
    b,
    pid: child.pid ?? -1,
    close: async () => {
      await stopChild(child);
      await unlink(a).catch(() => undefined);
      await unlink(b).catch(() => undefined);
    },
  };
}
