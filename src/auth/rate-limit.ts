/**
 * Limits failed sign-ins per user and per client address (spec: repeated failures → 429 with
 * Retry-After). A key is blocked once it has `max` failures inside `windowMs`; it unblocks when the
 * oldest of those failures leaves the window, so the right password works again afterwards.
 * Attempts refused while blocked are not counted (they never reached the password check), so an
 * attacker cannot keep a user locked out forever by hammering; the address limit still applies.
 * Memory only: a restart forgets failures, which costs an attacker a reboot of the appliance.
 */
export interface SignInLimits {
  windowMs: number;
  perUser: number;
  perAddress: number;
}

export const DEFAULT_SIGN_IN_LIMITS: SignInLimits = { windowMs: 15 * 60_000, perUser: 10, perAddress: 30 };

/** Keys kept at most; the oldest are dropped first (a flood of addresses must not grow memory). */
const MAX_KEYS = 10_000;

class Window {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
  ) {}

  /** Seconds until `key` may try again, or 0. */
  retryAfter(key: string, now: number): number {
    const list = this.prune(key, now);
    if (list.length < this.max) return 0;
    const oldest = list[list.length - this.max]!;
    return Math.max(1, Math.ceil((oldest + this.windowMs - now) / 1000));
  }

  add(key: string, now: number): void {
    const list = this.prune(key, now);
    list.push(now);
    this.hits.delete(key);
    this.hits.set(key, list); // re-insert: Map order is then least-recently-failed first
    if (this.hits.size > MAX_KEYS) this.hits.delete(this.hits.keys().next().value as string);
  }

  clear(key: string): void {
    this.hits.delete(key);
  }

  private prune(key: string, now: number): number[] {
    const list = (this.hits.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (list.length === 0) this.hits.delete(key);
    else this.hits.set(key, list);
    return list;
  }
}

export class SignInLimiter {
  private readonly users: Window;
  private readonly addresses: Window;

  constructor(
    readonly limits: SignInLimits = DEFAULT_SIGN_IN_LIMITS,
    private readonly now: () => number = Date.now,
  ) {
    this.users = new Window(limits.perUser, limits.windowMs);
    this.addresses = new Window(limits.perAddress, limits.windowMs);
  }

  /** Seconds to wait before `username` may try from `address`, or 0 when allowed. */
  retryAfter(username: string, address: string): number {
    const t = this.now();
    return Math.max(this.users.retryAfter(userKey(username), t), this.addresses.retryAfter(address, t));
  }

  failed(username: string, address: string): void {
    const t = this.now();
    this.users.add(userKey(username), t);
    this.addresses.add(address, t);
  }

  /** A successful sign-in clears the user's failures (not the address's: others may share it). */
  succeeded(username: string): void {
    this.users.clear(userKey(username));
  }
}

function userKey(username: string): string {
  return username.normalize('NFC').toLowerCase();
}
