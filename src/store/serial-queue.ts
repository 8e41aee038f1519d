/**
 * A promise queue that runs one task at a time, in submission order. It is the "one writer" of
 * invariant 2: every state change is a task here, so two writes can never interleave, and none is
 * merged into another or dropped (steno, lowdb's default writer, coalesces overlapping writes, so a
 * caller could be told "written" for data that a later write replaced before it ever hit the disk).
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  /** Runs `task` after every task submitted before it has settled; resolves with its result. */
  run<R>(task: () => R | Promise<R>): Promise<R> {
    this.pending++;
    const result = this.tail.then(task);
    // The chain must survive a failed task: the next writer still runs, the caller gets the error.
    this.tail = result.then(
      () => this.pending--,
      () => this.pending--,
    );
    return result;
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
