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
  return path.join(runtime || stateDir, SOCKET_NAME);
}

/**
 * Where the CLI looks, in order. The CLI may run outside the service's unit (a shell, the backup
 * unit) where RUNTIME_DIRECTORY is not set, so the systemd path is tried as well.
 */
export function adminSocketCandidates(stateDir: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const list = [adminSocketPath(stateDir, env), path.join(stateDir, SOCKET_NAME), SYSTEMD_SOCKET];
  return [...new Set(list)];
}
