import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { DEFAULTS } from '../../src/config/defaults.js';
import type { Config, HsmConfig, Mechanism } from '../../src/config/schema.js';
import { initDevToken, type DevTokenResult } from '../../src/hsm/dev-token.js';
import { openToken, type GrapheneToken, type OpenTokenOptions } from '../../src/hsm/graphene-token.js';
import type { Logger } from '../../src/log/logger.js';

/**
 * Real SoftHSM2 tokens for tests. SoftHSM reads SOFTHSM2_CONF once per process, so every token
 * made in one test process lives under the first call's softhsm2.conf; certificates, PIN files
 * and trust anchors still go to the `dir` of each call. Init takes about a second: make one token
 * per test file (or per mechanism) and reuse it.
 */
export interface DevToken extends DevTokenResult {
  hsm: HsmConfig;
}

let counter = 0;

export async function makeDevToken(dir: string, opts: { mechanism?: Mechanism; label?: string; sessions?: number } = {}): Promise<DevToken> {
  const label = opts.label ?? `test-${process.pid}-${++counter}`;
  const res = await initDevToken({ dir, label, mechanism: opts.mechanism ?? 'RSA-PKCS' });
  return {
    ...res,
    hsm: {
      module: res.module,
      tokenLabel: res.tokenLabel,
      keyLabel: res.keyLabel,
      pinFile: res.pinFile,
      mechanism: res.mechanism,
      sessions: opts.sessions ?? 2,
    },
  };
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

export async function openDevToken(dev: DevToken, opts: Partial<OpenTokenOptions> & { hsm?: Partial<HsmConfig> } = {}): Promise<GrapheneToken> {
  const { hsm, ...rest } = opts;
  return openToken({ ...dev.hsm, ...hsm }, { logger: silentLogger(), probeIntervalMs: 0, ...rest });
}

/**
 * A SoftHSM token served over p11-kit's RPC (`p11-kit server`), for tests where the token must
 * REALLY go away: killing the server breaks every session of the client module
 * (p11-kit-client.so, Debian package p11-kit-modules) the way unplugging a USB token does.
 */
export interface P11KitServer {
  /** Value for P11_KIT_SERVER_ADDRESS. */
  address: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function p11KitServer(dev: DevToken): P11KitServer {
  // Unix socket paths are limited to ~107 bytes: tap's testdir paths are too long for them.
  const socketDir = mkdtempSync(join(tmpdir(), 'p11-'));
  const socketPath = join(socketDir, 's');
  let child: ChildProcess | null = null;
  const server: P11KitServer = {
    address: `unix:path=${socketPath}`,
    async start() {
      if (child) return;
      mkdirSync(socketDir, { recursive: true });
      rmSync(socketPath, { force: true });
      child = spawn('p11-kit', ['server', '-f', '-n', socketPath, '--provider', dev.module, 'pkcs11:'], {
        // The whole conf is served: p11-kit 0.24's token= filter hides every slot here.
        env: { ...process.env, SOFTHSM2_CONF: dev.softhsm2Conf },
        stdio: ['ignore', 'ignore', 'inherit'],
        // Its own process group: the server forks one process per client connection, and a
        // "removed token" means killing those too.
        detached: true,
      });
      for (let i = 0; i < 200 && !existsSync(socketPath); i++) await new Promise((r) => setTimeout(r, 25));
      if (!existsSync(socketPath)) throw new Error('p11-kit server did not create its socket');
    },
    async stop() {
      const c = child;
      child = null;
      if (!c || c.exitCode !== null) return;
      const exited = new Promise((r) => c.once('exit', r));
      if (c.pid !== undefined) process.kill(-c.pid, 'SIGKILL');
      await exited;
      rmSync(socketDir, { recursive: true, force: true });
    },
  };
  return server;
}

/**
 * A whole service configuration for one office on `dev`'s token, as the service-level tests run
 * it: plain HTTP on a free loopback port, the embedded axis with polling left to the test, the
 * token's dev CA as the only trust anchor. `over` replaces whole sections.
 */
export function embeddedOfficeConfig(dev: DevToken, stateDir: string, over: Partial<Config> = {}): Config {
  return {
    ...structuredClone(DEFAULTS),
    organ: { id: '000.46.24.H44', name: 'UBND xã Tiên Lương', abbreviation: 'UBND' },
    stateDir,
    http: { listen: '127.0.0.1:0', tls: false },
    hsm: dev.hsm,
    trust: { anchors: dev.trustDir },
    axis: { embedded: true, pollSeconds: 3600 },
    log: { level: 'silent' },
    ...over,
  };
}
