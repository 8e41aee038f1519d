import { PassThrough } from 'node:stream';
import type { AxisPort } from './axis-port.js';

/**
 * What the relay workers (outbox, inbox, organ sync) need from the axis, and nothing more. The
 * VPCP adapter's `AxisPort` (axis-port.ts) is adapted to it in core.ts (`relayAxisFrom`); tests of
 * the workers can pass the same adapter over the simulator. Keeping this seam narrow means the
 * workers do not change when a second transport (a provincial LGSP's REST API) is added.
 */
export type MessageType = 'edoc' | 'status';

export interface SendMeta {
  messageType: MessageType;
  from: string;
  to: string[];
  /** Stable id of the package (the same on every retry). */
  packageId: string;
}

export interface ReceivedItem {
  docId: string;
  messageType: MessageType;
  from?: string;
}

export interface RelayAxis {
  /** Sends the package stored at `path`; resolves with the axis' DocId once it accepted it. */
  send(pkg: { path: string; size: number; sha256?: string }, meta: SendMeta): Promise<{ docId: string }>;
  /** Packages waiting for this organ. */
  listReceived(messageType: MessageType): Promise<ReceivedItem[]>;
  /** The package bytes, streamed (the caller reads it once). */
  fetch(docId: string): Promise<AsyncIterable<Uint8Array>>;
  /** Delivery acknowledgement (not a business status). */
  ack(docId: string, status: 'processing' | 'done' | 'fail'): Promise<void>;
  /** The agency directory. */
  agencies(): Promise<{ id: string; name: string }[]>;
}

/** How a failed axis call should be handled. */
export type AxisFailure = 'transient' | 'auth' | 'permanent';

const TRANSIENT_ERRNO = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND',
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ABORT_ERR',
]);

// Error codes (or descriptions) of the axis that mean "who you are was refused", not "this package
// was refused": a wrong secret or system id. Every document would fail the same way, so the outbox
// keeps them queued and raises an alert instead of failing each one (see outbox.ts).
const AUTH_HINT = /auth|sign|hmac|secret|credential|unauthori[sz]ed|forbidden|systemid|timestamp/i;

/**
 * Classifies an error thrown by a RelayAxis call. The adapter's AxisError carries `transient`;
 * plain network errors are transient; anything unrecognised is treated as transient too, so a
 * document is never failed because of our own bug (it stays queued and the error is logged).
 */
export function classifyAxisError(e: unknown): AxisFailure {
  const err = e as { transient?: unknown; code?: unknown; status?: unknown; httpStatus?: unknown; errorCode?: unknown; axisCode?: unknown; message?: unknown; cause?: unknown };
  if (err && typeof err === 'object') {
    const httpStatus = typeof err.httpStatus === 'number' ? err.httpStatus : typeof err.status === 'number' ? err.status : undefined;
    if (err.transient === false) {
      const hint = `${String(err.axisCode ?? err.errorCode ?? '')} ${String(err.message ?? '')}`;
      if (httpStatus === 401 || httpStatus === 403 || AUTH_HINT.test(hint)) return 'auth';
      return 'permanent';
    }
    if (err.transient === true) return 'transient';
    if (typeof err.code === 'string' && TRANSIENT_ERRNO.has(err.code)) return 'transient';
    if (err.cause) return classifyAxisError(err.cause);
  }
  return 'transient';
}

/** A short, secret-free reason for people and the record. */
export function axisErrorReason(e: unknown): string {
  const err = e as { message?: unknown; errorCode?: unknown; axisCode?: unknown; code?: unknown };
  const code = err?.axisCode ?? err?.errorCode ?? err?.code;
  const msg = typeof err?.message === 'string' ? err.message : String(e);
  return (code !== undefined && !msg.includes(String(code)) ? `${String(code)}: ${msg}` : msg).slice(0, 300);
}

/**
 * The axis' reachability as the relay workers see it (the outbox's sends and the inbox's polls):
 * one tracker shared by both, publishing `axis.state` only on change, for health and the display.
 */
export class AxisStatus {
  private stateValue: import('../events.js').AxisState = 'unknown';
  private lastContact: string | null = null;
  private lastError: string | null = null;

  constructor(
    private readonly bus: import('../events.js').EventBus,
    private readonly now: () => Date = () => new Date(),
  ) {}

  report(state: import('../events.js').AxisState, error?: string): void {
    if (state === 'ok') {
      this.lastContact = this.now().toISOString();
      this.lastError = null;
    } else if (error !== undefined) {
      this.lastError = error;
    }
    if (state === this.stateValue) return;
    this.stateValue = state;
    this.bus.publish('axis.state', { state, lastContactAt: this.lastContact, ...(error !== undefined && state !== 'ok' ? { error } : {}) });
  }

  get state(): import('../events.js').AxisState {
    return this.stateValue;
  }

  get lastContactAt(): string | null {
    return this.lastContact;
  }

  get error(): string | null {
    return this.lastError;
  }
}

/** The VPCP (or any) AxisPort seen through the workers' narrow interface. */
export function relayAxisFrom(port: AxisPort): RelayAxis {
  return {
    send: (pkg, meta) => port.sendEdoc(pkg.sha256 ? { path: pkg.path, sha256: pkg.sha256 } : { path: pkg.path }, { messageType: meta.messageType, from: meta.from, to: meta.to }),
    listReceived: async (messageType) =>
      (await port.getReceivedEdocList(messageType)).map((r) => ({
        docId: r.docId,
        messageType: r.messageType === 'status' ? 'status' : r.messageType === 'edoc' ? 'edoc' : messageType,
        from: r.from,
      })),
    fetch: async (docId) => {
      const pass = new PassThrough({ highWaterMark: 256 * 1024 });
      // getEdoc ends `pass` on success and destroys it on failure, without saying why: the reader
      // would only see "premature close". The reader gets getEdoc's own error instead, so the
      // inbox can tell an axis that is down (retry later) from a package that can never be read.
      let failure: unknown = null;
      const call = port.getEdoc(docId, pass).then(
        () => undefined,
        (e: unknown) => {
          failure = e;
          pass.destroy(e instanceof Error ? e : new Error(String(e)));
        },
      );
      return (async function* () {
        try {
          yield* pass;
        } catch (e) {
          await call;
          throw failure ?? e;
        }
        await call;
        if (failure !== null) throw failure;
      })();
    },
    ack: (docId, status) => port.updateStatus(docId, status),
    agencies: () => port.getAgenciesList(),
  };
}
