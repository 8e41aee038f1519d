import { spawn, type ChildProcess } from 'node:child_process';
import { lstat, mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A pair of connected pseudo-terminals made by socat: bytes written to one come out of the other,
 * like the two ends of a null-modem cable. `a` and `b` are symlinks to the /dev/pts nodes, so a
 * test can kill the pair and start a new one on the same paths to simulate a device unplugged
 * and plugged back in.
 */
export interface PtyPair {
  /** Path of end A (the device side the service opens, by convention). */
  readonly a: string;
  /** Path of end B (the "human" or device side the test drives). */
  readonly b: string;
  /** socat's pid, for logs. */
  readonly pid: number;
  /** Stops socat (SIGTERM, then SIGKILL), waits for it and removes the links. Idempotent. */
  close(): Promise<void>;
}

export interface PtyPairOptions {
  /** Directory for the links; a fresh temp dir when absent (removed again on close). */
  dir?: string;
  /** Link paths; default `<dir>/a` and `<dir>/b`. Reuse them to "replug" a device. */
  a?: string;
  b?: string;
  /** How long to wait for socat to create both links (default 5 s). */
  timeoutMs?: number;
}

/** Every live pair, so an unexpected test exit still leaves no socat behind. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

async function removeIfPresent(path: string): Promise<void> {
  await unlink(path).catch(() => undefined);
}

/**
 * Spawns `socat -d -d pty,raw,echo=0,link=A pty,raw,echo=0,link=B` and resolves once socat says
 * the transfer loop started (both ptys exist) and both links are visible. Rejects with socat's
 * own stderr if it exits or times out first, so a missing socat reads clearly in test output.
 */
export async function openPtyPair(opts: PtyPairOptions = {}): Promise<PtyPair> {
  const ownDir = opts.dir === undefined && (opts.a === undefined || opts.b === undefined);
  const dir = opts.dir ?? (ownDir ? await mkdtemp(join(tmpdir(), 'edoc-pty-')) : '');
  const a = opts.a ?? join(dir, 'a');
  const b = opts.b ?? join(dir, 'b');
  // A stale link from a killed pair would make socat fail or point at a dead pts.
  await removeIfPresent(a);
  await removeIfPresent(b);

  const child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  live.add(child);
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (s: string) => {
    // Keep only the start: socat is quiet after set-up, but never hold unbounded text.
    if (stderr.length < 8192) stderr += s;
  });

  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      live.delete(child);
      resolve(code);
    });
    child.once('error', () => {
      live.delete(child);
      resolve(-1);
    });
  });

  let closed = false;
  const close = async (): Promise<void> => {
    if (!closed) {
      closed = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
        await exited;
        clearTimeout(timer);
      }
      await removeIfPresent(a);
      await removeIfPresent(b);
      if (ownDir) await rm(dir, { recursive: true, force: true });
    }
  };

  const timeoutMs = opts.timeoutMs ?? 5000;
  const deadline = Date.now() + timeoutMs;
  let failure: string | null = null;
  void exited.then((code) => {
    failure ??= `socat exited (code ${code}) before the ptys were ready: ${stderr.trim()}`;
  });
  // socat logs "starting data transfer loop" once both ends exist; the links are made just before.
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
