/**
 * The few PKCS#11 constants the adapter reasons about (values from the PKCS#11 v2.40 headers).
 * Kept here rather than importing pkcs11js directly: it is graphene's dependency, not ours, and
 * errors are matched on the numeric `code` of pkcs11js's Pkcs11Error, never on message text.
 */
export const CKF_OS_LOCKING_OK = 0x00000002;

export const CKR = {
  GENERAL_ERROR: 0x05,
  DEVICE_ERROR: 0x30,
  DEVICE_MEMORY: 0x31,
  DEVICE_REMOVED: 0x32,
  FUNCTION_CANCELED: 0x50,
  OPERATION_ACTIVE: 0x90,
  PIN_INCORRECT: 0xa0,
  PIN_EXPIRED: 0xa3,
  PIN_LOCKED: 0xa4,
  SESSION_CLOSED: 0xb0,
  SESSION_HANDLE_INVALID: 0xb3,
  TOKEN_NOT_PRESENT: 0xe0,
  TOKEN_NOT_RECOGNIZED: 0xe1,
  USER_ALREADY_LOGGED_IN: 0x100,
  USER_NOT_LOGGED_IN: 0x101,
  CRYPTOKI_NOT_INITIALIZED: 0x190,
} as const;

/** The pkcs11js return value carried by an error, or null for non-PKCS#11 errors. */
export function pkcs11Code(e: unknown): number | null {
  if (typeof e === 'object' && e !== null && 'code' in e) {
    const code = (e as { code: unknown }).code;
    if (typeof code === 'number') return code;
  }
  return null;
}

/**
 * Codes after which the session (or the whole token) is gone: mark the HSM down and rebuild the
 * sessions with backoff. SESSION_CLOSED and USER_NOT_LOGGED_IN show up when a token was
 * re-plugged under an old session, so they mean the same thing for us.
 */
const LOST = new Set<number>([
  CKR.DEVICE_ERROR,
  CKR.DEVICE_REMOVED,
  CKR.SESSION_HANDLE_INVALID,
  CKR.SESSION_CLOSED,
  CKR.TOKEN_NOT_PRESENT,
  CKR.TOKEN_NOT_RECOGNIZED,
  CKR.USER_NOT_LOGGED_IN,
  CKR.CRYPTOKI_NOT_INITIALIZED,
]);

export function isTokenLost(code: number | null): boolean {
  return code !== null && LOST.has(code);
}

/** Codes after which a login must never be retried automatically (tokens lock after ~5). */
export function isPinProblem(code: number | null): 'pin-incorrect' | 'locked' | null {
  if (code === CKR.PIN_INCORRECT || code === CKR.PIN_EXPIRED) return 'pin-incorrect';
  if (code === CKR.PIN_LOCKED) return 'locked';
  return null;
}

/** A short, log-safe name for a code ("CKR_DEVICE_REMOVED" or "0x…"). */
export function ckrName(code: number | null): string {
  if (code === null) return 'unknown';
  for (const [name, value] of Object.entries(CKR)) if (value === code) return `CKR_${name}`;
  return `0x${code.toString(16)}`;
}
