import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { SigningToken } from '../hsm/port.js';
import { createCadesSignature, verifyCadesDetached } from '../signing/cms-lazy.js';
import type { TrustStore } from '../signing/types.js';
import type { Store } from '../store/store.js';

/**
 * `selftest`: one line per check — HSM sign + verify (a real CAdES signature over a fixed text,
 * verified against the trust anchors), store write + read, display PING, axis reachability.
 * Each check reports ok / FAIL / skip with a short reason and never throws.
 */
export interface SelftestLine {
  check: 'hsm' | 'store' | 'display' | 'axis';
  result: 'ok' | 'fail' | 'skip';
  detail: string;
  ms: number;
}

export interface SelftestParts {
  store: Store;
  token?: SigningToken | null;
  trust?: TrustStore | null;
  /** The display driver; `ping` when it can send a PING, else its state is reported. */
  display?: { state(): string; ping?(): Promise<unknown> } | null;
  /** The axis endpoint to reach (the simulator's URL for an embedded axis). */
  axisUrl?: string | null;
  /** Why a part is skipped when absent (e.g. "service not running"). */
  skipReason?: string;
}

async function timed(check: SelftestLine['check'], fn: () => Promise<{ result: SelftestLine['result']; detail: string }>): Promise<SelftestLine> {
  const t0 = Date.now();
  try {
    return { check, ...(await fn()), ms: Date.now() - t0 };
  } catch (e) {
    return { check, result: 'fail', detail: (e as Error).message.slice(0, 200), ms: Date.now() - t0 };
  }
}

export async function runSelftest(p: SelftestParts): Promise<SelftestLine[]> {
  const skip = p.skipReason ?? 'not configured';
  return [
    await timed('hsm', async () => {
      if (!p.token) return { result: 'skip', detail: skip };
      const digest = createHash('sha256').update('edoc-gateway selftest').digest();
      const cms = await createCadesSignature({ digest, token: p.token, signingTime: new Date() });
      const v = await verifyCadesDetached({ cms, digest, trust: p.trust ?? { anchors: () => [] }, organisationCert: await p.token.certificate() });
      if (v.integrity !== 'valid') return { result: 'fail', detail: `signature does not verify: ${(v.problems ?? []).join('; ')}` };
      return { result: 'ok', detail: `signed and verified (${p.token.mechanism}${v.certificateTrusted ? ', certificate trusted' : ', certificate NOT trusted'})` };
    }),
    await timed('store', async () => {
      const value = `${process.pid}-${Date.now()}`;
      await p.store.collection<{ id: string; value: string }>('meta').put({ id: 'selftest', value });
      const back = p.store.collection<{ id: string; value: string }>('meta').getActive('selftest');
      return back?.value === value ? { result: 'ok', detail: 'wrote and read back a record (fsync)' } : { result: 'fail', detail: 'read back a different value' };
    }),
    await timed('display', async () => {
      if (!p.display) return { result: 'skip', detail: skip };
      if (p.display.ping) {
        await p.display.ping();
        return { result: 'ok', detail: 'PING answered' };
      }
      const state = p.display.state();
      return state === 'connected' ? { result: 'ok', detail: 'connected (answers the driver)' } : { result: 'fail', detail: state };
    }),
    await timed('axis', async () => {
      if (!p.axisUrl) return { result: 'skip', detail: skip };
      const status = await reach(p.axisUrl);
      return { result: 'ok', detail: `reachable (HTTP ${status})` };
    }),
  ];
}

/** Any HTTP answer counts: the point is DNS, routing, TLS and a listening server. */
function reach(url: string, timeoutMs = 5000): Promise<number> {
  return new Promise((resolve, reject) => {
    const mod = url.startsWith('https:') ? https : http;
    const req = mod.request(url, { method: 'HEAD', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    req.on('error', (e) => reject(new Error(`unreachable: ${(e as NodeJS.ErrnoException).code ?? e.message}`)));
    req.end();
  });
}

export function formatSelftest(lines: SelftestLine[]): string {
  const label = { ok: 'ok  ', fail: 'FAIL', skip: 'skip' } as const;
  return lines.map((l) => `${label[l.result]}  ${l.check.padEnd(7)} ${l.detail} (${l.ms} ms)`).join('\n');
}
