/**
 * Fault knobs of the simulator, for tests and labs: the axis down (connections reset, or 503),
 * slow, failing at random (seeded, so a run can be replayed), or storing a package and then
 * dropping the connection before answering — the case that makes at-least-once delivery real.
 */
export interface FaultSettings {
  down: boolean;
  /** How `down` shows: the socket is reset (network loss) or answered 503 (axis maintenance). */
  downMode: 'reset' | '503';
  slowMs: number;
  /** 0..1: share of requests answered HTTP 500. */
  errorRate: number;
  seed: number;
  /** sendEdoc: store the package, then destroy the socket before answering. */
  dropAfterAccept: boolean;
}

export const NO_FAULTS: FaultSettings = { down: false, downMode: 'reset', slowMs: 0, errorRate: 0, seed: 1, dropAfterAccept: false };

export class Faults {
  private settings: FaultSettings = { ...NO_FAULTS };
  private rng = mulberry32(NO_FAULTS.seed);

  set(patch: Partial<FaultSettings>): FaultSettings {
    const next = { ...this.settings, ...patch };
    if (!(next.errorRate >= 0 && next.errorRate <= 1)) throw new RangeError('errorRate must be within 0..1');
    if (!(next.slowMs >= 0 && next.slowMs <= 600_000)) throw new RangeError('slowMs must be within 0..600000');
    if (next.downMode !== 'reset' && next.downMode !== '503') throw new RangeError('downMode must be reset or 503');
    if (patch.seed !== undefined) this.rng = mulberry32(next.seed);
    this.settings = next;
    return this.get();
  }

  reset(): FaultSettings {
    this.rng = mulberry32(NO_FAULTS.seed);
    this.settings = { ...NO_FAULTS };
    return this.get();
  }

  get(): FaultSettings {
    return { ...this.settings };
  }

  /** Whether this request should fail with a 500 (draws from the seeded generator). */
  drawError(): boolean {
    return this.settings.errorRate > 0 && this.rng() < this.settings.errorRate;
  }
}

/** A small seeded PRNG (public-domain mulberry32); Math.random cannot be replayed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
