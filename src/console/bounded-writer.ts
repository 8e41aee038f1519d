/** Where bytes go: a SerialPort satisfies it. The callback fires once the OS took the bytes. */
export interface ByteSink {
  write(data: Buffer, cb: (err?: Error | null) => void): unknown;
}

/**
 * Writes to a serial line without ever queueing forever. A terminal that is not reading (no one
 * attached, flow control held, XOFF) leaves writes unfinished; Node's stream would keep
 * buffering every later write in memory. Here at most `capBytes` may be in flight: output past
 * that is dropped and counted, and once the line drains a short note says how much was lost.
 */
export class BoundedWriter {
  private pending = 0;
  private droppedBytes = 0;
  private totalDropped = 0;
  private failed = false;

  constructor(
    private readonly sink: ByteSink,
    private readonly capBytes = 16 * 1024,
  ) {}

  /** Queues the bytes if there is room; returns false when they were dropped. */
  write(data: Buffer): boolean {
    if (this.failed) return false;
    if (this.pending + data.length > this.capBytes) {
      this.droppedBytes += data.length;
      this.totalDropped += data.length;
      return false;
    }
    this.send(data);
    return true;
  }

  /** Bytes handed to the sink whose write has not completed yet. */
  get inFlight(): number {
    return this.pending;
  }

  /** Bytes dropped since this writer was made (for `state()` and tests). */
  get dropped(): number {
    return this.totalDropped;
  }

  private send(data: Buffer): void {
    this.pending += data.length;
    try {
      this.sink.write(data, (err) => {
        this.pending -= data.length;
        if (err) this.failed = true; // the port is going away; the service reopens it
        else if (this.pending === 0 && this.droppedBytes > 0) this.noteDrops();
      });
    } catch {
      this.pending -= data.length;
      this.failed = true;
    }
  }

  private noteDrops(): void {
    const note = Buffer.from(`\r\n[${this.droppedBytes} bytes of output dropped: terminal was not reading]\r\n`);
    this.droppedBytes = 0;
    this.send(note);
  }
}
