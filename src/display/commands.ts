import { AppError } from '../errors.js';
import type { LineLink } from './framing.js';
import {
  ANSWER_TIMEOUT_MS,
  answers,
  parseAnswer,
  parseUnsolicited,
  renderCommand,
  type Answer,
  type DisplayCommand,
  type Unsolicited,
} from './protocol.js';

export type CommandFailure = 'timeout' | 'rejected' | 'closed' | 'overflow';

/** A display command that got no (acceptable) answer; `reason` says which way it failed. */
export class DisplayCommandError extends AppError {
  readonly reason: CommandFailure;
  constructor(reason: CommandFailure, message: string, details?: unknown) {
    super('INTERNAL', message, details);
    this.name = 'DisplayCommandError';
    this.reason = reason;
  }
}

/**
 * The command layer: one command in flight (the MCU has a 2-byte UART buffer and answers in
 * order), each answer awaited with a timeout and matched to its command by type, the way a
 * "waitress" matches responses. Unsolicited lines (buttons, BOOT) are routed to a listener and
 * can arrive at any moment, including between a command and its answer.
 */
export interface CommandChannel {
  /** Resolves with the command's answer; rejects with DisplayCommandError (ERR answers too). */
  send(cmd: DisplayCommand): Promise<Answer>;
  onUnsolicited(fn: (u: Unsolicited) => void): void;
  /** Lines that matched nothing (late answers after a timeout, noise). */
  strayLines(): number;
}

export interface CommandChannelOptions {
  timeoutMs?: number;
  /** Commands waiting behind the one in flight; more are refused, not buffered without end. */
  maxQueued?: number;
}

interface Pending {
  cmd: DisplayCommand;
  resolve: (a: Answer) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export function createCommandChannel(link: LineLink, opts: CommandChannelOptions = {}): CommandChannel {
  const timeoutMs = opts.timeoutMs ?? ANSWER_TIMEOUT_MS;
  const maxQueued = opts.maxQueued ?? 32;
  const listeners: ((u: Unsolicited) => void)[] = [];
  const queue: { cmd: DisplayCommand; resolve: (a: Answer) => void; reject: (e: Error) => void }[] = [];
  let inFlight: Pending | null = null;
  let closedBy: Error | null = null;
  let stray = 0;

  const settle = (): Pending | null => {
    const p = inFlight;
    if (p) clearTimeout(p.timer);
    inFlight = null;
    return p;
  };

  const pump = (): void => {
    if (inFlight || closedBy) return;
    const next = queue.shift();
    if (!next) return;
    const line = renderCommand(next.cmd);
    const timer = setTimeout(() => {
      const p = settle();
      p?.reject(new DisplayCommandError('timeout', `display did not answer "${next.cmd.op}" within ${timeoutMs} ms`));
      pump();
    }, timeoutMs);
    inFlight = { ...next, timer };
    link.writeLine(line).catch((err: unknown) => {
      // A write that fails is an I/O error: the link will close; fail this command now.
      const p = inFlight?.cmd === next.cmd ? settle() : null;
      p?.reject(new DisplayCommandError('closed', `write to display failed: ${(err as Error).message}`));
      pump();
    });
  };

  link.onLine((line) => {
    const u = parseUnsolicited(line);
    if (u) {
      for (const fn of listeners) fn(u);
      return;
    }
    const a = parseAnswer(line);
    if (!a || !inFlight || !answers(inFlight.cmd, a)) {
      stray++;
      return;
    }
    const p = settle();
    if (a.kind === 'err') p?.reject(new DisplayCommandError('rejected', `display refused "${p.cmd.op}": ${a.reason}`));
    else p?.resolve(a);
    pump();
  });

  link.onClose((err) => {
    closedBy = err ?? new Error('closed');
    const e = new DisplayCommandError('closed', 'display link closed', { cause: err?.message });
    settle()?.reject(e);
    for (const q of queue.splice(0)) q.reject(e);
  });

  return {
    send(cmd) {
      if (closedBy) return Promise.reject(new DisplayCommandError('closed', 'display link closed'));
      if (queue.length >= maxQueued) {
        return Promise.reject(new DisplayCommandError('overflow', `more than ${maxQueued} display commands waiting`));
      }
      return new Promise<Answer>((resolve, reject) => {
        queue.push({ cmd, resolve, reject });
        pump();
      });
    },
    onUnsolicited(fn) {
      listeners.push(fn);
    },
    strayLines: () => stray,
  };
}
