import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';

/**
 * The demo's child processes (socat pairs, the display firmware simulator), tracked so that a
 * Ctrl-C, an error during start-up or even an unexpected exit leaves none behind.
 */
const live = new Set<ChildProcess>();

process.once('exit', () => {
  // Last resort on any exit path: synchronous, so only a signal can be sent here.
  for (const c of live) c.kill('SIGKILL');
});

/**
 * A SIGKILL (or the OOM killer) ends the demo with no handler run at all. `setpriv --pdeathsig`
 * (util-linux) asks the kernel to kill the child when the demo dies, so even then nothing is left;
 * it execs the command, keeping its pid and arguments. Where setpriv lacks the option the children
 * are still stopped on every exit the process itself sees. Checked once per process.
 */
let pdeathsig: boolean | null = null;
function killedWithUs(): boolean {
  pdeathsig ??= spawnSync('setpriv', ['--pdeathsig', 'KILL', 'true'], { stdio: 'ignore' }).status === 0;
  return pdeathsig;
}

export function spawnTracked(cmd: string, args: string[], opts: SpawnOptions): ChildProcess {
  const child = killedWithUs() ? spawn('setpriv', ['--pdeathsig', 'KILL', '--', cmd, ...args], opts) : spawn(cmd, args, opts);
  live.add(child);
  child.once('exit', () => live.delete(child));
  child.once('error', () => live.delete(child));
  return child;
}

export function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
export async function stopChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (exited(child) || child.pid === undefined) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(timer);
}

/** Resolves with the first stdout line, or rejects on exit or timeout (with stderr's tail). */
export function firstLine(child: ChildProcess, timeoutMs: number, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const done = (fn: () => void): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onOut);
      fn();
    };
    const onOut = (d: Buffer): void => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) done(() => resolve(out.slice(0, nl).trim()));
    };
    child.stdout?.on('data', onOut);
    child.stderr?.on('data', (d: Buffer) => {
      if (err.length < 4096) err += d.toString();
    });
    const timer = setTimeout(() => done(() => reject(new Error(`${what}: no answer within ${timeoutMs} ms ${err.trim()}`))), timeoutMs);
    child.once('exit', (code) => done(() => reject(new Error(`${what} exited (${code}) before it was ready: ${err.trim().slice(-400)}`))));
  });
}
