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
 *
 * Resync after a timeout: the device answers every line exactly once and in order, so a command
 * that timed out may still be answered later, and that late `OK` would pass for the answer to
 * the next command that expects `OK` (and every answer after it would be one behind). So after a
 * timeout the channel is out of step, and before the next command it sends a `PING` of its own
 * and drops every line up to that PING's `PONG`: whatever came before it answered older
 * commands. PONGs owed to PINGs that timed out come before ours and are skipped by count. If
 * that count is wrong (the device lost a line), the resync PING times out like any command,
 * which the session counts; three in a row end the session and the reconnect starts afresh.
 * A BOOT clears the count: nothing sent before a reset is ever answered.
 */
export interface CommandChannel {
  /** Resolves with the command's answer; rejects with DisplayCommandError (ERR answers too). */
  send(cmd: DisplayCommand): Promise<Answer>;
  onUnsolicited(fn: (u: Unsolicited) => void): void;
  /** Lines that matched nothing (late answers after a timeout, noise). */
  strayLines(): number;
  /** Resync PINGs sent so far (before the first command after a timeout, and again if it times out). */
  resyncs(): number;
}

export interface CommandChannelOptions {
  timeoutMs?: number;
  /** Commands waiting behind the one in flight; more are refused, not buffered without end. */
  maxQueued?: number;
}

interface Pending {
  cmd: DisplayCommand;
  /** Our own resync PING: its answer ends the drain and is given to nobody. */
  sync: boolean;
  /** A BOOT came while it was in flight: if it times out, it was lost in the reset, not late. */
  crossedBoot: boolean;
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
  let resyncs = 0;
  // Out of step since a timeout: the next command must wait for a resync PONG first.
  let outOfStep = false;
  // PINGs that timed out and whose PONG has not come yet: those PONGs precede our resync's.
  let owedPongs = 0;

  const settle = (): Pending | null => {
    const p = inFlight;
    if (p) clearTimeout(p.timer);
    inFlight = null;
    return p;
  };

  const pump = (): void => {
    if (inFlight || closedBy) return;
    const head = queue[0];
    if (!head) return;
    // Out of step: a PING of ours goes first; the queued command waits for its PONG.
    const sync = outOfStep;
    const next = sync ? null : queue.shift();
    const cmd: DisplayCommand = next ? next.cmd : { op: 'PING' };
    const line = renderCommand(cmd);
    const timer = setTimeout(() => {
      const p = settle();
      if (cmd.op === 'PING' && !p?.crossedBoot) owedPongs++;
      outOfStep = true;
      if (sync) {
        // The command that waited for the resync fails in its place, so the session counts it.
        queue.shift()?.reject(
          new DisplayCommandError('timeout', `display did not answer the resync PING before "${head.cmd.op}" within ${timeoutMs} ms`),
        );
      } else {
        p?.reject(new DisplayCommandError('timeout', `display did not answer "${cmd.op}" within ${timeoutMs} ms`));
      }
      pump();
    }, timeoutMs);
    if (sync) resyncs++;
    const noop = (): void => undefined;
    inFlight = { cmd, sync, crossedBoot: false, resolve: next?.resolve ?? noop, reject: next?.reject ?? noop, timer };
    const sent = inFlight;
    link.writeLine(line).catch((err: unknown) => {
      // A write that fails is an I/O error: the link will close; fail this command now.
      const p = inFlight === sent ? settle() : null;
      const e = new DisplayCommandError('closed', `write to display failed: ${(err as Error).message}`);
      if (p?.sync) queue.shift()?.reject(e);
      else p?.reject(e);
      pump();
    });
  };

  link.onLine((line) => {
    const u = parseUnsolicited(line);
    if (u) {
      // Everything sent before a reset is lost, answers included: no late PONG will come. A
      // command in flight may have been sent before it (lost: it will time out, and is then not
      // owed an answer) or after it (answered as usual).
      if (u.kind === 'boot') {
        owedPongs = 0;
        if (inFlight) inFlight.crossedBoot = true;
      }
      for (const fn of listeners) fn(u);
      return;
    }
    const a = parseAnswer(line);
    if (inFlight?.sync) {
      // Draining: only the PONG to our PING ends it; everything before it is an old answer.
      if (a?.kind !== 'pong' || owedPongs > 0) {
        if (a?.kind === 'pong') owedPongs--;
        stray++;
        return;
      }
      settle();
      outOfStep = false;
      pump();
      return;
    }
    if (!a || !inFlight || !answers(inFlight.cmd, a)) {
      // A late answer (or noise). Count late PONGs off, so a resync does not wait for them.
      if (a?.kind === 'pong' && owedPongs > 0) owedPongs--;
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
    resyncs: () => resyncs,
  };
}
