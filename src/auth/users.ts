import { AppError } from '../errors.js';
import type { Store } from '../store/store.js';
import { checkPasswordPolicy, DEFAULT_SCRYPT, dummyHash, hashPassword, verifyPassword, type ScryptParams } from './password.js';
import { isRole, type Role } from './roles.js';

/** A staff account as stored in the `users` collection (id = username). */
export interface UserRecord {
  id: string;
  username: string;
  role: Role;
  passwordHash: string;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
}

/** What may be shown about a user (never the hash). */
export interface UserInfo {
  username: string;
  role: Role;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export const USERS = 'users';
const USERNAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$/;

export function checkUsername(name: unknown): string {
  if (typeof name !== 'string' || !USERNAME.test(name)) {
    throw new AppError('VALIDATION_FAILED', 'invalid user name', [{ field: 'username', problem: 'letters, digits, . _ - (1–64), starting with a letter or digit' }]);
  }
  return name.toLowerCase();
}

export function checkRole(role: unknown): Role {
  if (!isRole(role)) throw new AppError('VALIDATION_FAILED', 'invalid role', [{ field: 'role', problem: 'viewer, clerk or admin' }]);
  return role;
}

export function userInfo(u: UserRecord): UserInfo {
  return { username: u.username, role: u.role, disabled: u.disabled, createdAt: u.createdAt, updatedAt: u.updatedAt };
}

/** Staff accounts: every change is one store transaction with its audit entry. */
export class Users {
  constructor(
    private readonly store: Store,
    private readonly scrypt: ScryptParams = DEFAULT_SCRYPT,
  ) {}

  get(username: string): UserRecord | undefined {
    return this.store.activeGet(USERS, username.toLowerCase()) as UserRecord | undefined;
  }

  list(): UserInfo[] {
    return this.store
      .collection<UserRecord>(USERS)
      .listActive()
      .map(userInfo)
      .sort((a, b) => a.username.localeCompare(b.username));
  }

  async add(username: string, role: Role, password: string, actor: string): Promise<UserInfo> {
    const id = checkUsername(username);
    checkRole(role);
    checkPasswordPolicy(password);
    const passwordHash = await hashPassword(password, this.scrypt);
    const at = new Date().toISOString();
    const rec: UserRecord = { id, username: id, role, passwordHash, disabled: false, createdAt: at, updatedAt: at };
    await this.store.transaction((tx) => {
      const users = tx.collection<UserRecord>(USERS);
      if (users.get(id)) throw new AppError('CONFLICT', `user ${id} already exists`, { username: id });
      users.insert(rec);
      tx.audit({ event: 'user.added', actor, subject: id, data: { role } });
    });
    return userInfo(rec);
  }

  async setPassword(username: string, password: string, actor: string): Promise<UserInfo> {
    const id = checkUsername(username);
    checkPasswordPolicy(password);
    const passwordHash = await hashPassword(password, this.scrypt);
    return userInfo(
      await this.store.transaction((tx) => {
        const u = this.update(tx.collection<UserRecord>(USERS), id, (d) => ({ ...d, passwordHash, updatedAt: new Date().toISOString() }));
        tx.audit({ event: 'user.password-changed', actor, subject: id });
        return u;
      }),
    );
  }

  async setDisabled(username: string, disabled: boolean, actor: string): Promise<UserInfo> {
    const id = checkUsername(username);
    return userInfo(
      await this.store.transaction((tx) => {
        const u = this.update(tx.collection<UserRecord>(USERS), id, (d) => ({ ...d, disabled, updatedAt: new Date().toISOString() }));
        tx.audit({ event: disabled ? 'user.disabled' : 'user.enabled', actor, subject: id });
        return u;
      }),
    );
  }

  /** The user when the password is right and the account enabled; null otherwise (same time either way). */
  async check(username: string, password: string): Promise<UserRecord | null> {
    const u = typeof username === 'string' && USERNAME.test(username) ? this.get(username) : undefined;
    const ok = await verifyPassword(typeof password === 'string' ? password : '', u?.passwordHash ?? (await dummyHash(this.scrypt)));
    return ok && u && !u.disabled ? u : null;
  }

  private update(
    users: { get(id: string): UserRecord | undefined; put(r: UserRecord): UserRecord },
    id: string,
    fn: (u: UserRecord) => UserRecord,
  ): UserRecord {
    const u = users.get(id);
    if (!u) throw new AppError('NOT_FOUND', `no user ${id}`, { username: id });
    return users.put(fn(u));
  }
}
