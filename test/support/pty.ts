import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPtyPair as openLinkedPtyPair, type PtyPair } from '../../src/demo/pty-pair.js';

/**
 * socat pty pairs for tests: the demo's own `openPtyPair` (src/demo/pty-pair.ts, which also makes
 * sure no socat outlives the process), with the link paths chosen for the test. Reuse `a` and `b`
 * after closing a pair to simulate a device unplugged and plugged back in.
 */
export type { PtyPair };

export interface PtyPairOptions {
  /** Directory for the links; a fresh temp dir when absent (removed again on close). */
  dir?: string;
  /** Link paths; default `<dir>/a` and `<dir>/b`. Reuse them to "replug" a device. */
  a?: string;
  b?: string;
  /** How long to wait for socat to create both links (default 5 s). */
  timeoutMs?: number;
}

export async function openPtyPair(opts: PtyPairOptions = {}): Promise<PtyPair> {
  const ownDir = opts.dir === undefined && (opts.a === undefined || opts.b === undefined);
  const dir = opts.dir ?? (ownDir ? await mkdtemp(join(tmpdir(), 'edoc-pty-')) : '');
  const removeOwnDir = async (): Promise<void> => {
    if (ownDir) await rm(dir, { recursive: true, force: true });
  };
  let pair: PtyPair;
  try {
    pair = await openLinkedPtyPair(opts.a ?? join(dir, 'a'), opts.b ?? join(dir, 'b'), opts.timeoutMs);
  } catch (e) {
    await removeOwnDir();
    throw e;
  }
  let closing: Promise<void> | null = null;
  return {
    a: pair.a,
    b: pair.b,
    pid: pair.pid,
    close: () => (closing ??= pair.close().then(removeOwnDir)),
  };
}
