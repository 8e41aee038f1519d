import type { Logger } from '../log/logger.js';
import type { Store } from '../store/store.js';
import { ApiKeys } from './api-keys.js';
import { DEFAULT_SCRYPT, type ScryptParams } from './password.js';
import { DEFAULT_SIGN_IN_LIMITS, SignInLimiter, type SignInLimits } from './rate-limit.js';
import type { Principal, Role } from './roles.js';
import { DEFAULT_SESSION_TIMES, Sessions, type SessionTimes } from './sessions.js';
import { Users, type UserInfo } from './users.js';

export { ROLES, isRole, roleAllows, type Role, type Principal } from './roles.js';
export { Users, checkUsername, checkRole, type UserInfo, type UserRecord } from './users.js';
export { ApiKeys, type ApiKeyInfo, type ApiKeyRecord } from './api-keys.js';
export { Sessions, DEFAULT_SESSION_TIMES, type SessionTimes } from './sessions.js';
export { SignInLimiter, DEFAULT_SIGN_IN_LIMITS, type SignInLimits } from './rate-limit.js';
export { hashPassword, verifyPassword, checkPasswordPolicy, type ScryptParams } from './password.js';

export interface AuthOptions {
  store: Store;
  logger: Logger;
  sessions?: Partial<SessionTimes>;
  signIn?: Partial<SignInLimits>;
  /** Lower costs for tests only. */
  scrypt?: ScryptParams;
  now?: () => number;
}

/**
 * Authentication over the store: staff accounts, API keys, sessions and the sign-in limiter.
 * The HTTP layer and the admin socket share one instance, so a user disabled from the CLI loses
 * their sessions at once.
 */
export class Auth {
  readonly users: Users;
  readonly apiKeys: ApiKeys;
  readonly sessions: Sessions;
  readonly limiter: SignInLimiter;

  constructor(opts: AuthOptions) {
    this.users = new Users(opts.store, opts.scrypt ?? DEFAULT_SCRYPT);
    this.apiKeys = new ApiKeys(opts.store);
    this.sessions = new Sessions(opts.store, opts.logger, { ...DEFAULT_SESSION_TIMES, ...opts.sessions }, opts.now);
    this.limiter = new SignInLimiter({ ...DEFAULT_SIGN_IN_LIMITS, ...opts.signIn }, opts.now);
  }

  /** The principal of a session cookie, or null (unknown, expired, or the user is disabled). */
  fromSession(token: string): Principal | null {
    const username = this.sessions.check(token);
    if (!username) return null;
    const u = this.users.get(username);
    return u && !u.disabled ? { kind: 'user', name: u.username, role: u.role } : null;
  }

  fromApiKey(key: string): Principal | null {
    const k = this.apiKeys.check(key);
    return k ? { kind: 'apikey', name: k.name, role: k.role } : null;
  }

  /** Disabling ends the user's sessions in the same breath. */
  async disableUser(username: string, actor: string): Promise<UserInfo> {
    const u = await this.users.setDisabled(username, true, actor);
    await this.sessions.destroyUser(u.username);
    return u;
  }

  async setPassword(username: string, password: string, actor: string): Promise<UserInfo> {
    const u = await this.users.setPassword(username, password, actor);
    await this.sessions.destroyUser(u.username);
    return u;
  }

  addUser(username: string, role: Role, password: string, actor: string): Promise<UserInfo> {
    return this.users.add(username, role, password, actor);
  }
}
