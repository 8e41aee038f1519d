import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * VPCP request authentication, as the government SDK does it (domain.md §5). The one place that
 * signs and checks `XroadVnpt-*` headers: the adapter signs with it, the simulator verifies with
 * it, so both sides cannot drift apart.
 *
 * Each request has fields (always `systemid` and `timestamp`, plus the operation's own). Field F
 * travels as header `XroadVnpt-F`; `XroadVnpt-sign-header-key` lists the names joined by `;`;
 * `XroadVnpt-sign-header` is the JSON object `{"XroadVnpt-F": value, …}`; `XroadVnpt-hash-header`
 * is lowercase hex HMAC-SHA256 keyed with the secret string's UTF-8 bytes (NOT base64-decoded)
 * over that JSON string's UTF-8 bytes.
 */
export const HEADER_PREFIX = 'XroadVnpt-';
export const SIGN_HEADER_KEY = 'XroadVnpt-sign-header-key';
export const SIGN_HEADER = 'XroadVnpt-sign-header';
export const HASH_HEADER = 'XroadVnpt-hash-header';
export const VERSION_HEADER = 'XroadVnpt-version';
export const PROTOCOL_VERSION = '3.0.201608';

/**
 * The SDK prints timestamps in the axis' local time (Vietnam, UTC+7) with no zone [uncertain]:
 * both sides take the offset from here so they agree.
 */
export const AXIS_TIME_OFFSET_MINUTES = 7 * 60;
/** How far a request timestamp may be from the receiver's clock (replay guard). */
export const DEFAULT_MAX_SKEW_MS = 5 * 60_000;

export type Fields = Record<string, string>;

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** `ddMMyyyy'T'HHmmss+SSSS`: the `+` is literal and SSSS the zero-padded milliseconds. */
export function formatTimestamp(at: Date, offsetMinutes = AXIS_TIME_OFFSET_MINUTES): string {
  const t = new Date(at.getTime() + offsetMinutes * 60_000);
  return `${pad(t.getUTCDate())}${pad(t.getUTCMonth() + 1)}${t.getUTCFullYear()}T${pad(t.getUTCHours())}${pad(t.getUTCMinutes())}${pad(t.getUTCSeconds())}+${pad(t.getUTCMilliseconds(), 4)}`;
}

export function parseTimestamp(s: string, offsetMinutes = AXIS_TIME_OFFSET_MINUTES): Date | null {
  const m = /^(\d{2})(\d{2})(\d{4})T(\d{2})(\d{2})(\d{2})\+(\d{4})$/.exec(s);
  if (!m) return null;
  const [d, mo, y, h, mi, sec, ms] = m.slice(1).map(Number) as [number, number, number, number, number, number, number];
  const utc = Date.UTC(y, mo - 1, d, h, mi, sec, ms) - offsetMinutes * 60_000;
  const check = new Date(utc + offsetMinutes * 60_000);
  // Reject 31/02 and friends instead of letting Date roll them over.
  if (check.getUTCDate() !== d || check.getUTCMonth() !== mo - 1 || ms > 999) return null;
  return new Date(utc);
}

/** JSON with non-ASCII escaped, so the string is a valid HTTP header value byte for byte. */
export function asciiJson(v: unknown): string {
  return JSON.stringify(v).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function hmacHex(secret: string, text: string): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(Buffer.from(text, 'utf8')).digest('hex');
}

/**
 * The headers for one request. `fields` must include `systemid` and `timestamp`
 * (see `baseFields`). Values must be ASCII (OrganIds, ids, JSON arrays of OrganIds are).
 */
export function signHeaders(fields: Fields, secret: string): Record<string, string> {
  const names = Object.keys(fields);
  const signed: Record<string, string> = {};
  const headers: Record<string, string> = {};
  for (const f of names) {
    signed[`${HEADER_PREFIX}${f}`] = fields[f] as string;
    headers[`${HEADER_PREFIX}${f}`] = fields[f] as string;
  }
  const json = asciiJson(signed);
  headers[SIGN_HEADER_KEY] = names.join(';');
  headers[SIGN_HEADER] = json;
  headers[HASH_HEADER] = hmacHex(secret, json);
  headers[VERSION_HEADER] = PROTOCOL_VERSION;
  return headers;
}

export function baseFields(systemId: string, now: Date): Fields {
  return { systemid: systemId, timestamp: formatTimestamp(now) };
}

export type VerifyFailure = 'AUTH_MISSING' | 'AUTH_UNKNOWN_SYSTEM' | 'AUTH_BAD_SIGNATURE' | 'AUTH_HEADER_MISMATCH' | 'AUTH_STALE_TIMESTAMP';

export type VerifyResult = { ok: true; systemId: string; fields: Fields } | { ok: false; code: VerifyFailure; reason: string };

export interface VerifyOptions {
  /** The agency's shared secret, or undefined when the system id is unknown. */
  secretOf(systemId: string): string | undefined;
  now?: Date;
  maxSkewMs?: number;
}

/**
 * Receiver side: recompute the HMAC over the sign-header exactly as received, then check that
 * every listed field's own header carries the signed value and that the timestamp is fresh.
 * `headers` as node gives them (lower-cased names).
 */
export function verifyHeaders(headers: Record<string, string | string[] | undefined>, opts: VerifyOptions): VerifyResult {
  const h = (name: string): string | undefined => {
    const v = headers[name.toLowerCase()];
    return Array.isArray(v) ? v[0] : v;
  };
  const json = h(SIGN_HEADER);
  const keyList = h(SIGN_HEADER_KEY);
  const hash = h(HASH_HEADER);
  if (!json || !keyList || !hash) return { ok: false, code: 'AUTH_MISSING', reason: 'signature headers missing' };
  let signed: unknown;
  try {
    signed = JSON.parse(json);
  } catch {
    return { ok: false, code: 'AUTH_MISSING', reason: 'sign-header is not JSON' };
  }
  if (typeof signed !== 'object' || signed === null || Array.isArray(signed)) return { ok: false, code: 'AUTH_MISSING', reason: 'sign-header is not an object' };
  const values = signed as Record<string, unknown>;
  const systemId = values[`${HEADER_PREFIX}systemid`];
  if (typeof systemId !== 'string') return { ok: false, code: 'AUTH_MISSING', reason: 'systemid not signed' };
  const secret = opts.secretOf(systemId);
  if (secret === undefined) return { ok: false, code: 'AUTH_UNKNOWN_SYSTEM', reason: 'unknown system id' };
  const expected = Buffer.from(hmacHex(secret, json), 'utf8');
  const given = Buffer.from(hash.toLowerCase(), 'utf8');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, code: 'AUTH_BAD_SIGNATURE', reason: 'hash-header does not match' };

  const fields: Fields = {};
  for (const name of keyList.split(';').map((s) => s.trim()).filter(Boolean)) {
    const value = values[`${HEADER_PREFIX}${name}`];
    if (typeof value !== 'string' || h(`${HEADER_PREFIX}${name}`) !== value) {
      return { ok: false, code: 'AUTH_HEADER_MISMATCH', reason: `header ${name} differs from the signed value` };
    }
    fields[name] = value;
  }
  if (fields['systemid'] !== systemId || fields['timestamp'] === undefined) return { ok: false, code: 'AUTH_MISSING', reason: 'systemid and timestamp must be signed fields' };
  const at = parseTimestamp(fields['timestamp']);
  const now = (opts.now ?? new Date()).getTime();
  if (!at || Math.abs(now - at.getTime()) > (opts.maxSkewMs ?? DEFAULT_MAX_SKEW_MS)) return { ok: false, code: 'AUTH_STALE_TIMESTAMP', reason: 'timestamp missing or not fresh' };
  return { ok: true, systemId, fields };
}

/** SHA-256 printed the SDK way: each byte in hex without zero padding (`0a` → `a`). */
export function sdkHashHex(digest: Uint8Array): string {
  let s = '';
  for (const b of digest) s += b.toString(16);
  return s;
}

/** Accepts either the SDK form or the ordinary 64-digit form of the same digest. */
export function hashFileMatches(given: string, digest: Uint8Array): boolean {
  const g = given.trim().toLowerCase();
  return g === sdkHashHex(digest) || g === Buffer.from(digest).toString('hex');
}
