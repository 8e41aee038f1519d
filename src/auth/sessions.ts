import type { Logger } from '../log/logger.js';
import type { Store } from '../store/store.js';
import { randomSecret, sha256Hex } from './secrets.js';

/**
 * Staff sessions: a random 32-byte token in the `edoc_session` cookie; the store keeps only its
 * SHA-256 (a stolen state directory or backup cannot be replayed as a cookie). A session ends at
 * `expiresAt` (absolute) or after `idleMs` without a request. Last use is kept in memory and
 * written through at most once a minute, so browsing does not rewrite the store on every click.
 */
export interface SessionRecord {
  id: string;
  username: string;
  createdAt: string;
  expiresAt: string;
  lastSeenAt: string;
}

export interface SessionTimes {
  ttlMs: number;
  idleMs: number;
}

export const DEFAULT_SESSION_TIMES: SessionTimes = { ttlMs: 12 * 3600_000, idleMs: 30 * 60_000 };
export const SESSIONS = 'sessions';
const TOUCH_EVERY_MS = 60_000;

export class Sessions {
  private readonly lastSeen = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    readonly times: SessionTimes = DEFAULT_SESSION_TIMES,
    private readonly now: () => number = Date.now,
  ) {}

  /** Creates a session; returns the token for the cookie (never stored). */
  async create(username: string): Promise<{ token: string; expiresAt: string }> {
    const token = randomSecret(32);
    const t = this.now();
    const rec: SessionRecord = {
      id: sha256Hex(token),
      username,
      createdAt: new Date(t).toISOString(),
      expiresAt: new Date(t + this.times.ttlMs).toISOString(),
      lastSeenAt: new Date(t).toISOString(),
    };
    await this.store.transaction((tx) => {
      const c = tx.collection<SessionRecord>(SESSIONS);
      // Expired sessions of anyone go with this write: the collection stays bounded.
      for (const v of this.store.activeValues(SESSIONS)) if (this.expired(v as SessionRecord, t)) c.delete((v as SessionRecord).id);
      c.insert(rec);
      tx.audit({ event: 'session.created', actor: `user:${username}` });
    });
    return { token, expiresAt: rec.expiresAt };
  }

  /** The username of a live session, or null (an expired one is removed). */
  check(token: string): string | null {
    if (typeof token !== 'string' || token.length < 20 || token.length > 100) return null;
    const id = sha256Hex(token);
    const rec = this.store.activeGet(SESSIONS, id) as SessionRecord | undefined;
    if (!rec) return null;
    const t = this.now();
    const seen = Math.max(this.lastSeen.get(id) ?? 0, Date.parse(rec.lastSeenAt));
    if (this.expired(rec, t) || t - seen > this.times.idleMs) {
      this.lastSeen.delete(id);
      void this.store.collection(SESSIONS).delete(id).catch((e: unknown) => this.logger.warn({ err: e }, 'could not remove an expired session'));
      return null;
    }
    this.lastSeen.set(id, t);
    if (t - Date.parse(rec.lastSeenAt) > TOUCH_EVERY_MS) {
      void this.store
        .collection<SessionRecord>(SESSIONS)
        .update(id, (d) => ({ ...d, lastSeenAt: new Date(t).toISOString() }))
        .catch(() => undefined); // signed out meanwhile, or disk full: the memory copy still counts
    }
    return rec.username;
  }

  async destroy(token: string): Promise<void> {
    const id = sha256Hex(token);
    this.lastSeen.delete(id);
    await this.store.collection(SESSIONS).delete(id);
  }

  /** Ends every session of a user (disabled, or password changed). */
  async destroyUser(username: string): Promise<number> {
    return this.store.transaction((tx) => {
      const c = tx.collection<SessionRecord>(SESSIONS);
      let n = 0;
      for (const v of this.store.activeValues(SESSIONS)) {
        const r = v as SessionRecord;
        if (r.username === username && c.delete(r.id)) {
          this.lastSeen.delete(r.id);
          n++;
        }
      }
      return n;
    });
  }

  private expired(r: SessionRecord, t: number): boolean {
    return Date.parse(r.expiresAt) <= t;
  }
}
