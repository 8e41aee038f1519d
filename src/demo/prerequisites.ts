import { spawnSync } from 'node:child_process';
import { findSoftHsmModule } from '../hsm/module-path.js';

/**
 * The system packages the demo cannot run without: SoftHSM2 (the offices' tokens) and socat (the
 * serial lines). Missing ones are installed when we are root (a fresh Pi or container), otherwise
 * the exact command is given to the person, and the demo stops with 69 (unavailable).
 */
export interface Prerequisite {
  /** Debian package name. */
  pkg: string;
  present: () => boolean;
}

export function onPath(cmd: string, args: string[] = ['-V']): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return !r.error;
}

export const PREREQUISITES: Prerequisite[] = [
  { pkg: 'softhsm2', present: () => findSoftHsmModule() !== null },
  { pkg: 'socat', present: () => onPath('socat') },
];

export function installLine(pkgs: string[]): string {
  return `sudo apt-get install -y --no-install-recommends ${pkgs.join(' ')}`;
}

export type PrereqResult = { ok: true; installed: string[] } | { ok: false; missing: string[]; message: string };

export function ensurePrerequisites(
  say: (line: string) => void,
  list: Prerequisite[] = PREREQUISITES,
  /** Whether apt-get may be run; by default, when we are root. */
  root: boolean = typeof process.getuid === 'function' && process.getuid() === 0,
): PrereqResult {
  const missing = list.filter((p) => !p.present()).map((p) => p.pkg);
  if (missing.length === 0) return { ok: true, installed: [] };
  if (!root) {
    return { ok: false, missing, message: `the demo needs ${missing.join(', ')}; install with:\n  ${installLine(missing)}` };
  }
  say(`installing ${missing.join(', ')} (apt-get) …`);
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  const install = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  const still = list.filter((p) => missing.includes(p.pkg) && !p.present()).map((p) => p.pkg);
  if (update.error || install.status !== 0 || still.length > 0) {
    return { ok: false, missing: still.length ? still : missing, message: `apt-get could not install ${missing.join(', ')}; try:\n  ${installLine(missing)}` };
  }
  return { ok: true, installed: missing };
}
