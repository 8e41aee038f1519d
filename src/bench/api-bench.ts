import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { percentile, round2, type BenchFigure } from './report.js';
import type { GatewayProcess } from './start-bench.js';

/**
 * The API figures of spec/benchmarks.md, measured over real HTTP on 127.0.0.1 against a gateway
 * running in its own process (start-bench.ts):
 * - `api.sign_per_s` / `api.sign_p99_ms`: POST /api/v1/sign of a ~200 KB PDF by N concurrent
 *   clients for S seconds; meanwhile the service's resident memory is sampled (`mem.rss_peak_mb`)
 *   and its own event-loop delay histogram is read from /metrics (`loop.delay_p99_ms`: the
 *   histogram is reset by the scrape just before the run, so the next scrape covers the run only).
 * - `api.submit_to_sent_p99_ms`: POST /api/v1/documents, one at a time, until the axis simulator
 *   has counted the package.
 */
export interface FormPart {
  name: string;
  value?: string;
  /** `contentType` defaults to application/octet-stream. */
  file?: { filename: string; content: Buffer | string; contentType?: string };
}

/** A multipart/form-data body (built once, sent many times); the tests' `form()` uses it too. */
export function multipartBody(parts: FormPart[]): { body: Buffer; contentType: string } {
  const boundary = `----edocbench${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"`;
    if (p.file) {
      head += `; filename="${p.file.filename}"\r\nContent-Type: ${p.file.contentType ?? 'application/octet-stream'}\r\n\r\n`;
      chunks.push(Buffer.from(head), Buffer.isBuffer(p.file.content) ? p.file.content : Buffer.from(p.file.content), Buffer.from('\r\n'));
    } else chunks.push(Buffer.from(`${head}\r\n\r\n${p.value ?? ''}\r\n`));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** The service's event-loop delay p99 (ms) since the previous scrape of /metrics. */
export async function scrapeLoopDelayP99(url: string, key: string): Promise<number> {
  const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${key}` } });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  const m = /^edoc_event_loop_delay_seconds\{quantile="0\.99"\}\s+([0-9.eE+-]+)/m.exec(text);
  if (!m) throw new Error('/metrics has no edoc_event_loop_delay_seconds p99');
  return Number(m[1]) * 1000;
}

/**
 * POSTs `body` and reads the whole answer (the signed file, as a client would receive it, counted
 * rather than kept); resolves with the status.
 */
function postBuffer(agent: Agent, url: string, headers: Record<string, string>, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
      let received = 0;
      res.on('data', (d: Buffer) => (received += d.length));
      res.on('end', () => resolve(received > 0 ? (res.statusCode ?? 0) : 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** User + system CPU time (ms) a process has used so far, all its threads (Linux /proc). */
export function processCpuMs(pid: number): number {
  try {
    // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

/** USER_HZ: 100 on every Linux this runs on (x86-64, arm64). */
const CLOCK_TICKS = 100;

export async function benchApiSign(
  gw: GatewayProcess,
  key: string,
  pdfPath: string,
  opts: { seconds?: number; concurrency?: number } = {},
): Promise<BenchFigure[]> {
  const seconds = opts.seconds ?? 10;
  const concurrency = opts.concurrency ?? 4;
  const pdf = await readFile(pdfPath);
  const { body, contentType } = multipartBody([{ name: 'file', file: { filename: 'van-ban.pdf', content: pdf, contentType: 'application/pdf' } }]);
  // node:http with a keep-alive agent, not fetch: the client shares the 2 cores with the service,
  // and undici's web streams cost about as much CPU per request as half the service's own work.
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const post = (): Promise<number> => postBuffer(agent, `${gw.url}/api/v1/sign`, { authorization: `Bearer ${key}`, 'content-type': contentType }, body);
  // Warm-up outside the measured window: the first sign pays lazy loading in the service.
  for (let i = 0; i < 2; i++) {
    const s = await post();
    if (s !== 200) throw new Error(`POST /api/v1/sign warm-up answered ${s}`);
  }
  await scrapeLoopDelayP99(gw.url, key); // resets the service's histogram
  const cpu0 = { service: processCpuMs(gw.pid), client: process.cpuUsage() };
  let peak = gw.rssMb();
  const sampler = setInterval(() => (peak = Math.max(peak, gw.rssMb())), 100);
  const latencies: number[] = [];
  let errors = 0;
  const until = Date.now() + seconds * 1000;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) {
        const t0 = process.hrtime.bigint();
        const status = await post().catch(() => 0);
        if (status === 200) latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        else errors++;
      }
    }),
  );
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  agent.destroy();
  const serviceCpuMs = processCpuMs(gw.pid) - cpu0.service;
  const clientCpu = process.cpuUsage(cpu0.client);
  clearInterval(sampler);
  peak = Math.max(peak, gw.rssMb());
  const loopP99 = await scrapeLoopDelayP99(gw.url, key);
  latencies.sort((a, b) => a - b);
  const n = latencies.length;
  return [
    { name: 'api.sign_per_s', value: round2(n / elapsed), unit: 'sign/s', n },
    { name: 'api.sign_p99_ms', value: round2(percentile(latencies, 99)), unit: 'ms', n },
    { name: 'api.sign_p50_ms', value: round2(percentile(latencies, 50)), unit: 'ms', n },
    { name: 'api.sign_errors', value: errors, unit: 'requests', n: n + errors },
    // Where the 2 cores went: CPU time (all threads, the HSM's signing included) per request, of
    // the service and of this client (which shares the cores: fetch, multipart, reading replies).
    { name: 'api.sign_cpu_ms_per_req', value: round2(serviceCpuMs / Math.max(1, n + errors)), unit: 'ms', n: n + errors },
    { name: 'api.client_cpu_ms_per_req', value: round2((clientCpu.user + clientCpu.system) / 1000 / Math.max(1, n + errors)), unit: 'ms', n: n + errors },
    { name: 'api.sign_pdf_kb', value: round2(pdf.length / 1024), unit: 'KB', n: 1 },
    { name: 'loop.delay_p99_ms', value: round2(loopP99), unit: 'ms', n },
    { name: 'mem.rss_peak_mb', value: peak, unit: 'MB', n: Math.round(elapsed * 10) },
  ];
}

export interface SubmitTarget {
  /** Packages the simulator has accepted so far (AxisSim.stats().received). */
  received(): number;
  recipients: string[];
}

export async function benchApiSubmitToSent(gw: GatewayProcess, key: string, pdfPath: string, target: SubmitTarget, n = 30): Promise<BenchFigure[]> {
  const pdf = await readFile(pdfPath);
  const times: number[] = [];
  const run = `${process.pid}${Date.now() % 100000}`;
  for (let i = 0; i < n; i++) {
    const metadata = {
      type: 'CV', number: String(i + 1), notation: `B${run}`, promulgationDate: '2026-11-27', subject: `Đo thời gian gửi số ${i + 1}`,
      recipients: target.recipients, secrecy: 'none', signer: { fullName: 'Nguyễn Văn A' },
    };
    const { body, contentType } = multipartBody([
      { name: 'metadata', value: JSON.stringify(metadata) },
      { name: 'file', file: { filename: 'van-ban.pdf', content: pdf, contentType: 'application/pdf' } },
    ]);
    const before = target.received();
    const t0 = process.hrtime.bigint();
    const res = await fetch(`${gw.url}/api/v1/documents`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': contentType }, body });
    const text = await res.text();
    if (res.status !== 201) throw new Error(`POST /api/v1/documents answered ${res.status}: ${text.slice(0, 300)}`);
    const deadline = Date.now() + 30_000;
    while (target.received() <= before) {
      if (Date.now() > deadline) throw new Error('the simulator did not receive the package within 30 s');
      await sleep(2);
    }
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return [
    { name: 'api.submit_to_sent_p99_ms', value: round2(percentile(times, 99)), unit: 'ms', n },
    { name: 'api.submit_to_sent_p50_ms', value: round2(percentile(times, 50)), unit: 'ms', n },
  ];
}
