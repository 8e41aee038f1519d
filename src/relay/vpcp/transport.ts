import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AxisError } from '../axis-port.js';
import { TRANSIENT_AXIS_CODES, type VpcpResponse } from './protocol.js';

/**
 * HTTP under the VPCP adapter: POST `{endpoint}/{operation}` over a keep-alive agent, with an
 * inactivity timeout, a streamed request body, and every failure mapped to an `AxisError` that
 * says whether a retry can help. Headers are passed through untouched and never logged.
 */
export interface TransportOptions {
  endpoint: string;
  /** Socket inactivity limit per request (not a total: a 27 MB upload on a slow line is fine). */
  idleTimeoutMs: number;
  maxSockets: number;
}

export type BodySource = { length: number; stream: () => Readable } | null;

export class VpcpTransport {
  private readonly agent: http.Agent;
  private readonly base: URL;
  private readonly mod: typeof http | typeof https;

  constructor(private readonly opts: TransportOptions) {
    this.base = new URL(opts.endpoint.endsWith('/') ? opts.endpoint : `${opts.endpoint}/`);
    const https_ = this.base.protocol === 'https:';
    this.mod = https_ ? https : http;
    const agentOpts = { keepAlive: true, maxSockets: opts.maxSockets, keepAliveMsecs: 10_000 };
    this.agent = https_ ? new https.Agent(agentOpts) : new http.Agent(agentOpts);
  }

  /** Sends the request and resolves with the response head; the caller reads the body. */
  async post(operation: string, headers: Record<string, string | number>, body: BodySource): Promise<IncomingMessage> {
    const url = new URL(operation, this.base);
    return new Promise<IncomingMessage>((resolve, reject) => {
      let settled = false;
      const fail = (e: unknown): void => {
        if (settled) return;
        settled = true;
        reject(e instanceof AxisError ? e : networkError(operation, e));
      };
      const req = this.mod.request(url, { method: 'POST', agent: this.agent, headers: { ...headers, 'Content-Length': body?.length ?? 0 } });
      req.setTimeout(this.opts.idleTimeoutMs, () => {
        req.destroy(new AxisError({ code: 'TIMEOUT', transient: true, operation, message: `${operation}: no answer within ${this.opts.idleTimeoutMs} ms` }));
      });
      req.on('error', fail);
      req.on('response', (res) => {
        if (settled) return void res.resume();
        settled = true;
        // Keep the idle timeout on the body too: a stalled getEdoc must not hang forever.
        res.setTimeout?.(this.opts.idleTimeoutMs, () => res.destroy(new AxisError({ code: 'TIMEOUT', transient: true, operation, message: `${operation}: response stalled` })));
        resolve(res);
      });
      if (!body) return void req.end();
      pipeline(body.stream(), req).catch(fail);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export function networkError(operation: string, e: unknown): AxisError {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return new AxisError({ code: 'NETWORK', transient: true, operation, message: `${operation}: network error${code ? ` (${code})` : ''}` }, { cause: e });
}

/** Refuses non-2xx answers: 5xx, 408 and 429 are transient, other statuses permanent. */
export function checkHttpStatus(operation: string, res: IncomingMessage): void {
  const s = res.statusCode ?? 0;
  if (s >= 200 && s < 300) return;
  res.resume();
  const transient = s >= 500 || s === 408 || s === 429;
  throw new AxisError({ code: 'HTTP_STATUS', transient, operation, httpStatus: s, message: `${operation}: HTTP ${s}` });
}

/** Reads a small JSON answer (bounded) and turns FAIL into an AxisError. */
export async function readVpcpJson(operation: string, res: IncomingMessage, maxBytes = 16 * 1024 * 1024): Promise<VpcpResponse> {
  checkHttpStatus(operation, res);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const c of res as AsyncIterable<Buffer>) {
      size += c.length;
      if (size > maxBytes) {
        res.destroy();
        throw new AxisError({ code: 'BAD_RESPONSE', transient: true, operation, message: `${operation}: answer larger than ${maxBytes} bytes` });
      }
      chunks.push(c);
    }
  } catch (e) {
    throw e instanceof AxisError ? e : networkError(operation, e);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    // A proxy's HTML error page or a cut answer: the axis did not really answer; try again later.
    throw new AxisError({ code: 'BAD_RESPONSE', transient: true, operation, message: `${operation}: answer is not JSON` });
  }
  return checkVpcpStatus(operation, body);
}

export function checkVpcpStatus(operation: string, body: unknown): VpcpResponse {
  const r = body as VpcpResponse | null;
  if (!r || typeof r !== 'object' || (r.status !== 'OK' && r.status !== 'FAIL')) {
    throw new AxisError({ code: 'BAD_RESPONSE', transient: true, operation, message: `${operation}: answer has no OK/FAIL status` });
  }
  if (r.status === 'FAIL') {
    const axisCode = String(r.ErrorCode ?? '');
    throw new AxisError({
      code: 'REFUSED',
      transient: TRANSIENT_AXIS_CODES.has(axisCode),
      operation,
      axisCode,
      message: `${operation}: refused by the axis (${axisCode}${r.ErrorDesc ? `: ${String(r.ErrorDesc).slice(0, 200)}` : ''})`,
    });
  }
  return r;
}
