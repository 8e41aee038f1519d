import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { Auth, type Role } from '../auth/index.js';
import { DEFAULTS } from '../config/defaults.js';
import type { Config, HsmConfig } from '../config/schema.js';
import { Store } from '../store/store.js';
import { SERVICE_NODE_OPTIONS } from '../systemd/node-options.js';
import { percentile, type BenchFigure } from './report.js';

/**
 * A real gateway as the appliance runs it: `node dist/cli/bin.js serve --config FILE` in its own
 * process (so its memory and event loop are its own, and SIGKILL is a real crash). Used by the
 * benchmarks (`start.ready_ms`, the API figures) and by the fault suite in test/fault/.
 *
 * Ready means the `edoc-gateway ready` log line main.ts writes once it listens with the HSM
 * opened; its `url` gives the port when the config asked for port 0.
 */
export const CLI_BIN = fileURLToPath(new URL('../../dist/cli/bin.js', import.meta.url));

export interface GatewaySetup {
  /** Holds config.json and the state directory (`<dir>/state`). */
  dir: string;
  organ: { id: string; name: string; abbreviation: string };
  hsm: HsmConfig;
  /** The dev token's softhsm2.conf: the child finds the token through SOFTHSM2_CONF. */
  softhsm2Conf: string;
  trustDir: string;
  /** A simulator the child talks to, or the in-process one (`embedded`). */
  axis: { endpoint: string; secret: string; pollSeconds?: number } | { embedded: true };
  /** Last changes to the config (display, console, log level, …). */
  adjust?: (c: Config) => Config;
}

export interface PreparedGateway {
  configFile: string;
  config: Config;
  env: NodeJS.ProcessEnv;
}

/** A port free right now on 127.0.0.1 (the config refuses port 0; restarts keep the same URL). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Writes the config (plain HTTP on a free 127.0.0.1 port, prior signature not required). */
export async function prepareGateway(s: GatewaySetup): Promise<PreparedGateway> {
  await mkdir(s.dir, { recursive: true });
  let axis: Config['axis'];
  if ('embedded' in s.axis) axis = { embedded: true, pollSeconds: 3600 };
  else {
    const secretFile = path.join(s.dir, 'axis-secret');
    await writeFile(secretFile, s.axis.secret + '\n', { mode: 0o600 });
    axis = { endpoint: s.axis.endpoint, systemId: s.organ.id, secretFile, pollSeconds: s.axis.pollSeconds ?? 3600 };
  }
  let config: Config = {
    ...structuredClone(DEFAULTS),
    organ: s.organ,
    stateDir: path.join(s.dir, 'state'),
    http: { listen: `127.0.0.1:${await freePort()}`, tls: false },
    hsm: s.hsm,
    signing: { ...DEFAULTS.signing, requirePriorSignature: false, signEnvelope: false },
    trust: { anchors: s.trustDir },
    axis,
    log: { level: 'info' },
  };
  if (s.adjust) config = s.adjust(config);
  const configFile = path.join(s.dir, 'config.json');
  await writeFile(configFile, JSON.stringify(config, null, 2));
  // The parent's own overrides must not leak into the child (EDOC_GATEWAY_* win over the file).
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('EDOC_GATEWAY_') && k !== 'NOTIFY_SOCKET' && k !== 'WATCHDOG_USEC') env[k] = v;
  env['SOFTHSM2_CONF'] = s.softhsm2Conf;
  return { configFile, config, env };
}

/** Creates an API key in the (stopped) gateway's state, the way `apikey create` does locally. */
export async function createApiKey(stateDir: string, name: string, role: Role): Promise<string> {
  const store = await Store.open({ stateDir, logger: pino({ level: 'silent' }) });
  try {
    const auth = new Auth({ store, logger: pino({ level: 'silent' }) });
    return (await auth.apiKeys.create(name, role, 'bench')).key;
  } finally {
    await store.close();
  }
}

export interface GatewayProcess {
  child: ChildProcess;
  pid: number;
  url: string;
  /** Spawn until the ready line, measured here (Node start and module loading included). */
  spawnToReadyMs: number;
  /** The service's own figure (startService entry until listening). */
  readyMs: number;
  /** The last log lines (stdout and stderr), for failure messages. */
  lines: string[];
  /** Exit code, or the signal name, once the process has ended. */
  exited: Promise<number | string>;
  rssMb(): number;
  /** VmHWM: the process's peak resident memory so far. */
  peakRssMb(): number;
  /**
   * RssAnon: the resident memory that is the process's own (heap, stacks, buffers), without the
   * file-backed pages of the Node executable and shared libraries, which the kernel shares and can
   * drop and re-read (on this machine the `node` binary's code alone is ≈ 40 MB of VmRSS).
   */
  privateRssMb(): number;
  /** SIGTERM, then wait (SIGKILL after `ms`). */
  stop(ms?: number): Promise<number | string>;
  /** SIGKILL: a crash at whatever instant this is. */
  kill(): Promise<number | string>;
}

/** `nodeArgs`: node options before the script; default SERVICE_NODE_OPTIONS (the unit's), `[]` for none. */
export async function spawnGateway(g: PreparedGateway, opts: { timeoutMs?: number; nodeArgs?: readonly string[] } = {}): Promise<GatewayProcess> {
  const t0 = process.hrtime.bigint();
  // The node options of the systemd unit unless told otherwise: the figures are the appliance's.
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? SERVICE_NODE_OPTIONS), CLI_BIN, 'serve', '--config', g.configFile], { env: g.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const keep = (l: string): void => {
    lines.push(l);
    if (lines.length > 300) lines.splice(0, lines.length - 300);
  };
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, sig) => resolve(code ?? sig ?? 'unknown')));
  // Always drain both pipes: a full pipe would block the service's logger.
  let errBuf = '';
  child.stderr!.on('data', (d: Buffer) => {
    errBuf += d.toString();
    const parts = errBuf.split('\n');
    errBuf = parts.pop() ?? '';
    parts.forEach(keep);
  });
  const ready = new Promise<{ url: string; readyMs: number; at: bigint }>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const parts = buf.split('\n');
      buf = parts.pop() ?? '';
      for (const l of parts) {
        keep(l);
        if (!l.includes('edoc-gateway ready')) continue;
        try {
          const j = JSON.parse(l) as { url?: string; readyMs?: number };
          if (j.url) resolve({ url: j.url, readyMs: j.readyMs ?? NaN, at: process.hrtime.bigint() });
        } catch {
          /* not JSON: keep looking */
        }
      }
    });
    void exited.then((c) => reject(new Error(`gateway exited (${c}) before ready:\n${lines.slice(-15).join('\n')}`)));
    setTimeout(() => reject(new Error(`gateway not ready after ${opts.timeoutMs ?? 60_000} ms:\n${lines.slice(-15).join('\n')}`)), opts.timeoutMs ?? 60_000).unref();
  });
  let r: { url: string; readyMs: number; at: bigint };
  try {
    r = await ready;
  } catch (e) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    throw e;
  }
  const pid = child.pid!;
  const status = (field: string): number => {
    try {
      const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return m ? Math.round((Number(m[1]) / 1024) * 10) / 10 : NaN;
    } catch {
      return NaN;
    }
  };
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  return {
    child, pid, lines, exited,
    url: r.url,
    spawnToReadyMs: Math.round(Number(r.at - t0) / 1e6),
    readyMs: r.readyMs,
    rssMb: () => status('VmRSS'),
    peakRssMb: () => status('VmHWM'),
    privateRssMb: () => status('RssAnon'),
    stop: async (ms = 15_000) => {
      if (running()) child.kill('SIGTERM');
      const timer = setTimeout(() => running() && child.kill('SIGKILL'), ms);
      const c = await exited;
      clearTimeout(timer);
      return c;
    },
    kill: async () => {
      if (running()) child.kill('SIGKILL');
      return exited;
    },
  };
}

/**
 * `start.ready_ms`: spawn `serve` on an existing state until it is ready, `runs` times (stopped
 * cleanly in between); the median is the figure, the worst is reported too.
 */
export async function benchStart(g: PreparedGateway, runs = 3): Promise<BenchFigure[]> {
  const outer: number[] = [];
  const inner: number[] = [];
  for (let i = 0; i < runs; i++) {
    const gw = await spawnGateway(g);
    outer.push(gw.spawnToReadyMs);
    inner.push(gw.readyMs);
    await gw.stop();
  }
  outer.sort((a, b) => a - b);
  inner.sort((a, b) => a - b);
  return [
    { name: 'start.ready_ms', value: percentile(outer, 50), unit: 'ms', n: runs },
    { name: 'start.ready_max_ms', value: outer[outer.length - 1]!, unit: 'ms', n: runs },
    { name: 'start.ready_in_service_ms', value: percentile(inner, 50), unit: 'ms', n: runs },
  ];
}
