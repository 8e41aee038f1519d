import { readFile } from 'node:fs/promises';
import type { SigningToken } from '../hsm/port.js';
import { signFile } from '../signing/sign-file.js';
import { percentile, round2, type BenchFigure } from './report.js';

/**
 * `sign.pdf_per_s`: the signing service itself — PAdES on a 200 KB PDF through `signFile`, the
 * same call the API makes once the upload is in memory — with 4 concurrent callers, in this
 * process, on the token the raw bench used. Beside `api.sign_per_s` it splits the API's cost into
 * "signing a PDF" and "HTTP, multipart, temp file and audit", each as a ratio to raw.
 */
export async function benchSignService(token: SigningToken, pdfPath: string, seconds: number, concurrency = 4): Promise<BenchFigure[]> {
  const bytes = new Uint8Array(await readFile(pdfPath));
  const once = async (): Promise<void> => {
    const r = await signFile({ bytes, format: 'pades', token, signingTime: new Date() });
    if (!r.bytes || r.bytes.length <= bytes.length) throw new Error('signFile returned no signed PDF');
  };
  await once(); // warm-up: lazy module loads, the CMS template cache
  const latencies: number[] = [];
  const until = Date.now() + seconds * 1000;
  const start = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) {
        const t0 = process.hrtime.bigint();
        await once();
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }),
  );
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const n = latencies.length;
  latencies.sort((a, b) => a - b);
  return [
    { name: 'sign.pdf_per_s', value: round2(n / elapsed), unit: 'sign/s', n },
    { name: 'sign.pdf_p99_ms', value: round2(percentile(latencies, 99)), unit: 'ms', n },
    // CPU of every thread of this process (the HSM signs on libuv's pool), per PDF signed.
    { name: 'sign.pdf_cpu_ms_per_sign', value: round2((cpu.user + cpu.system) / 1000 / Math.max(1, n)), unit: 'ms', n },
  ];
}
