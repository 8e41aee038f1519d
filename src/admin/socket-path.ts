import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Where the admin socket lives: `$RUNTIME_DIRECTORY/admin.sock` under systemd
 * (RuntimeDirectory=edoc-gateway → /run/edoc-gateway), `<stateDir>/admin.sock` otherwise.
 * `EDOC_GATEWAY_ADMIN_SOCKET` overrides both (tests, and unix paths longer than 107 bytes).
 */
export const SOCKET_NAME = 'admin.sock';
export const SYSTEMD_SOCKET = '/run/edoc-gateway/admin.sock';

export function adminSocketPath(stateDir: string, env: NodeJS.ProcessEnv = process.env): string {
  const override = env['EDOC_GATEWAY_ADMIN_SOCKET'];
  if (override) return path.resolve(override);
  const runtime = env['RUNTIME_DIRECTORY']?.split(':')[0];
  const preferred = path.join(runtime || stateDir, SOCKET_NAME);
  return Buffer.byteLength(preferred) <= MAX_SOCKET_PATH ? preferred : shortSocketPath(stateDir);
}

/**
 * Linux limits a unix socket path to 107 bytes; a deep state directory (a test's temp dir, a
 * long mount point) would otherwise make the service fail at start. Both the service and the CLI
 * derive the same short path from the state directory, inside a per-user directory the admin
 * server creates with mode 0700 (so another user cannot take the name first).
 */
export const MAX_SOCKET_PATH = 107;

export function shortSocketDir(): string {
  return path.join(tmpdir(), `edoc-gateway-${process.getuid?.() ?? 0}`);
}

function shortSocketPath(stateDir: string): string {
  const tag = createHash('sha256').update(path.resolve(stateDir)).digest('hex').slice(0, 16);
  return path.join(shortSocketDir(), `${tag}.sock`);
}

/**
 * Where the CLI looks, in order. The CLI may run outside the service's unit (a shell, the backup
 * unit) where RUNTIME_DIRECTORY is not set, so the systemd path is tried as well.
 */
export function adminSocketCandidates(stateDir: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const list = [adminSocketPath(stateDir, env), path.join(stateDir, SOCKET_NAME), SYSTEMD_SOCKET];
  return [...new Set(list)];
}
