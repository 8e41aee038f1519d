import t, { type Test } from 'tap';
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { CLI } from '../support/cli.js';
import { until } from '../support/office.js';

/**
 * `edoc-gateway demo` as a person runs it: the built CLI as a child process, in a temp dir, on
 * free ports. Both offices answer health; the sample PDF goes from A to B through the API and B's
 * acceptance comes back to A; Ctrl-C (SIGINT) ends it with exit 0 and leaves no process behind.
 * The demo is started with an IPC channel, so that should this test die without its teardown (a
 * file timeout), the demo sees the channel close and stops too; the last run proves that by
 * killing the demo's parent outright.
 */
interface DemoInfo {
  dir: string;
  samplePdf: string;
  offices: { key: string; organId: string; url: string; username: string; password: string; display: { path: string; lcdFile: string } | null; console: string | null }[];
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** HTTPS to the demo's self-signed endpoints (loopback only). */
function request(url: string, opts: { method?: string; headers?: Record<string, string>; body?: Buffer } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: opts.method ?? 'GET', headers: opts.headers, rejectUnauthorized: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

async function signIn(o: DemoInfo['offices'][number]): Promise<Record<string, string>> {
  const r = await request(`${o.url}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify({ username: o.username, password: o.password })),
  });
  if (r.status !== 200) throw new Error(`sign-in at ${o.key}: ${r.status} ${r.body.toString()}`);
  const cookie = String((r.headers['set-cookie'] as string[] | undefined)?.[0] ?? '').split(';')[0]!;
  // Cookie-authenticated writes must carry our own Origin (CSRF rule of the API).
  return { cookie, origin: o.url };
}

function processesMentioning(text: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid,stat,args'], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.includes(text) && !/\bps -eo\b/.test(l));
}

interface RunningDemo {
  info: DemoInfo;
  stderr: () => string;
  interrupt(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL to the process this test started (the demo itself, or its launcher). */
  kill(): Promise<void>;
}

/**
 * A parent that only starts the demo over an IPC channel and shares its own stdout and stderr
 * with it: killing this process is the demo's parent dying without any clean-up.
 */
const LAUNCHER = `const { spawn } = require('node:child_process');
spawn(process.execPath, process.argv.slice(1), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });`;

async function runDemo(t: Test, dir: string, opts: { viaLauncher?: boolean } = {}): Promise<RunningDemo> {
  const args = [CLI, 'demo', '--dir', dir, '--port', '0', '--json'];
  // 'ipc': the demo stops by itself should this process die before its teardown runs.
  const child = opts.viaLauncher
    ? spawn(process.execPath, ['-e', LAUNCHER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const info = await until(async () => {
    if (child.exitCode !== null) throw new Error(`demo exited ${child.exitCode}: ${stderr}`);
    const line = stdout.split('\n').find((l) => l.startsWith('{'));
    return line ? (JSON.parse(line) as DemoInfo) : null;
  }, 150_000, 'the demo to print what is running');
  return {
    info,
    stderr: () => stderr,
    interrupt: async () => {
      child.kill('SIGINT');
      return exited;
    },
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

t.test('demo: two offices up, the sample goes A → B → accepted, SIGINT exits 0 with no orphans', { timeout: 240_000 }, async (t) => {
  const dir = t.testdir();
  const run = await runDemo(t, dir);
  const { info } = run;
  t.equal(info.offices.length, 2, 'two offices');
  const [a, b] = info.offices as [DemoInfo['offices'][number], DemoInfo['offices'][number]];
  for (const o of info.offices) {
    t.match(o.url, /^https:\/\/127\.0\.0\.1:\d+$/, `office ${o.key} has an https URL`);
    t.ok(o.console, `office ${o.key} has a console pty`);
    t.ok(o.display, `office ${o.key} has a display`);
    const h = await request(`${o.url}/api/v1/health`);
    t.equal(h.status, 200, `office ${o.key} health answers`);
    const body = JSON.parse(h.body.toString()) as { hsm: { state: string }; display: { state: string } };
    t.equal(body.hsm.state, 'ready', `office ${o.key} HSM ready`);
    await until(async () => {
      const r = JSON.parse((await request(`${o.url}/api/v1/health`)).body.toString()) as { display: { state: string } };
      return r.display.state === 'connected';
    }, 20_000, `display ${o.key} connected`);
    const page = await request(`${o.url}/`);
    t.equal(page.status, 200, `office ${o.key} serves the staff page`);
  }

  // The sample PDF from A to B, through the API, with A's demo clerk.
  const sa = await signIn(a);
  const subject = `Về việc gửi thử tệp mẫu ${Date.now()}`;
  const form = new FormData();
  form.append('metadata', JSON.stringify({
    type: 'CV', number: '01', notation: 'UBND-VP', promulgationDate: new Date().toISOString().slice(0, 10),
    subject, recipients: [b.organId], secrecy: 'none', signer: { competence: 'TM.', position: 'Chủ tịch', fullName: 'Nguyễn Văn A' },
  }));
  form.append('file', new Blob([readFileSync(info.samplePdf)], { type: 'application/pdf' }), 'cong-van-mau-da-ky.pdf');
  const encoded = new Request('http://encode.invalid/', { method: 'POST', body: form });
  const sent = await request(`${a.url}/api/v1/documents`, {
    method: 'POST',
    headers: { ...sa, 'content-type': encoded.headers.get('content-type')! },
    body: Buffer.from(await encoded.arrayBuffer()),
  });
  t.equal(sent.status, 201, `submit accepted: ${sent.body.toString().slice(0, 300)}`);
  const doc = JSON.parse(sent.body.toString()) as { id: string; signatures: unknown[] };
  t.ok(doc.signatures.length >= 2, 'the competent person signature and the organisation signature');

  const sb = await signIn(b);
  const incoming = await until(async () => {
    const r = await request(`${b.url}/api/v1/documents?direction=incoming`, { headers: sb });
    const items = (JSON.parse(r.body.toString()) as { items: { id: string; subject: string; state: string }[] }).items;
    return items.find((i) => i.subject === subject);
  }, 60_000, 'the document at B');
  t.equal(incoming.state, 'arrived', 'arrived at B');
  const accepted = await request(`${b.url}/api/v1/documents/${encodeURIComponent(incoming.id)}/status`, {
    method: 'POST',
    headers: { ...sb, 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify({ code: '03' })),
  });
  t.equal(accepted.status, 200, 'B accepts it');
  await until(async () => {
    const r = await request(`${a.url}/api/v1/documents/${encodeURIComponent(doc.id)}`, { headers: sa });
    const d = JSON.parse(r.body.toString()) as { recipients: { organId: string; status: string | null }[] };
    return d.recipients.find((x) => x.organId === b.organId)?.status === '03';
  }, 60_000, 'A to see 03 from B');
  t.pass('A sees status 03 (accepted) from B');

  t.ok(processesMentioning(dir).length >= 2, 'socat / display simulator children run under the demo dir');
  const end = await run.interrupt();
  t.same(end, { code: 0, signal: null }, `Ctrl-C: clean exit 0 (stderr: ${run.stderr().slice(-300)})`);
  await new Promise((r) => setTimeout(r, 200));
  t.same(processesMentioning(dir), [], 'no orphan processes left');

  // Running it again reuses the state: same logins, same tokens, the document is still there.
  const again = await runDemo(t, dir);
  t.same(again.info.offices.map((o) => o.password), info.offices.map((o) => o.password), 'the same demo logins');
  const a2 = again.info.offices[0]!;
  const s2 = await signIn(a2);
  const r = await request(`${a2.url}/api/v1/documents/${encodeURIComponent(doc.id)}`, { headers: s2 });
  t.equal(r.status, 200, 'the document sent in the first run is still in office A');
  t.same(await again.interrupt(), { code: 0, signal: null }, 'second run exits 0 too');
  await new Promise((r) => setTimeout(r, 200));
  t.same(processesMentioning(dir), [], 'no orphan processes after the second run');

  // The parent dies without a word (what a test-runner timeout does to this test): the demo
  // stops both offices cleanly and takes socat and the display simulator with it.
  const stoppedLines = (): number[] => info.offices.map((o) => countStopped(dir, o.key));
  const orphaned = await runDemo(t, dir, { viaLauncher: true });
  const before = stoppedLines();
  t.ok(processesMentioning(dir).length >= 3, 'the launcher, the demo and its children run');
  await orphaned.kill();
  await until(() => processesMentioning(dir).length === 0, 60_000, 'the demo and its children to exit after its parent died');
  t.pass('no process left once the parent is gone');
  t.same(stoppedLines(), before.map((n) => n + 1), 'each office logged a clean stop');
});

/** How many times an office's log says "stopped" (the last line of a clean shutdown). */
function countStopped(dir: string, key: string): number {
  const log = readFileSync(`${dir}/logs/office-${key}.log`, 'utf8');
  return log.split('\n').filter((l) => l.includes('"msg":"stopped"')).length;
}
