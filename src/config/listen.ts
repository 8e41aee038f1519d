import { isIP } from 'node:net';

/** Split `HOST:PORT` / `[v6]:PORT` as written in `http.listen` and `axis-sim --listen`. */
export function splitListen(s: string): { host: string; port: number } | null {
  const m = /^(?:\[([0-9a-fA-F:]+)\]|([^:\s]+)):(\d{1,5})$/.exec(s);
  if (!m) return null;
  return { host: m[1] ?? m[2] ?? '', port: Number(m[3]) };
}

export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}
