import { createHash } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { DEFAULTS } from '../../src/config/defaults.js';
import type { Config } from '../../src/config/schema.js';
import { createCore, type Core, type CoreOptions } from '../../src/core.js';
import type { Actor, UploadedFile } from '../../src/documents/types.js';
import { EventBus, type EventName } from '../../src/events.js';
import type { GrapheneToken } from '../../src/hsm/graphene-token.js';
import type { Logger } from '../../src/log/logger.js';
import { startAxisSim, type AxisSim } from '../../src/axis-sim/index.js';
import { VpcpAxis } from '../../src/relay/vpcp/index.js';
import type { AxisPort } from '../../src/relay/axis-port.js';
import { makeDevToken, openDevToken, type DevToken } from './softhsm.js';

/**
 * An office for tests: a real SoftHSM token, a config, and a running core talking to an axis
 * simulator over real HTTP on 127.0.0.1. `makeOffices` builds several offices on one simulator with
 * trust anchors = every office's dev CA, as the e2e and HTTP tests need. Offices can be restarted
 * (core closed and reopened on the same state dir, same token), like a gateway after a reboot.
 */
export interface OfficeSpec {
  id: string;
  name: string;
  abbreviation?: string;
}

export interface RecordedEvent {
  name: EventName;
  payload: unknown;
}

export interface Office {
  spec: OfficeSpec;
  dir: string;
  config: Config;
  dev: DevToken;
  token: GrapheneToken;
  bus: EventBus;
  events: RecordedEvent[];
  core: Core;
  clerk: Actor;
  /** Closes the core and opens a new one on the same state (the token stays open). */
  restart(): Promise<Core>;
  close(): Promise<void>;
}

export interface Offices {
  sim: AxisSim;
  /** The axis secret each office id is registered with at the simulator. */
  secrets: Record<string, string>;
  /** A VPCP adapter speaking as `id` (to inspect the simulator as that agency). */
  axisAs(id: string): VpcpAxis;
  offices: Office[];
  trustDir: string;
  close(): Promise<void>;
}

export const OFFICE_A: OfficeSpec = { id: '000.00.24.H44', name: 'UBND xã Tiên Lương', abbreviation: 'UBND' };
export const OFFICE_B: OfficeSpec = { id: '000.00.00.H54', name: 'UBND tỉnh Thái Bình', abbreviation: 'UBND' };

export const CLERK: Actor = { kind: 'user', name: 'vanthu', role: 'clerk' };

const here = path.dirname(fileURLToPath(import.meta.url));
export const SAMPLE_PDF = path.resolve(here, '../fixtures/pdf/plain-1.4.pdf');

export function testLogger(): Logger {
  return pino({ level: process.env.EDOC_TEST_LOG ?? 'silent' });
}

export interface MakeOfficesOptions {
  /** Changes to every office's config. */
  config?: (c: Config, spec: OfficeSpec) => Config;
  tuning?: CoreOptions['tuning'];
  /** A wrong axis secret for these office ids (the simulator knows the right one). */
  wrongSecretFor?: string[];
  /** The offices' clock (tests shift it to reach deadlines). */
  now?: () => Date;
  /** Wraps an office's VPCP adapter (fault injection around the real adapter). */
  wrapAxis?: (port: AxisPort, spec: OfficeSpec) => AxisPort;
}

/**
 * SoftHSM reads its softhsm2.conf once per process, so every dev token of this process lives under
 * the first token's directory; a test's own dir is removed when the test ends, so tokens go to one
 * per-process temp dir instead, removed at exit.
 */
let tokenRootDir: string | null = null;
let tokenSeq = 0;
function tokenRoot(): string {
  if (!tokenRootDir) {
    const d = mkdtempSync(path.join(os.tmpdir(), 'edoc-office-tokens-'));
    tokenRootDir = d;
    process.once('exit', () => rmSync(d, { recursive: true, force: true }));
  }
  return tokenRootDir;
}

/**
 * `testDir` is the caller's test directory; the offices' state (simulator, state dirs, secrets,
 * trust) goes to a private temp dir that `close()` removes AFTER everything has stopped — a test
 * dir may be removed by tap before later teardowns run, under the feet of a writing simulator.
 */
export async function makeOffices(testDir: string, specs: OfficeSpec[], opts: MakeOfficesOptions = {}): Promise<Offices> {
  void testDir;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'edoc-offices-'));
  const trustDir = path.join(dir, 'trust');
  await mkdir(trustDir, { recursive: true });
  const devs: DevToken[] = [];
  for (const [i, s] of specs.entries()) {
    const d = path.join(tokenRoot(), `${process.pid}-${++tokenSeq}`);
    await mkdir(d, { recursive: true });
    const dev = await makeDevToken(d, { label: `off${i}-${process.pid}-${randomBytes(3).toString('hex')}` });
    await copyFile(dev.caCert, path.join(trustDir, `ca-${i}.pem`));
    devs.push(dev);
    void s;
  }
  const secrets = specs.map(() => randomBytes(24).toString('base64'));
  const sim = await startAxisSim({
    listen: { host: '127.0.0.1', port: 0 },
    stateDir: path.join(dir, 'axis-sim'),
    agencies: specs.map((s, i) => ({ id: s.id, name: s.name, secret: secrets[i]! })),
  });
  const offices: Office[] = [];
  const adapters: VpcpAxis[] = [];
  try {
    for (const [i, spec] of specs.entries()) {
      const odir = path.join(dir, `office-${i}`);
      await mkdir(odir, { recursive: true });
      const secretFile = path.join(odir, 'axis-secret');
      const secret = opts.wrongSecretFor?.includes(spec.id) ? randomBytes(24).toString('base64') : secrets[i]!;
      await writeFile(secretFile, secret + '\n', { mode: 0o600 });
      let config: Config = {
        ...structuredClone(DEFAULTS),
        organ: { id: spec.id, name: spec.name, abbreviation: spec.abbreviation ?? 'UBND' },
        stateDir: path.join(odir, 'state'),
        http: { listen: '127.0.0.1:0', tls: false },
        hsm: devs[i]!.hsm,
        signing: { ...DEFAULTS.signing, requirePriorSignature: false, signEnvelope: true },
        trust: { anchors: trustDir },
        axis: { endpoint: sim.url, systemId: spec.id, secretFile, pollSeconds: 3600 },
        log: { level: 'silent' },
      };
      if (opts.config) config = opts.config(config, spec);
      const wrap = opts.wrapAxis;
      const axis = wrap
        ? () => {
            const v = new VpcpAxis({ endpoint: sim.url, systemId: spec.id, secret });
            adapters.push(v);
            return wrap(v, spec);
          }
        : undefined;
      offices.push(await startOffice(odir, spec, config, devs[i]!, { tuning: opts.tuning, axis, now: opts.now }));
    }
  } catch (e) {
    for (const o of offices) await o.close().catch(() => undefined);
    for (const a of adapters) await a.close().catch(() => undefined);
    await sim.close();
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  const secretById = Object.fromEntries(specs.map((s, i) => [s.id, secrets[i]!]));
  return {
    sim,
    offices,
    trustDir,
    secrets: secretById,
    axisAs: (id) => {
      const a = new VpcpAxis({ endpoint: sim.url, systemId: id, secret: secretById[id] ?? 'unknown' });
      adapters.push(a);
      return a;
    },
    close: async () => {
      for (const o of offices) await o.close().catch(() => undefined);
      for (const a of adapters) await a.close().catch(() => undefined);
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function startOffice(
  dir: string,
  spec: OfficeSpec,
  config: Config,
  dev: DevToken,
  extra: { tuning?: CoreOptions['tuning'] | undefined; axis?: (() => AxisPort) | undefined; now?: (() => Date) | undefined },
): Promise<Office> {
  const token = await openDevToken(dev);
  const bus = new EventBus();
  const events: RecordedEvent[] = [];
  bus.subscribeAll((name, payload) => events.push({ name, payload }));
  const logger = testLogger();
  const { tuning, axis, now } = extra;
  const open = () => createCore({ config, logger, bus, token, ...(tuning ? { tuning } : {}), ...(axis ? { axis: axis() } : {}), ...(now ? { now } : {}) });
  const office: Office = {
    spec, dir, config, dev, token, bus, events, clerk: CLERK,
    core: await open(),
    restart: async () => {
      await office.core.stop();
      office.core = await open();
      return office.core;
    },
    close: async () => {
      await office.core.stop();
      await token.close();
    },
  };
  return office;
}

/** A copy of a file as an upload temp file (the transport's job in production). */
export async function upload(dir: string, source: string, filename = path.basename(source), contentType = 'application/pdf'): Promise<UploadedFile> {
  const p = path.join(dir, `upload-${randomBytes(6).toString('hex')}-${filename}`);
  const bytes = await readFile(source);
  await writeFile(p, bytes);
  // As the HTTP layer does (it hashes while the upload streams).
  return { path: p, filename, contentType, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

let numberSeq = 0;

/** Valid submission metadata addressed to `recipients`, with a fresh number each call. */
export function metadataFor(recipients: string[], over: Record<string, unknown> = {}): Record<string, unknown> {
  numberSeq++;
  return {
    type: 'CV',
    number: String(numberSeq).padStart(2, '0'),
    notation: 'UBND-VP',
    promulgationDate: '2026-11-26',
    place: 'Tiên Lương',
    subject: `Về việc thử nghiệm liên thông số ${numberSeq}`,
    recipients,
    priority: 0,
    secrecy: 'none',
    signer: { competence: 'TM.', position: 'Chủ tịch', fullName: 'Nguyễn Văn A' },
    ...over,
  };
}

/** Waits until `check` returns a value (polling, no timing assertion); fails after `ms`. */
export async function until<T>(check: () => T | undefined | null | false | Promise<T | undefined | null | false>, ms = 20_000, what = 'condition'): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
