import { fork } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SigningToken } from '../hsm/port.js';
import { createCadesSignature } from '../signing/cms-sign.js';

/**
 * `pdf.large_sign_s` (spec/benchmarks.md): sign one ~50 MB PDF and report the time and the peak
 * RSS of the process doing the PDF work. The PDF work runs in a child process so its
 * `resourceUsage().maxRSS` is a clean high-water mark; the child asks this process for the CMS
 * over IPC, so the real token (which lives here) signs.
 */
export interface BenchFigure {
  name: string;
  value: number;
  unit: string;
  n: number;
}

export interface ChildRequest {
  input: string;
  output: string;
}
export type ChildMessage =
  | { type: 'cms'; digest: number[] }
  | { type: 'done'; seconds: number; maxRssKb: number; baselineKb: number }
  | { type: 'error'; message: string };
export type ParentMessage = ChildRequest | { type: 'cms'; cms?: number[]; error?: string };

const MB = 1024 * 1024;

/**
 * Write a one-page PDF whose page shows an RGB image of about `bytes` bytes of incompressible
 * data (like a scanned document), streaming 1 MiB at a time: the file is never in memory.
 */
export async function writeLargePdf(path: string, bytes: number): Promise<number> {
  const width = 4096;
  const height = Math.max(1, Math.ceil(bytes / (width * 3)));
  const imageLen = width * height * 3;
  const fh = await open(path, 'w');
  let pos = 0;
  const offsets: number[] = [];
  const put = async (s: string | Buffer): Promise<void> => {
    const b = typeof s === 'string' ? Buffer.from(s, 'latin1') : s;
    await fh.write(b, 0, b.length, pos);
    pos += b.length;
  };
  const obj = async (num: number, body: string): Promise<void> => {
    offsets[num] = pos;
    await put(`${num} 0 obj\n${body}\nendobj\n`);
  };
  try {
    await put('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n');
    await obj(1, '<< /Type /Catalog /Pages 2 0 R >>');
    await obj(2, '<< /Type /Pages /Kids [3 0 R] /Count 1 >>');
    await obj(3, '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>');
    const content = 'q 595 0 0 842 0 0 cm /Im1 Do Q';
    await obj(4, `<< /Length ${content.length} >>\nstream\n${content}\nendstream`);
    offsets[5] = pos;
    await put(`5 0 obj\n<< /Type /XObject /Subtype /Image /Width ${width} /Height ${height} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Length ${imageLen} >>\nstream\n`);
    const chunk = Buffer.allocUnsafe(MB);
    for (let left = imageLen; left > 0; left -= chunk.length) {
      randomFillSync(chunk);
      await put(left >= chunk.length ? chunk : chunk.subarray(0, left));
    }
    await put('\nendstream\nendobj\n');
    const xref = pos;
    let table = 'xref\n0 6\n0000000000 65535 f\r\n';
    for (let n = 1; n <= 5; n++) table += `${String(offsets[n]).padStart(10, '0')} 00000 n\r\n`;
    const id = Buffer.alloc(16);
    randomFillSync(id);
    await put(`${table}trailer\n<< /Size 6 /Root 1 0 R /ID [<${id.toString('hex')}> <${id.toString('hex')}>] >>\nstartxref\n${xref}\n%%EOF\n`);
  } finally {
    await fh.close();
  }
  return pos;
}

/** Make the PDF, sign it in a child, return the figures (seconds, peak and baseline RSS in MB). */
export async function benchLargePdf(dir: string, token: SigningToken, opts: { sizeMb?: number } = {}): Promise<BenchFigure[]> {
  const input = join(dir, 'large.pdf');
  const output = join(dir, 'large-signed.pdf');
  const size = await writeLargePdf(input, (opts.sizeMb ?? 50) * MB);
  // Same extension as this module: .ts under the test loader (inherited execArgv), .js in dist.
  const self = fileURLToPath(import.meta.url);
  const childPath = self.replace(/pdf-bench\.(ts|js)$/, 'pdf-bench-child.$1');
  const child = fork(childPath, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const result = await new Promise<Extract<ChildMessage, { type: 'done' }>>((resolve, reject) => {
    child.on('message', (m: ChildMessage) => {
      if (m.type === 'done') resolve(m);
      else if (m.type === 'error') reject(new Error(`bench child: ${m.message}`));
      else if (m.type === 'cms') {
        createCadesSignature({ digest: Uint8Array.from(m.digest), token, signingTime: null }).then(
          (cms) => child.send({ type: 'cms', cms: [...cms] } satisfies ParentMessage),
          (e: Error) => child.send({ type: 'cms', error: e.message } satisfies ParentMessage),
        );
      }
    });
    child.on('exit', (code) => reject(new Error(`bench child exited with ${code}`)));
    child.send({ input, output } satisfies ParentMessage);
  });
  child.disconnect();
  const outSize = (await stat(output)).size;
  return [
    { name: 'pdf.large_file_mb', value: round(size / MB), unit: 'MB', n: 1 },
    { name: 'pdf.large_sign_s', value: round(result.seconds), unit: 's', n: 1 },
    { name: 'pdf.large_sign_rss_peak_mb', value: round(result.maxRssKb / 1024), unit: 'MB', n: 1 },
    { name: 'pdf.large_sign_rss_before_mb', value: round(result.baselineKb / 1024), unit: 'MB', n: 1 },
    // What signing added to the high-water mark: flat whatever the file size (the claim to check).
    { name: 'pdf.large_sign_rss_growth_mb', value: round((result.maxRssKb - result.baselineKb) / 1024), unit: 'MB', n: 1 },
    { name: 'pdf.large_signed_growth_kb', value: round((outSize - size) / 1024), unit: 'KB', n: 1 },
  ];
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
