import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Test } from 'tap';
import type { Config } from '../../src/config/schema.js';
import type { DocumentView } from '../../src/documents/types.js';
import { multipartBody } from '../../src/bench/api-bench.js';
import { createApiKey, prepareGateway, spawnGateway, type GatewayProcess, type PreparedGateway } from '../../src/bench/start-bench.js';
import { makeOffices, metadataFor, OFFICE_A, OFFICE_B, SAMPLE_PDF, type Office, type Offices } from './office.js';
import { readFileSync } from 'node:fs';

/**
 * The whole path for the fault suite (test/fault/): gateway A is a real `serve` process (built
 * dist, so SIGKILL is a real crash), the axis simulator runs here with its fault knobs, and office
 * B is an in-process core whose inbox the test polls. Submissions go over real HTTP on 127.0.0.1.
 *
 * `EDOC_SOAK=1` (npm run soak) raises the counts of the tests that use `soak(short, long)`.
 */
export const SOAK = process.env['EDOC_SOAK'] === '1';
export const soak = (short: number, long: number): number => (SOAK ? long : short);

export interface SubmitResult {
  /** HTTP status, or 0 when the connection broke (the gateway died mid-request). */
  status: number;
  body: { id?: string; documentId?: string; error?: { code: string; message: string } } | null;
}

/** GET /api/v1/health as spec/http-api.md describes it. */
export interface HealthBody {
  status: string;
  hsm: { state: string };
  axis: { state: string };
  display: { state: string };
  store: { state: string; freeBytes: number };
  queue: { outgoing: number; failed: number; incomingUnread: number };
}

export interface FaultRig {
  offices: Offices;
  /** Office B, in process: its inbox is polled by `deliveredAtB`. */
  b: Office;
  /** Gateway A's prepared config (its state is `gw.config.stateDir`). */
  gw: PreparedGateway;
  /** A clerk API key of gateway A. */
  key: string;
  /** The running gateway A, if any. */
  current: GatewayProcess | null;
  start(): Promise<GatewayProcess>;
  /** POST /api/v1/documents to gateway A: a valid one-recipient submission (to B). */
  submit(over?: Record<string, unknown>, file?: Buffer): Promise<SubmitResult>;
  /** POST /api/v1/sign of the sample PDF to gateway A. */
  sign(): Promise<SubmitResult>;
  health(): Promise<HealthBody>;
  /** Polls B's inbox once and returns how many incoming records B holds per documentId. */
  deliveredAtB(): Promise<Map<string, number>>;
  close(): Promise<void>;
}

export interface RigOptions {
  /** Changes to gateway A's config (display, console, HSM module, state dir, …). */
  adjustA?: (c: Config) => Config;
  /** Extra environment of gateway A (P11_KIT_SERVER_ADDRESS, …). */
  envA?: NodeJS.ProcessEnv;
  /** Put A's state here instead of `<dir>/gateway-a/state` (a tmpfs for the disk-full test). */
  stateDirA?: string;
}

export async function makeFaultRig(t: Test, opts: RigOptions = {}): Promise<FaultRig> {
  // Not t.testdir(): tap removes that before the teardown below has stopped the simulator and A.
  const dir = await mkdtemp(path.join(tmpdir(), 'edoc-fault-'));
  const offices = await makeOffices(dir, [OFFICE_A, OFFICE_B]);
  const [a, b] = offices.offices as [Office, Office];
  // A's in-process core only served to make its token and trust: the real A is a child process.
  await a.close();
  const gw = await prepareGateway({
    dir: path.join(dir, 'gateway-a'),
    organ: { id: OFFICE_A.id, name: OFFICE_A.name, abbreviation: OFFICE_A.abbreviation ?? 'UBND' },
    hsm: a.dev.hsm,
    softhsm2Conf: a.dev.softhsm2Conf,
    trustDir: offices.trustDir,
    axis: { endpoint: offices.sim.url, secret: offices.secrets[OFFICE_A.id]! },
    adjust: (c) => {
      let next: Config = { ...c, log: { level: process.env['EDOC_TEST_LOG'] === 'debug' ? 'debug' : 'info' } };
      if (opts.stateDirA) next.stateDir = opts.stateDirA;
      if (opts.adjustA) next = opts.adjustA(next);
      return next;
    },
  });
  Object.assign(gw.env, opts.envA ?? {});
  const key = await createApiKey(gw.config.stateDir, 'fault-clerk', 'clerk');
  const pdf = readFileSync(SAMPLE_PDF);
  const auth = { authorization: `Bearer ${key}` };

  const url = (): string => {
    if (!rig.current) throw new Error('gateway A is not running');
    return rig.current.url;
  };
  const post = async (p: string, parts: Parameters<typeof multipartBody>[0]): Promise<SubmitResult> => {
    const { body, contentType } = multipartBody(parts);
    try {
      const res = await fetch(`${url()}${p}`, { method: 'POST', headers: { ...auth, 'content-type': contentType }, body });
      const text = await res.text();
      let json: SubmitResult['body'] = null;
      try {
        json = JSON.parse(text) as SubmitResult['body'];
      } catch {
        /* a signed file, not JSON */
      }
      return { status: res.status, body: json };
    } catch {
      return { status: 0, body: null };
    }
  };

  const rig: FaultRig = {
    offices, b, gw, key,
    current: null,
    start: async () => {
      rig.current = await spawnGateway(gw);
      return rig.current;
    },
    submit: (over = {}, file = pdf) =>
      post('/api/v1/documents', [
        { name: 'metadata', value: JSON.stringify(metadataFor([OFFICE_B.id], over)) },
        { name: 'file', file: { filename: 'van-ban.pdf', content: file, contentType: 'application/pdf' } },
      ]),
    sign: () => post('/api/v1/sign', [{ name: 'file', file: { filename: 'van-ban.pdf', content: pdf, contentType: 'application/pdf' } }]),
    health: async () => {
      const res = await fetch(`${url()}/api/v1/health`);
      return (await res.json()) as HealthBody;
    },
    deliveredAtB: async () => {
      await b.core.inbox.poll();
      const counts = new Map<string, number>();
      let cursor: string | undefined;
      do {
        const page = await b.core.documents.list({ direction: 'incoming', limit: 100, ...(cursor ? { cursor } : {}) });
        for (const d of page.items as DocumentView[]) counts.set(d.documentId, (counts.get(d.documentId) ?? 0) + 1);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return counts;
    },
    close: async () => {
      await rig.current?.kill();
      rig.current = null;
      await offices.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  t.teardown(() => rig.close());
  return rig;
}

/** Polls until `check` holds; throws with `what` after `ms` (no timing is asserted). */
export async function waitFor<T>(check: () => Promise<T | false | null | undefined> | T | false | null | undefined, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
