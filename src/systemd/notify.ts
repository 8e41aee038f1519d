import type { Logger } from 'pino';
import { transportFor, type NotifyTransport } from './notify-transport.js';

/**
 * The sd_notify protocol towards the service manager. Without `NOTIFY_SOCKET` (run by hand, in
 * tests, under another supervisor) every call does nothing, so callers never need to check.
 * Sends never throw and never wait: a failed notification is logged (once per kind of failure)
 * and the service goes on — the manager's own timeouts are what act on silence.
 */
export interface Notifier {
  /** True when a manager listens (NOTIFY_SOCKET was set). */
  readonly enabled: boolean;
  /** Start-up finished: `Type=notify` units count as started only now. */
  ready(status?: string): void;
  /** Free text shown by `systemctl status`. */
  status(text: string): void;
  /** "Still alive"; normally sent by the watchdog loop, not by hand. */
  watchdog(): void;
  stopping(status?: string): void;
  /** Re-reading configuration; follow with `ready()` when done. */
  reloading(status?: string): void;
  /** Any assignments (`{ ERRNO: '5' }`), for what has no method here. */
  send(fields: Record<string, string>): void;
}

export interface NotifierOptions {
  /** Environment to read NOTIFY_SOCKET from; process.env by default. */
  env?: NodeJS.ProcessEnv;
  logger: Logger;
  /** Replaces the socket transport (another process manager's protocol, say). */
  transport?: NotifyTransport;
}

/** Values are one line each: a newline would start a new assignment (STATUS injection). */
function oneLine(value: string): string {
  return value.replace(/[\r\n]+/g, ' ').slice(0, 1024);
}

function format(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([k, v]) => `${k}=${oneLine(v)}`)
    .join('\n');
}

/** CLOCK_MONOTONIC in µs, which RELOADING=1 must carry (Type=notify-reload, systemd ≥ 253). */
function monotonicUsec(): string {
  // libuv's hrtime is CLOCK_MONOTONIC on Linux, the clock systemd compares against.
  return (process.hrtime.bigint() / 1000n).toString();
}

export function createNotifier(opts: NotifierOptions): Notifier {
  const address = (opts.env ?? process.env).NOTIFY_SOCKET;
  const { logger } = opts;
  if (!address && !opts.transport) {
    const noop = (): void => undefined;
    return { enabled: false, ready: noop, status: noop, watchdog: noop, stopping: noop, reloading: noop, send: noop };
  }

  let transport: NotifyTransport;
  if (opts.transport) transport = opts.transport;
  else {
    const choice = transportFor(address ?? '');
    transport = choice.transport;
    if (choice.warning) logger.warn({ notifySocket: address }, choice.warning);
  }

  // A manager that went away (systemd re-exec, a test listener gone) fails every send; say it
  // once per distinct error, not every watchdog period.
  let lastFailure: string | null = null;
  const send = (fields: Record<string, string>): void => {
    transport.send(format(fields), (err) => {
      if (err && err.message !== lastFailure) {
        lastFailure = err.message;
        logger.warn({ err: { message: err.message }, via: transport.kind }, 'sd_notify failed');
      } else if (!err && lastFailure !== null) {
        lastFailure = null;
        logger.info({ via: transport.kind }, 'sd_notify works again');
      }
    });
  };
  const withStatus = (base: Record<string, string>, status?: string): Record<string, string> =>
    status === undefined ? base : { ...base, STATUS: status };

  return {
    enabled: true,
    ready: (status) => send(withStatus({ READY: '1' }, status)),
    status: (text) => send({ STATUS: text }),
    watchdog: () => send({ WATCHDOG: '1' }),
    stopping: (status) => send(withStatus({ STOPPING: '1' }, status)),
    reloading: (status) => send(withStatus({ RELOADING: '1', MONOTONIC_USEC: monotonicUsec() }, status)),
    send,
  };
}
