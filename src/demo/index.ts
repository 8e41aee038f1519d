import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, writeFile, chmod } from 'node:fs/promises';
import path from 'node:path';
import { pino } from 'pino';
import { Auth } from '../auth/index.js';
import { startAxisSim, type AxisSim } from '../axis-sim/index.js';
import { checkConfig } from '../config/load.js';
import { domainConfigChecks } from '../config/domain-checks.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import { startService, type RunningService } from '../main.js';
import { Store } from '../store/store.js';
import { hsmConfigOf, loadOrCreateState, PERSONAL_TOKEN, type DemoOfficeState } from './demo-state.js';
import { firmwareAvailable, startDemoDisplay, type DemoDisplay } from './display-device.js';
import { openPtyPair, type PtyPair } from './pty-pair.js';
import { ensureSamplePdf } from './sample-pdf.js';

/**
 * `edoc-gateway demo`: the whole appliance twice — a commune and its province — on one simulated
 * axis, on this machine. Each office is a full `startService` (real SoftHSM token, store, relay,
 * HTTPS with the staff page, display, console) and talks to the shared simulator over HTTP with
 * the real VPCP protocol (signed headers, its own secret), exactly as it would to the province's
 * LGSP. Both run in this one process (SoftHSM is initialised once per process, so the tokens
 * share one softhsm2.conf).
 */
export interface DemoOfficeSpec {
  key: string;
  organ: string;
  name: string;
}

export const DEMO_OFFICES: DemoOfficeSpec[] = [
  { key: 'a', organ: '000.46.24.H99', name: 'UBND xã Tiên Lương (demo)' },
  { key: 'b', organ: '000.00.00.H99', name: 'UBND tỉnh (demo)' },
];

export interface DemoOptions {
  dir: string;
  /** Office A listens on `port`, B on `port + 1`; 0 = any free ports. */
  port: number;
  host?: string;
  /** Displays and consoles (socat ptys, simavr); the browser test leaves them out. */
  devices?: boolean;
  /** Force the TypeScript display emulator even when the firmware simulator is available. */
  emulatorOnly?: boolean;
  /** Seconds between inbox polls (short, so the demo feels live). */
  pollSeconds?: number;
  logLevel?: Config['log']['level'];
  /** Log lines to stdout instead of `<dir>/logs/*.log`. */
  logToStdout?: boolean;
  say?: (line: string) => void;
}

export interface DemoOffice {
  key: string;
  organ: string;
  name: string;
  url: string;
  username: string;
  password: string;
  display: { kind: 'firmware' | 'emulator'; path: string; lcdFile: string } | null;
  /** The end of the console line a person opens (`screen PATH 115200`). */
  console: string | null;
  logFile: string | null;
  service: RunningService;
}

export interface Demo {
  dir: string;
  axisUrl: string;
  samplePdf: string;
  trustDir: string;
  offices: DemoOffice[];
  stop(): Promise<void>;
}

type Closer = { name: string; close: () => Promise<void> };

export async function startDemo(opts: DemoOptions): Promise<Demo> {
  const say = opts.say ?? (() => undefined);
  const dir = path.resolve(opts.dir);
  await mkdir(path.join(dir, 'logs'), { recursive: true });
  const closers: Closer[] = [];
  const streams: WriteStream[] = [];
  const stopAll = async (): Promise<void> => {
    for (const c of closers.splice(0).reverse()) {
      await c.close().catch((e: unknown) => say(`demo: stopping ${c.name} failed: ${(e as Error).message}`));
    }
    await Promise.all(streams.splice(0).map((s) => new Promise<void>((r) => s.end(() => r()))));
  };
  const logFor = (name: string): { logger?: Logger; dest?: WriteStream; file: string | null } => {
    if (opts.logToStdout) return { file: null };
    const file = path.join(dir, 'logs', `${name}.log`);
    const dest = createWriteStream(file, { flags: 'a' });
    streams.push(dest);
    return { dest, file };
  };

  try {
    const { state } = await loadOrCreateState(dir, DEMO_OFFICES, say);
    const trustDir = path.join(dir, 'hsm', 'trust');
    const simLog = logFor('axis-sim');
    const simLogger: Logger = pino({ level: opts.logLevel ?? 'info' }, simLog.dest ?? process.stdout);
    const sim: AxisSim = await startAxisSim({
      listen: { host: '127.0.0.1', port: 0 },
      stateDir: path.join(dir, 'axis-sim'),
      agencies: DEMO_OFFICES.map((o) => ({ id: o.organ, name: o.name, secret: state.offices[o.key]!.axisSecret })),
      logger: simLogger,
    });
    closers.push({ name: 'axis simulator', close: () => sim.close() });

    const personal = state.tokens[PERSONAL_TOKEN];
    if (!personal) throw new Error('demo state has no personal token');
    say('preparing the sample PDF signed by the competent person …');
    const samplePdf = await ensureSamplePdf(path.join(dir, 'sample'), hsmConfigOf(personal), simLogger);

    const useFirmware = opts.devices !== false && !opts.emulatorOnly && firmwareAvailable(say).ok;
    const offices: DemoOffice[] = [];
    for (const [i, spec] of DEMO_OFFICES.entries()) {
      const os = state.offices[spec.key]!;
      const odir = path.join(dir, `office-${spec.key}`);
      await mkdir(odir, { recursive: true });
      let display: DemoDisplay | null = null;
      let consolePair: PtyPair | null = null;
      if (opts.devices !== false) {
        display = await startDemoDisplay(odir, useFirmware);
        const d = display;
        closers.push({ name: `display ${spec.key}`, close: () => d.close() });
        consolePair = await openPtyPair(path.join(odir, 'console-gateway'), path.join(odir, 'console'));
        const c = consolePair;
        closers.push({ name: `console line ${spec.key}`, close: () => c.close() });
      }
      const secretFile = path.join(odir, 'axis-secret');
      await writeFile(secretFile, os.axisSecret + '\n', { mode: 0o600 });
      await chmod(secretFile, 0o600);
      const host = opts.host ?? '127.0.0.1';
      const config = checkConfig(
        {
          organ: { id: spec.organ, name: spec.name, abbreviation: 'UBND' },
          stateDir: path.join(odir, 'state'),
          http: { listen: `${host}:${opts.port === 0 ? 8443 : opts.port + i}`, tls: 'self-signed' },
          hsm: hsmConfigOf(state.tokens[os.tokenLabel]!),
          trust: { anchors: trustDir },
          axis: { endpoint: sim.url, systemId: spec.organ, secretFile, pollSeconds: opts.pollSeconds ?? 3 },
          display: display ? { path: display.hostPath, baudRate: 115200 } : null,
          console: consolePair ? { path: consolePair.a, baudRate: 115200 } : null,
          log: { level: opts.logLevel ?? 'info' },
        },
        { env: {}, baseDir: dir, source: 'demo defaults', extraChecks: domainConfigChecks },
      );
      // Port 0 (any free port, for tests and parallel demos) is not a valid configuration value
      // for an appliance; it is set after validation, on purpose.
      if (opts.port === 0) config.http.listen = `${host}:0`;
      await ensureClerk(config, os);
      const log = logFor(`office-${spec.key}`);
      const service = await startService(config, { noSignals: true, name: spec.key, env: {}, ...(log.dest ? { logDestination: log.dest } : {}) });
      closers.push({ name: `office ${spec.key}`, close: () => service.stop('demo stopping') });
      offices.push({
        key: spec.key,
        organ: spec.organ,
        name: spec.name,
        url: service.url,
        username: os.username,
        password: os.password,
        display: display ? { kind: display.kind, path: display.hostPath, lcdFile: display.lcdFile } : null,
        console: consolePair?.b ?? null,
        logFile: log.file,
        service,
      });
    }
    let stopping: Promise<void> | null = null;
    return { dir, axisUrl: sim.url, samplePdf, trustDir, offices, stop: () => (stopping ??= stopAll()) };
  } catch (e) {
    await stopAll();
    throw e;
  }
}

/** The office's demo clerk, created through the auth module before the service takes the store. */
async function ensureClerk(config: Config, os: DemoOfficeState): Promise<void> {
  const logger = pino({ level: 'silent' });
  const store = await Store.open({ stateDir: config.stateDir, logger });
  try {
    const auth = new Auth({ store, logger });
    if (!auth.users.get(os.username)) await auth.addUser(os.username, 'clerk', os.password, 'demo');
  } finally {
    await store.close();
  }
}
