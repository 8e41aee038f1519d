import { SerialPortStream } from '@serialport/stream';
import type { Logger } from 'pino';
import type { DeviceState, EventBus } from '../events.js';
import { BoundedWriter } from './bounded-writer.js';
import { runCommand } from './commands.js';
import { LineEditor } from './line-editor.js';
import type { ConsoleDataSource, LogSource } from './port.js';
import { RetryingWriteBinding } from './serial-binding.js';

export const PROMPT = 'edoc> ';
const EOL = '\r\n'; // serial terminals in raw mode do not turn LF into CRLF themselves

export interface ReconnectPolicy {
  initialMs: number;
  factor: number;
  maxMs: number;
}

export interface ConsoleOptions {
  path: string;
  baudRate: number;
  source: ConsoleDataSource;
  ring: LogSource;
  logger: Logger;
  bus?: EventBus;
  /** Echo typed characters back (terminals expect it from the far end). Default true. */
  echo?: boolean;
  /** Longer input lines are dropped with a message. Default 256 bytes (spec). */
  maxLineBytes?: number;
  /** Output in flight beyond this is dropped rather than queued. Default 16 KiB. */
  outputCapBytes?: number;
  /** Default 1 s ×1.5 up to 60 s (spec). */
  reconnect?: ReconnectPolicy;
  /** Per-command data-source timeout; default 10 s (selftest: 60 s). */
  timeoutMs?: number;
  selftestTimeoutMs?: number;
}

export interface ConsoleState {
  state: DeviceState;
  path: string;
  /** When disconnected: milliseconds until the next open attempt. */
  retryInMs: number | null;
  lastError: string | null;
  /** Output bytes dropped because the terminal was not reading (since start). */
  droppedBytes: number;
  /** Output bytes written but not yet taken by the OS. */
  inFlightBytes: number;
}

export interface ConsoleService {
  state(): ConsoleState;
  /** Stops reconnecting and closes the port. */
  close(): Promise<void>;
}

/** Commands typed ahead while one runs; more than this is noise, not a technician. */
const MAX_PENDING_LINES = 8;

/**
 * The technician console on a serial port: open, serve lines, and when the port fails or
 * disappears, reopen it with backoff — forever, without ever making the rest of the service
 * wait. Every write goes through a BoundedWriter and every read through a bounded LineEditor.
 */
export function startConsole(opts: ConsoleOptions): ConsoleService {
  const { logger, bus } = opts;
  const policy = opts.reconnect ?? { initialMs: 1000, factor: 1.5, maxMs: 60_000 };
  const maxLineBytes = opts.maxLineBytes ?? 256;
  const deps = {
    source: opts.source,
    ring: opts.ring,
    logger,
    timeoutMs: opts.timeoutMs ?? 10_000,
    selftestTimeoutMs: opts.selftestTimeoutMs ?? 60_000,
  };

  let current: DeviceState = 'disconnected';
  let port: SerialPortStream | null = null;
  let writer: BoundedWriter | null = null;
  let droppedBefore = 0; // dropped by writers of earlier port instances
  let delay = policy.initialMs;
  let retryAt: number | null = null;
  let retryTimer: NodeJS.Timeout | null = null;
  let lastError: string | null = null;
  let failingRun = false; // log the first error of a run of failures, not every retry
  let closing = false;

  const setState = (s: DeviceState): void => {
    if (s === current) return;
    current = s;
    bus?.publish('console.state', { state: s });
  };

  const out = (text: string): void => {
    writer?.write(Buffer.from(text, 'utf8'));
  };
  const print = (lines: string[]): void => {
    out(lines.map((l) => l + EOL).join('') + PROMPT);
  };

  // One command at a time, in order; typed-ahead lines wait in a short queue.
  const pending: string[] = [];
  let busy = false;
  const drain = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    while (pending.length > 0) {
      const line = pending.shift() ?? '';
      print(await runCommand(line, deps));
    }
    busy = false;
  };

  const editorFor = (): LineEditor =>
    new LineEditor(
      {
        line: (text) => {
          if (pending.length >= MAX_PENDING_LINES) {
            out(`busy: line ignored${EOL}`);
            return;
          }
          pending.push(text);
          void drain();
        },
        overlong: (n) => print([`input line of ${n} bytes dropped (limit ${maxLineBytes})`]),
        echo: (bytes) => writer?.write(bytes),
      },
      maxLineBytes,
      opts.echo ?? true,
    );

  const scheduleReopen = (err: Error | null): void => {
    if (closing) return;
    if (writer) droppedBefore += writer.dropped;
    writer = null;
    port = null;
    setState('disconnected');
    if (err) {
      lastError = err.message;
      if (!failingRun) logger.warn({ path: opts.path, err: { message: err.message } }, 'technician console port unavailable, retrying');
      failingRun = true;
    }
    retryAt = Date.now() + delay;
    retryTimer = setTimeout(open, delay);
    delay = Math.min(policy.maxMs, delay * policy.factor);
  };

  function open(): void {
    retryTimer = null;
    retryAt = null;
    const p = new SerialPortStream({ binding: RetryingWriteBinding, path: opts.path, baudRate: opts.baudRate, autoOpen: false });
    p.open((err) => {
      if (err) {
        scheduleReopen(err);
        return;
      }
      if (closing) {
        p.close();
        return;
      }
      port = p;
      writer = new BoundedWriter(p, opts.outputCapBytes);
      const editor = editorFor();
      delay = policy.initialMs;
      if (failingRun) logger.info({ path: opts.path }, 'technician console port back');
      failingRun = false;
      lastError = null;
      setState('connected');
      p.on('data', (chunk: Buffer) => editor.push(chunk));
      // A vanished device (USB gadget unplugged, pty master gone) surfaces as close or error.
      p.on('error', (e: Error) => {
        lastError = e.message;
        if (p.isOpen) p.close();
      });
      p.once('close', (e: Error | null) => {
        if (port === p) scheduleReopen(e ?? new Error('port closed'));
      });
      out(`edoc-gateway technician console, type help${EOL}${PROMPT}`);
    });
  }

  open();
  logger.info({ path: opts.path, baudRate: opts.baudRate }, 'technician console starting');

  return {
    state: () => ({
      state: current,
      path: opts.path,
      retryInMs: retryAt === null ? null : Math.max(0, retryAt - Date.now()),
      lastError,
      droppedBytes: droppedBefore + (writer?.dropped ?? 0),
      inFlightBytes: writer?.inFlight ?? 0,
    }),
    close: async () => {
      closing = true;
      if (retryTimer) clearTimeout(retryTimer);
      const p = port;
      port = null;
      writer = null;
      if (p?.isOpen) await new Promise<void>((resolve) => p.close(() => resolve()));
    },
  };
}
