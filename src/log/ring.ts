import { Writable } from 'node:stream';

/**
 * The last N log lines, kept in memory (the SD card is not written) for the console's `log [n]`.
 * Lines arrive already redacted by pino, so nothing secret is kept here.
 */
export class LogRing extends Writable {
  private readonly lines: string[] = [];
  constructor(private readonly capacity = 500) {
    super();
  }

  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    for (const line of chunk.toString().split('\n')) {
      if (line.length === 0) continue;
      this.lines.push(line);
      if (this.lines.length > this.capacity) this.lines.shift();
    }
    cb();
  }

  last(n: number): string[] {
    return this.lines.slice(-Math.max(0, n));
  }
}
