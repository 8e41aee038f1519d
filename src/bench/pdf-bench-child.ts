import { signPdfFile } from '../signing/pdf/pades-sign.js';
import type { ChildMessage, ChildRequest, ParentMessage } from './pdf-bench.js';

/**
 * Child side of `benchLargePdf`: does all the PDF work (parse, copy, append, hash, write) so its
 * maxRSS measures exactly that; the CMS comes from the parent, which holds the token.
 */
const send = (m: ChildMessage): void => {
  process.send?.(m);
};

let pendingCms: ((m: Extract<ParentMessage, { type: 'cms' }>) => void) | null = null;

process.on('message', (m: ParentMessage) => {
  if ('type' in m) {
    pendingCms?.(m);
    return;
  }
  void run(m);
});

async function run(req: ChildRequest): Promise<void> {
  try {
    const baselineKb = process.resourceUsage().maxRSS;
    const t0 = process.hrtime.bigint();
    await signPdfFile({
      input: req.input,
      output: req.output,
      buildCms: (digest) =>
        new Promise((resolve, reject) => {
          pendingCms = (r) => (r.cms ? resolve(Uint8Array.from(r.cms)) : reject(new Error(r.error ?? 'no CMS')));
          send({ type: 'cms', digest: [...digest] });
        }),
    });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    send({ type: 'done', seconds, maxRssKb: process.resourceUsage().maxRSS, baselineKb });
  } catch (e) {
    send({ type: 'error', message: (e as Error).message });
  }
}
