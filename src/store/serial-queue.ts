/**
 * A promise queue that runs one task at a time, in submission order. It is the "one writer" of
 * invariant 2: every state change is a task here, so two writes can never interleave, and none is
 * merged into another or dropped (steno, lowdb's default writer, coalesces overlapping writes, so a
 * caller could be told "written" for data that a later write replaced before it ever hit the disk).
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;
  /** When the task running now started; null while idle. */
  private startedAt: number | null = null;
  private lastOkAt: number | null = null;

  constructor(private readonly now: () => number = Date.now) {}

  /** Runs `task` after every task submitted before it has settled; resolves with its result. */
  run<R>(task: () => R | Promise<R>): Promise<R> {
    this.pending++;
    const result = this.tail.then(() => {
      this.startedAt = this.now();
      return task();
    });
    // The chain must survive a failed task: the next writer still runs, the caller gets the error.
    this.tail = result.then(
      () => {
        this.pending--;
        this.startedAt = null;
        this.lastOkAt = this.now();
      },
      () => {
        this.pending--;
        this.startedAt = null;
      },
    );
    return result;
  }

  /**
   * How long the task running now has been running (0 when idle), and when a task last succeeded:
   * the watchdog tells a wedged writer from a quiet one without writing (src/systemd/store-probe.ts).
   */
  progress(): { runningForMs: number; lastOkAt: number | null } {
    return { runningForMs: this.startedAt === null ? 0 : this.now() - this.startedAt, lastOkAt: this.lastOkAt };
  }

  /** Tasks submitted and not yet settled (including the running one). */
  get size(): number {
    return this.pending;
  }

  /** Resolves once everything submitted so far has settled. */
  async drain(): Promise<void> {
    await this.run(() => undefined);
  }
}
