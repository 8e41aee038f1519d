import t from 'tap';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { pino } from 'pino';
import { DEFAULTS } from '../../src/config/defaults.js';
import { run } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';
import { startService, type RunningService } from '../../src/main.js';
import { embeddedOfficeConfig, makeDevToken } from '../support/softhsm.js';
import { OFFICE_A, SAMPLE_PDF, metadataFor, until } from '../support/office.js';

/**
 * The nightly backup as the appliance runs it: a real service (SoftHSM, embedded axis, HTTP on
 * loopback) takes submissions from several clients while `edoc-gateway backup` asks it for a
 * snapshot over its admin socket. The backup is restored into an empty state directory and a
 * service started on it: every document acknowledged (201) before the backup began must be there
 * with the same signed file and package, any later one must be whole or absent, and the audit
 * chain must verify.
 */
interface Ran {
  code: number;
  out: string;
  err: string;
}

async function cli(argv: string[]): Promise<Ran> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (s) => void (out += `${s}\n`), err: (s) => void (err += `${s}\n`), json: argv.includes('--json'), env: {}, readStdin: async () => '' };
  return { code: await run(argv, io), out, err };
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

async function get(s: RunningService, key: string, url: string): Promise<{ status: number; body: Buffer }> {
  const res = await fetch(`${s.url}${url}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
}

/** What a client keeps of an acknowledged document: the hashes of what the service serves. */
interface Acked {
  id: string;
  file: string;
  edxml: string;
}

async function fingerprint(s: RunningService, key: string, id: string): Promise<Acked | null> {
  const enc = encodeURIComponent(id);
  const doc = await get(s, key, `/api/v1/documents/${enc}`);
  if (doc.status === 404) return null;
  if (doc.status !== 200) throw new Error(`GET ${id}: ${doc.status} ${doc.body.toString().slice(0, 200)}`);
  const file = await get(s, key, `/api/v1/documents/${enc}/file`);
  const edxml = await get(s, key, `/api/v1/documents/${enc}/edxml`);
  if (file.status !== 200 || edxml.status !== 200) throw new Error(`${id}: file ${file.status}, edxml ${edxml.status}`);
  return { id, file: sha(file.body), edxml: sha(edxml.body) };
}

t.test('backup while documents are submitted, restore into an empty state directory: every acknowledged document is whole', async (t) => {
  const dir = t.testdir();
  const dev = await makeDevToken(path.join(dir, 'token'));
  const config = embeddedOfficeConfig(dev, path.join(dir, 'state'), {
    organ: { id: OFFICE_A.id, name: OFFICE_A.name, abbreviation: 'UBND' },
    signing: { ...DEFAULTS.signing, requirePriorSignature: false },
  });
  const quiet = { noSignals: true, logger: pino({ level: 'silent' }), env: {} };
  const s = await startService(config, quiet);
  let running: RunningService | null = s;
  t.teardown(() => running?.stop());

  const created = await cli(['apikey', 'create', 'dms', '--role', 'clerk', '--json', '--state-dir', config.stateDir]);
  t.equal(created.code, 0, created.err);
  const key = (JSON.parse(created.out) as { key: string }).key;

  const pdf = await readFile(SAMPLE_PDF);
  const submit = async (): Promise<string> => {
    const form = new FormData();
    form.append('metadata', JSON.stringify(metadataFor([OFFICE_A.id])));
    form.append('file', new Blob([pdf], { type: 'application/pdf' }), 'cong-van.pdf');
    const res = await fetch(`${s.url}/api/v1/documents`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: form });
    const body = await res.text();
    if (res.status !== 201) throw new Error(`submit: ${res.status} ${body.slice(0, 300)}`);
    return (JSON.parse(body) as { id: string }).id;
  };

  // Three clients submit back to back until told to stop.
  const acked: string[] = [];
  let inFlight = 0;
  let stop = false;
  const client = async (): Promise<void> => {
    while (!stop) {
      inFlight += 1;
      try {
        acked.push(await submit());
      } finally {
        inFlight -= 1;
      }
    }
  };
  const clients = Promise.all([client(), client(), client()]);
  clients.catch(() => undefined); // awaited below; keeps an early failure from going unhandled
  await until(() => acked.length >= 6, 60_000, 'the first acknowledged documents');

  const before = [...acked];
  const busy = inFlight;
  const out = path.join(dir, 'nightly.backup');
  const b = await cli(['backup', '--out', out, '--json', '--state-dir', config.stateDir]);
  await until(() => acked.length >= before.length + 3, 60_000, 'submissions after the backup');
  stop = true;
  await clients;
  t.equal(b.code, 0, b.err);
  t.ok(busy > 0, `submissions were in flight when the backup started (${busy})`);
  t.match(JSON.parse(b.out), { file: out, files: Number, auditHead: { seq: Number } });

  // What the clients were given, read back from the running service before it stops.
  const served = new Map<string, Acked>();
  for (const id of acked) {
    const f = await fingerprint(s, key, id);
    if (!f) throw new Error(`acknowledged ${id} not served by the running service`);
    served.set(id, f);
  }
  await s.stop();
  running = null;

  const restoredDir = path.join(dir, 'restored');
  await mkdir(restoredDir);
  const r = await cli(['restore', '--in', out, '--state-dir', restoredDir]);
  t.equal(r.code, 0, r.err);
  const audit = await cli(['audit', 'verify', '--json', '--state-dir', restoredDir]);
  t.equal(audit.code, 0, `restored audit chain verifies: ${audit.out}`);

  const s2 = await startService({ ...config, stateDir: restoredDir }, quiet);
  running = s2;
  for (const id of before) {
    t.same(await fingerprint(s2, key, id), served.get(id), `acknowledged before the backup: ${id} restored with its signed file and package`);
  }
  let later = 0;
  for (const id of acked.slice(before.length)) {
    const f = await fingerprint(s2, key, id);
    if (f) {
      later += 1;
      t.same(f, served.get(id), `acknowledged during the backup and captured: ${id} is whole`);
    }
  }
  t.comment(`${before.length} documents before the backup, ${acked.length - before.length} during or after (${later} captured)`);

  // Nothing half-stored: every outgoing record in the restored state has its file and package.
  const list = await get(s2, key, '/api/v1/documents?direction=outgoing&limit=200');
  const items = (JSON.parse(list.body.toString()) as { items: { id: string }[] }).items;
  t.equal(items.length, before.length + later, 'the restored state holds exactly the captured documents');
  for (const { id } of items) t.ok(await fingerprint(s2, key, id), `${id}: record, file and package all present`);
  // ... and its signature is in the restored audit chain (records and audit were captured together).
  const entries = (await readFile(path.join(restoredDir, 'audit', 'audit.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { event: string; data?: { record?: string } });
  const signed = new Set(entries.filter((e) => e.event === 'signed').map((e) => e.data?.record));
  t.same(items.map((i) => i.id).filter((id) => !signed.has(id)), [], 'every restored document has its "signed" audit entry');
  t.equal(signed.size, items.length, 'and no audit entry names a document the backup lacks');
  await s2.stop();
  running = null;
  t.same((await readdir(path.join(restoredDir, 'tmp', 'admin')).catch(() => [])), [], 'no leftover snapshot copies in the restored state');
});
