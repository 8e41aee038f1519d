import { SessionFlag, UserType, type Module, type PrivateKey, type Session, type Slot } from 'graphene-pk11';
import type { HsmConfig, Mechanism } from '../config/schema.js';
import { readSecretFile } from '../config/secrets.js';
import { AppError, isAppError } from '../errors.js';
import type { EventBus, HsmState } from '../events.js';
import type { Logger } from '../log/logger.js';
import { orderChain, summarizeCertificate } from '../signing/certificates.js';
import { CKR, ckrName, isPinProblem, isTokenLost, pkcs11Code } from './pkcs11-codes.js';
import { loadPkcs11Module, reinitializePkcs11Module, releasePkcs11Module, retainPkcs11Module } from './pkcs11-module.js';
import type { SigningToken, TokenInfo } from './port.js';
import { SessionPool } from './session-pool.js';
import { findCertificateDer, findPrivateKey, findSlotByTokenLabel, listCertificateDers } from './token-objects.js';
import { REQUIRED_MECHANISM, signOnSession } from './token-signer.js';

/**
 * The graphene-pk11 adapter behind SigningToken.
 *
 * States: `starting` → `ready`; a lost token (device removed, session handle invalid, …) → `down`
 * and a reconnect loop with backoff 1 s ×1.5 up to 60 s that reopens sessions and logs in again
 * by itself. A refused PIN → `pin-incorrect` / `locked` and nothing more: USB tokens lock after a
 * few wrong PINs, so only an administrator (`retryLogin()`) makes the next attempt.
 */
export interface OpenTokenOptions {
  logger: Logger;
  bus?: EventBus;
  onState?: (state: HsmState, reason?: string) => void;
  /** First reconnect delay in ms (tests shorten it); the factor and the 60 s cap stay. */
  backoffStartMs?: number;
  /** How often an idle token is probed for removal (C_GetSessionInfo); 0 disables. */
  probeIntervalMs?: number;
}

interface Pooled {
  session: Session;
  key: PrivateKey;
}

const BACKOFF_FACTOR = 1.5;
const BACKOFF_MAX_MS = 60_000;

export class GrapheneToken implements SigningToken {
  readonly mechanism: Mechanism;
  private current: HsmState = 'starting';
  private lastError: string | null = null;
  private readonly pool = new SessionPool<Pooled>();
  private mod: Module | null = null;
  private cert: Uint8Array | null = null;
  private chainDers: Uint8Array[] = [];
  private mechanisms: string[] = [];
  private reconnectTimer: NodeJS.Timeout | null = null;
  private probeTimer: NodeJS.Timeout | null = null;
  private backoffMs: number;
  private failuresThisRun = 0;
  private closed = false;
  private inFlight = 0;
  private connecting: Promise<void> | null = null;
  /** Every C_Login this adapter has issued (diagnostics; a wrong PIN must show exactly one). */
  loginAttempts = 0;

  constructor(private readonly cfg: HsmConfig, private readonly opts: OpenTokenOptions) {
    this.mechanism = cfg.mechanism;
    this.backoffMs = opts.backoffStartMs ?? 1000;
  }

  state(): HsmState {
    return this.current;
  }

  /** Open sessions and log in once. Never throws: failures become states. */
  connect(): Promise<void> {
    this.connecting ??= this.doConnect().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async doConnect(): Promise<void> {
    let pin: string;
    try {
      pin = await readSecretFile(this.cfg.pinFile, 'HSM PIN');
    } catch (e) {
      // No login was attempted; still an administrator's job (the credential is missing).
      this.setState('pin-incorrect', isAppError(e) ? e.message : 'cannot read the PIN file');
      return;
    }
    const opened: Pooled[] = [];
    try {
      // After a loss, re-initialise the module: some only reconnect to the device in C_Initialize.
      // Never under an operation still running on a worker thread.
      if (this.failuresThisRun > 0 && this.inFlight === 0) this.mod = reinitializePkcs11Module(this.cfg.module, this);
      else this.mod ??= loadPkcs11Module(this.cfg.module);
      retainPkcs11Module(this.cfg.module, this);
      const slot = findSlotByTokenLabel(this.mod, this.cfg.tokenLabel);
      if (!slot) throw new AppError('HSM_UNAVAILABLE', `token "${this.cfg.tokenLabel}" not present`);
      const first = slot.open(SessionFlag.SERIAL_SESSION);
      const sessions = [first];
      try {
        this.login(first, pin);
        const key = findPrivateKey(first, { label: this.cfg.keyLabel, id: this.cfg.keyId });
        if (!key) throw new AppError('HSM_UNAVAILABLE', `key "${this.cfg.keyLabel}" not found on the token`);
        // Object handles are per application, not per session: the key found once serves them all.
        for (let i = 1; i < this.cfg.sessions; i++) sessions.push(slot.open(SessionFlag.SERIAL_SESSION));
        opened.push(...sessions.map((session) => ({ session, key })));
      } catch (e) {
        closeSessions(sessions);
        throw e;
      }
      this.loadCertificates(first);
      this.mechanisms = mechanismNames(slot);
      if (!this.mechanisms.includes(REQUIRED_MECHANISM[this.mechanism])) {
        this.opts.logger.warn({ mechanism: this.mechanism, needs: REQUIRED_MECHANISM[this.mechanism] }, 'the token does not list the mechanism the configuration asks for');
      }
      this.pool.reset(opened);
      this.backoffMs = this.opts.backoffStartMs ?? 1000;
      if (this.failuresThisRun > 0) this.opts.logger.info({ attempts: this.failuresThisRun }, 'HSM available again');
      this.failuresThisRun = 0;
      this.setState('ready');
      this.startProbe();
    } catch (e) {
      closeQuietly(opened);
      const pinState = isPinProblem(pkcs11Code(e));
      if (pinState) {
        this.opts.logger.error({ code: ckrName(pkcs11Code(e)) }, 'HSM login refused; not retrying until an administrator asks');
        this.setState(pinState, pinState === 'locked' ? 'PIN locked on the token' : 'PIN incorrect');
        return;
      }
      this.goDown(e);
    }
  }

  private login(session: Session, pin: string): void {
    this.loginAttempts++;
    try {
      session.login(pin, UserType.USER);
    } catch (e) {
      // Login state is per token and application: another of our sessions may still hold it.
      if (pkcs11Code(e) !== CKR.USER_ALREADY_LOGGED_IN) throw e;
    }
  }

  private loadCertificates(session: Session): void {
    const der = findCertificateDer(session, { label: this.cfg.keyLabel, id: this.cfg.keyId });
    if (!der) throw new AppError('HSM_UNAVAILABLE', `no certificate "${this.cfg.keyLabel}" on the token`);
    this.cert = der;
    this.chainDers = orderChain(der, listCertificateDers(session));
  }

  private goDown(e: unknown): void {
    const reason = describe(e);
    if (this.failuresThisRun === 0) this.opts.logger.warn({ reason }, 'HSM unavailable; reconnecting with backoff');
    else this.opts.logger.debug({ reason, attempt: this.failuresThisRun }, 'HSM still unavailable');
    this.failuresThisRun++;
    this.stopProbe();
    closeQuietly(this.pool.drain(new AppError('HSM_UNAVAILABLE', `HSM unavailable: ${reason}`)));
    this.setState('down', reason);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(BACKOFF_MAX_MS, this.backoffMs * BACKOFF_FACTOR);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.connect();
    }, delay);
    this.reconnectTimer.unref();
  }

  private startProbe(): void {
    const every = this.opts.probeIntervalMs ?? 10_000;
    if (every <= 0 || this.probeTimer) return;
    this.probeTimer = setInterval(() => void this.probe(), every);
    this.probeTimer.unref();
  }

  private stopProbe(): void {
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.probeTimer = null;
  }

  /** Notice a removed token while idle, through the same pool so it never races a sign. */
  private async probe(): Promise<void> {
    if (this.current !== 'ready') return;
    let s: Pooled;
    try {
      s = await this.pool.acquire();
    } catch {
      return;
    }
    try {
      s.session.lib.C_GetSessionInfo(s.session.handle);
      this.pool.release(s);
    } catch (e) {
      const current = this.pool.owns(s);
      this.pool.release(s);
      if (current && isTokenLost(pkcs11Code(e))) this.goDown(e);
    }
  }

  private setState(state: HsmState, reason?: string): void {
    this.lastError = state === 'ready' ? null : (reason ?? this.lastError);
    if (state === this.current) return;
    this.current = state;
    this.opts.onState?.(state, reason);
    this.opts.bus?.publish('hsm.state', reason === undefined ? { state } : { state, reason });
  }

  async signDigest(digest: Uint8Array): Promise<Uint8Array> {
    if (this.current !== 'ready') throw this.unavailable();
    const s = await this.pool.acquire();
    this.inFlight++;
    try {
      return await signOnSession(s.session, s.key, this.mechanism, digest);
    } catch (e) {
      const code = pkcs11Code(e);
      if (isTokenLost(code)) {
        // A failure on a session of an older generation (already replaced) says nothing about
        // the sessions open now.
        if (this.pool.owns(s)) this.goDown(e);
        throw new AppError('HSM_UNAVAILABLE', `HSM unavailable: ${describe(e)}`);
      }
      if (code !== null) throw new AppError('INTERNAL', `the HSM refused to sign (${ckrName(code)})`, { code: ckrName(code) });
      throw e;
    } finally {
      this.inFlight--;
      this.pool.release(s);
    }
  }

  private unavailable(): AppError {
    const why = this.current === 'pin-incorrect' || this.current === 'locked' ? ' — waiting for an administrator' : '';
    return new AppError('HSM_UNAVAILABLE', `HSM ${this.current}${this.lastError ? ` (${this.lastError})` : ''}${why}`, { state: this.current });
  }

  /** The administrator's explicit "try the PIN again" (after fixing the PIN file). */
  async retryLogin(): Promise<HsmState> {
    if (this.current === 'ready') return this.current;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.setState('starting');
    await this.connect();
    return this.current;
  }

  async certificate(): Promise<Uint8Array> {
    if (!this.cert) throw this.unavailable();
    return this.cert;
  }

  async chain(): Promise<Uint8Array[]> {
    if (!this.cert) throw this.unavailable();
    return this.chainDers;
  }

  async info(): Promise<TokenInfo> {
    return {
      module: this.cfg.module,
      tokenLabel: this.cfg.tokenLabel,
      keyLabel: this.cfg.keyLabel,
      state: this.current,
      mechanism: this.mechanism,
      mechanismsSupported: this.mechanisms,
      certificate: this.cert ? summarizeCertificate(this.cert) : null,
      lastError: this.lastError,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.stopProbe();
    await this.connecting;
    closeQuietly(this.pool.drain(new AppError('HSM_UNAVAILABLE', 'HSM closed')));
    releasePkcs11Module(this.cfg.module, this);
  }
}

function mechanismNames(slot: Slot): string[] {
  const list = slot.getMechanisms();
  const names: string[] = [];
  for (let i = 0; i < list.length; i++) names.push(list.items(i).name);
  // Only the signing mechanisms that matter to us; a full list is what `pkcs11-tool -M` is for.
  const relevant = new Set(['RSA_PKCS', 'RSA_PKCS_PSS', 'SHA256_RSA_PKCS', 'SHA256_RSA_PKCS_PSS', 'ECDSA', 'ECDSA_SHA256']);
  return names.filter((n) => relevant.has(n));
}

function closeSessions(list: Session[]): void {
  for (const s of list) {
    try {
      s.close();
    } catch {
      /* the device is gone; its sessions are gone with it */
    }
  }
}

function closeQuietly(list: Pooled[]): void {
  closeSessions(list.map((p) => p.session));
}

function describe(e: unknown): string {
  const code = pkcs11Code(e);
  if (code !== null) return ckrName(code);
  return e instanceof Error ? e.message : String(e);
}

/**
 * Open the configured token. Never throws for an absent token (the service starts degraded and
 * the adapter reconnects by itself) nor for a refused PIN (state `pin-incorrect`, one attempt).
 */
export async function openToken(cfg: HsmConfig, opts: OpenTokenOptions): Promise<GrapheneToken> {
  const token = new GrapheneToken(cfg, opts);
  await token.connect();
  return token;
}
