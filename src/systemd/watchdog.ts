import type { Logger } from 'pino';
import type { Notifier } from './notify.js';

/**
 * The systemd watchdog, pinged only while the service is really alive. A timer alone would keep
 * pinging from a process whose store is wedged or whose event loop spends seconds stuck, and
 * systemd would never restart it. So each period we check two things first:
 *
 * - the event loop: how late this very timer fired. A loop that was blocked (a sync call, a
 *   runaway computation) fires it late; past `maxLagMs` we skip the ping. Only the drift of our
 *   own timer is used, not a lag histogram: a short stall long past is not a reason to skip,
 *   and one skipped ping already brings the process near its deadline.
 * - the store: the service's probe (store-probe.ts: is a write stuck, and has one succeeded
 *   lately, or else a small durable write read back), bounded by a timeout so a hung disk counts
 *   as a failure instead of a ping that never comes.
 *
 * Two missed periods (one WatchdogSec) and systemd restarts the service, as it should.
 */
export interface WatchdogOptions {
  notifier: Notifier;
  logger: Logger;
  /** Resolves true when the store answers (e.g. write + read a health record). */
  probe: () => Promise<boolean>;
  /** WATCHDOG_USEC / WATCHDOG_PID; process.env by default. */
  env?: NodeJS.ProcessEnv;
  /** Skip the ping when the timer fired later than this. Default: a quarter of the interval. */
  maxLagMs?: number;
}

export interface WatchdogStats {
  pings: number;
  skipped: number;
  /** Why the last period was skipped; null after a successful ping. */
  lastSkip: string | null;
}

export interface Watchdog {
  /** WatchdogSec as the service manager set it, in ms; pings go out every half of it. */
  readonly intervalMs: number;
  stats(): WatchdogStats;
  stop(): void;
}

/**
 * The watchdog interval asked for by the manager, in ms, or null when none applies to this
 * process (sd_watchdog_enabled semantics: WATCHDOG_PID, when set, must be our PID — otherwise
 * the variables were inherited from a parent that is the real main process).
 */
export function watchdogIntervalMs(env: NodeJS.ProcessEnv = process.env): number | null {
  const usec = env.WATCHDOG_USEC;
  if (!usec || !/^\d+$/.test(usec)) return null;
  const pid = env.WATCHDOG_PID;
  if (pid && Number(pid) !== process.pid) return null;
  const ms = Number(usec) / 1000;
  return ms >= 1 ? ms : null;
}

/** Starts the ping loop; null when the manager did not ask for a watchdog. */
export function startWatchdog(opts: WatchdogOptions): Watchdog | null {
  const intervalMs = watchdogIntervalMs(opts.env);
  if (intervalMs === null || !opts.notifier.enabled) return null;
  const { logger, notifier, probe } = opts;
  const periodMs = intervalMs / 2;
  const maxLagMs = opts.maxLagMs ?? intervalMs / 4;
  // The probe must answer before the next period starts.
  const probeTimeoutMs = periodMs / 2;
  const stats: WatchdogStats = { pings: 0, skipped: 0, lastSkip: null };

  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let due = 0;

  const skip = (reason: string): void => {
    // Warn at the start of a run of skips; each later one only counts.
    if (stats.lastSkip === null) logger.warn({ reason, intervalMs }, 'watchdog ping skipped: service not healthy');
    stats.skipped += 1;
    stats.lastSkip = reason;
  };

  const probeWithin = async (): Promise<string | null> => {
    let t: NodeJS.Timeout | undefined;
    try {
      const ok = await Promise.race([
        probe(),
        new Promise<false>((resolve) => {
          t = setTimeout(() => resolve(false), probeTimeoutMs);
        }),
      ]);
      return ok ? null : 'store probe failed or timed out';
    } catch (e) {
      return `store probe threw: ${e instanceof Error ? e.message : String(e)}`;
    } finally {
      clearTimeout(t);
    }
  };

  const tick = async (): Promise<void> => {
    const lag = Date.now() - due;
    if (lag > maxLagMs) skip(`event loop ${Math.round(lag)} ms late`);
    else {
      const problem = await probeWithin();
      if (stopped) return;
      if (problem) skip(problem);
      else {
        notifier.watchdog();
        if (stats.lastSkip !== null) logger.info('watchdog pings resumed');
        stats.pings += 1;
        stats.lastSkip = null;
      }
    }
    schedule();
  };

  const schedule = (delayMs = periodMs): void => {
    if (stopped) return;
    due = Date.now() + delayMs;
    timer = setTimeout(() => void tick(), delayMs);
    // The service's own servers keep the process alive; a watchdog never should.
    timer.unref();
  };

  // First check at once: the manager's clock started when it forked us, not when we got here.
  schedule(0);
  logger.info({ intervalMs, periodMs, maxLagMs }, 'systemd watchdog enabled');

  return {
    intervalMs,
    stats: () => ({ ...stats }),
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
