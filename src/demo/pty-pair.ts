import { lstat, unlink } from 'node:fs/promises';
import { spawnTracked, stopChild } from './children.js';

/**
 * A null-modem cable made of two pseudo-terminals (`socat pty,raw,echo=0,link=A pty,…,link=B`):
 * what is written to one end comes out of the other. The demo gives one end to the service and
 * the other to a person (console) or to the display emulator; tests use it for the same devices
 * (test/support/pty.ts wraps it). `a` and `b` are stable symlinks to the /dev/pts nodes, so a new
 * pair on the same paths looks like a device unplugged and plugged back in.
 */
export interface PtyPair {
  /** Path of end A (the device side the service opens, by convention). */
  readonly a: string;
  /** Path of end B (the person's or the emulated device's side). */
  readonly b: string;
  /** socat's pid, for logs. */
  readonly pid: number;
  /** Stops socat (SIGTERM, then SIGKILL), waits for it and removes the links. Idempotent. */
  close(): Promise<void>;
}

async function exists(p: string): Promise<boolean> {
  return lstat(p).then(
    () => true,
    () => false,
  );
}

async function removeIfPresent(p: string): Promise<void> {
  await unlink(p).catch(() => undefined);
}

/**
 * Spawns socat and resolves once it says its transfer loop started (both ptys exist) and both
 * links are visible. Rejects with socat's own stderr if it exits or times out first, so a missing
 * socat reads clearly.
 */
export async function openPtyPair(a: string, b: string, timeoutMs = 5000): Promise<PtyPair> {
  // A link left by a killed run would point at a dead pts, or make socat fail.
  await removeIfPresent(a);
  await removeIfPresent(b);
  // `-d -d` makes socat report "starting data transfer loop": the links are made just before.
  const child = spawnTracked('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (s: string) => {
    // Keep only the start: socat is quiet after set-up, but never hold unbounded text.
    if (stderr.length < 8192) stderr += s;
  });
  let failure: string | null = null;
  child.once('exit', (code, signal) => (failure ??= `socat exited (${signal ?? `code ${code}`}) before the ptys were ready: ${stderr.trim()}`));
  child.once('error', (e) => (failure ??= `socat could not start: ${e.message}`));

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      await stopChild(child);
      await removeIfPresent(a);
      await removeIfPresent(b);
    })());

  const deadline = Date.now() + timeoutMs;
  while (failure === null) {
    if (stderr.includes('starting data transfer loop') && (await exists(a)) && (await exists(b))) {
      return { a, b, pid: child.pid ?? -1, close };
    }
    if (Date.now() > deadline) failure = `socat did not create ${a} and ${b} within ${timeoutMs} ms: ${stderr.trim()}`;
    else await new Promise((r) => setTimeout(r, 20));
  }
  await close();
  throw new Error(failure);
}
