import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { commitTempFile } from '../store/fs-ops.js';
import net from 'node:net';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { AppError, type ErrorCode } from '../errors.js';
import type { AdminResponse } from './protocol.js';

/**
 * The CLI's side of the admin socket: one connection, requests in sequence. `callToFile` receives
 * a streamed answer (a backup) into `outFile` atomically (temp + fsync + rename).
 */
export class AdminClient {
  private buf = Buffer.alloc(0);
  private waiting: (() => void) | null = null;
  private ended = false;
  private nextId = 1;

  private constructor(private readonly sock: net.Socket) {
    sock.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake();
    });
    sock.on('close', () => {
      this.ended = true;
      this.wake();
    });
    sock.on('error', () => undefined);
  }

  static connect(socketPath: string, timeoutMs = 3000): Promise<AdminClient> {
    return new Promise((resolve, reject) => {
      const sock = net.connect(socketPath);
      const timer = setTimeout(() => sock.destroy(new Error('timeout')), timeoutMs);
      sock.once('connect', () => {
        clearTimeout(timer);
        resolve(new AdminClient(sock));
      });
      sock.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  async call(op: string, args: Record<string, unknown> = {}): Promise<unknown> {
    const res = await this.request(op, args);
    if (res.stream) throw new AppError('INTERNAL', `${op} answered with a file; use callToFile`);
    return res.result;
  }

  async callToFile(op: string, args: Record<string, unknown>, outFile: string): Promise<unknown> {
    const res = await this.request(op, args);
    const size = res.stream ?? 0;
    const out = path.resolve(outFile);
    const tmp = path.join(path.dirname(out), `.${path.basename(out)}.${randomBytes(6).toString('hex')}.tmp`);
    const ws = createWriteStream(tmp, { mode: 0o600, flags: 'wx' });
    try {
      let left = size;
      while (left > 0) {
        if (this.buf.length === 0) {
          if (this.ended) throw new AppError('INTERNAL', 'the service closed the connection mid-file');
          await this.wait();
          continue;
        }
        const part = this.buf.subarray(0, Math.min(left, this.buf.length));
        this.buf = this.buf.subarray(part.length);
        left -= part.length;
        if (!ws.write(part)) await new Promise<void>((r) => ws.once('drain', () => r()));
      }
      await new Promise<void>((resolve, reject) => ws.end((e?: Error | null) => (e ? reject(e) : resolve())));
      await commitTempFile(tmp, out);
    } catch (e) {
      ws.destroy();
      await rm(tmp, { force: true });
      throw e;
    }
    return res.result;
  }

  close(): void {
    this.sock.end();
  }

  private async request(op: string, args: Record<string, unknown>): Promise<AdminResponse & { ok: true }> {
    const id = this.nextId++;
    this.sock.write(JSON.stringify({ id, op, args }) + '\n');
    for (;;) {
      const nl = this.buf.indexOf(0x0a);
      if (nl >= 0) {
        const line = this.buf.subarray(0, nl).toString('utf8');
        this.buf = this.buf.subarray(nl + 1);
        const res = JSON.parse(line) as AdminResponse;
        if (!res.ok) throw new AppError(res.error.code as ErrorCode, res.error.message, res.error.details);
        return res;
      }
      if (this.ended) throw new AppError('INTERNAL', 'the service closed the admin connection');
      await this.wait();
    }
  }

  private wait(): Promise<void> {
    return new Promise((r) => (this.waiting = r));
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = null;
    w?.();
  }
}
