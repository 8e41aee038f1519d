import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * Memory shared by all requests that keep an upload in RAM instead of a temp file (sign requests
 * of up to 2 MiB). Each request's own allowance bounds one request; this bounds all of them
 * together, so a burst of concurrent uploads from the office's software cannot push a 1 GB box
 * into swap or the OOM killer: once the shared budget is spent, further uploads spill to disk
 * (slower, never refused). A request's reservation is returned when its response is done or the
 * client goes away, and when its upload spills.
 */
export class MemoryBudget {
  private used = 0;

  constructor(readonly total: number) {}

  /** Bytes reserved right now (for tests and diagnostics). */
  get inUse(): number {
    return this.used;
  }

  /** Reserves `n` bytes if they fit; all-or-nothing. */
  tryTake(n: number): boolean {
    if (this.used + n > this.total) return false;
    this.used += n;
    return true;
  }

  give(n: number): void {
    this.used = Math.max(0, this.used - n);
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    /** What this request holds of a shared memory budget (released once, at its end). */
    memoryHeld: { budget: MemoryBudget; bytes: number } | null;
  }
}

/** Reserves `n` bytes of `budget` for the request; false when the budget is spent. */
export function reserveMemory(req: FastifyRequest, budget: MemoryBudget, n: number): boolean {
  if (!budget.tryTake(n)) return false;
  if (req.memoryHeld) req.memoryHeld.bytes += n;
  else req.memoryHeld = { budget, bytes: n };
  return true;
}

/** Returns `n` of the request's reserved bytes (its upload went to disk after all). */
export function returnMemory(req: FastifyRequest, n: number): void {
  const held = req.memoryHeld;
  if (!held) return;
  const back = Math.min(n, held.bytes);
  held.bytes -= back;
  held.budget.give(back);
}

/** Returns everything the request holds; safe to call more than once. */
export function releaseMemory(req: FastifyRequest): void {
  const held = req.memoryHeld;
  req.memoryHeld = null;
  if (held) held.budget.give(held.bytes);
}

export function installMemoryRelease(app: FastifyInstance): void {
  app.decorateRequest('memoryHeld', null);
  // onResponse: after the last byte (the signed file sent from memory) went to the socket;
  // onRequestAbort: the client left mid-upload. Both may fire for one request: release is idempotent.
  app.addHook('onResponse', async (req) => releaseMemory(req));
  app.addHook('onRequestAbort', async (req) => releaseMemory(req));
}
