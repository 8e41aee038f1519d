import { AppError } from '../errors.js';
import type { Store } from '../store/store.js';
import { checkRole } from './users.js';
import { randomSecret, sameDigest, sha256Hex } from './secrets.js';
import type { Role } from './roles.js';

/**
 * API keys for software (the office's DMS): `edk_<keyId>_<secret>`. The key is returned once, at
 * creation; only the SHA-256 of the secret is stored, with the key id to find it without scanning
 * hashes. Revoked keys stay listed (with the time) so the audit trail makes sense.
 */
export interface ApiKeyRecord {
  id: string;
  name: string;
  keyId: string;
  hash: string;
  role: Role;
  createdAt: string;
  revokedAt: string | null;
}

export interface ApiKeyInfo {
  name: string;
  keyId: string;
  role: Role;
  createdAt: string;
  revokedAt: string | null;
}

export const APIKEYS = 'apikeys';
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$/;
const KEY = /^edk_([A-Za-z0-9_-]{12})_([A-Za-z0-9_-]{43})$/;

function info(r: ApiKeyRecord): ApiKeyInfo {
  return { name: r.name, keyId: r.keyId, role: r.role, createdAt: r.createdAt, revokedAt: r.revokedAt };
}

export class ApiKeys {
  constructor(private readonly store: Store) {}

  list(): ApiKeyInfo[] {
    return this.store
      .collection<ApiKeyRecord>(APIKEYS)
      .listActive()
      .map(info)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Creates a key; the returned `key` is the only time it exists in clear. */
  async create(name: string, role: Role, actor: string): Promise<ApiKeyInfo & { key: string }> {
    if (typeof name !== 'string' || !NAME.test(name)) {
      throw new AppError('VALIDATION_FAILED', 'invalid key name', [{ field: 'name', problem: 'letters, digits, . _ - (1–64)' }]);
    }
    checkRole(role);
    const keyId = randomSecret(9); // 12 base64url characters
    const secret = randomSecret(32); // 43 base64url characters
    const rec: ApiKeyRecord = { id: name, name, keyId, hash: sha256Hex(secret), role, createdAt: new Date().toISOString(), revokedAt: null };
    await this.store.transaction((tx) => {
      const keys = tx.collection<ApiKeyRecord>(APIKEYS);
      const old = keys.get(name);
      if (old && old.revokedAt === null) throw new AppError('CONFLICT', `an API key named ${name} exists; revoke it first`, { name });
      keys.put(rec);
      tx.audit({ event: 'apikey.created', actor, subject: name, data: { role, keyId } });
    });
    return { ...info(rec), key: `edk_${keyId}_${secret}` };
  }

  async revoke(name: string, actor: string): Promise<ApiKeyInfo> {
    return info(
      await this.store.transaction((tx) => {
        const keys = tx.collection<ApiKeyRecord>(APIKEYS);
        const k = keys.get(name);
        if (!k || k.revokedAt !== null) throw new AppError('NOT_FOUND', `no active API key named ${name}`, { name });
        const r = keys.put({ ...k, revokedAt: new Date().toISOString() });
        tx.audit({ event: 'apikey.revoked', actor, subject: name, data: { keyId: k.keyId } });
        return r;
      }),
    );
  }

  /** The key's record when `key` is a valid, unrevoked key; null otherwise. */
  check(key: string): ApiKeyRecord | null {
    const m = KEY.exec(key);
    if (!m) return null;
    const hash = sha256Hex(m[2]!);
    for (const v of this.store.activeValues(APIKEYS)) {
      const r = v as ApiKeyRecord;
      if (r.keyId === m[1] && r.revokedAt === null && sameDigest(r.hash, hash)) return structuredClone(r);
    }
    return null;
  }
}
