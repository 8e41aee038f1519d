import { AppError } from '../errors.js';

/**
 * A fixed set of PKCS#11 sessions, each used by one operation at a time: two operations on one
 * session fail with CKR_OPERATION_ACTIVE, and separate sessions let the token's worker threads sign
 * in parallel. Callers wait in FIFO order. `drain()` rejects all waiters (the token went away); a
 * session released after a drain belongs to the old generation and is not handed out again.
 */
export class SessionPool<S> {
  private free: S[] = [];
  private waiters: { resolve: (s: S) => void; reject: (e: Error) => void }[] = [];
  private members = new Set<S>();

  constructor(sessions: S[] = []) {
    this.reset(sessions);
  }

  reset(sessions: S[]): void {
    this.members = new Set(sessions);
    this.free = [...sessions];
  }

  get size(): number {
    return this.members.size;
  }

  /** Whether the session belongs to the current generation (not drained since it was handed out). */
  owns(s: S): boolean {
    return this.members.has(s);
  }

  all(): S[] {
    return [...this.members];
  }

  acquire(): Promise<S> {
    const s = this.free.shift();
    if (s !== undefined) return Promise.resolve(s);
    if (this.members.size === 0) return Promise.reject(new AppError('HSM_UNAVAILABLE', 'no HSM session is open'));
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  release(s: S): void {
    if (!this.members.has(s)) return; // from a generation that was drained
    const next = this.waiters.shift();
    if (next) next.resolve(s);
    else this.free.push(s);
  }

  /** Forget every session and fail everyone waiting; returns the sessions so they can be closed. */
  drain(reason: Error): S[] {
    const old = [...this.members];
    this.members.clear();
    this.free = [];
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) w.reject(reason);
    return old;
  }
}
