import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config/schema.js';
import { isEmbeddedAxis } from './config/schema.js';
import { createLogger, LogRing, type Logger } from './log/logger.js';
import { EventBus } from './events.js';
import { build } from './http/app.js';
import type { TlsMaterial } from './http/tls.js';
import { activeDocumentCounts } from './http/metrics.js';
import { splitListen } from './config/listen.js';
import type { Health } from './http/health.js';
import { VERSION } from './version.js';
import { EXIT } from './errors.js';
import { createCore, type Core } from './core.js';
import { Auth } from './auth/index.js';
import type { DisplayService } from './display/index.js';
import type { ConsoleService } from './console/index.js';
import { createNotifier, startWatchdog, watchdogIntervalMs, type Notifier, type Watchdog } from './systemd/index.js';
import { storeProbe } from './systemd/store-probe.js';
import { StatusCache, assembleHealth, displaySnapshot, displayState, lanAddress } from './main-status.js';
import { consoleSource } from './main-console.js';
import { startAdminServer } from './admin/server.js';
import { serviceAdminContext } from './admin/service-context.js';
import { adminSocketPath } from './admin/socket-path.js';

/**
 * The composition root: configuration → adapters → services → listen. The only place that wires
 * things together, handles signals and decides the exit code.
 *
 * Order: logger → core (store, token, axis, outbox, inbox) → auth → display and console (their
 * own reconnect loops: a missing device never holds up or stops the start) → HTTP → listen →
 * READY to systemd → watchdog. Shutdown runs the same list backwards.
 */
export interface StartOptions {
  configFile?: string;
  env?: NodeJS.ProcessEnv;
  /** Tests pass their own logger (silent or captured). */
  logger?: Logger;
  /** Do not install SIGTERM/SIGINT handlers (tests and the demo run several services in one process). */
  noSignals?: boolean;
  /** Name shown in the log lines of this service (the demo runs two offices). */
  name?: string;
  /** Where the JSON log lines go when no logger is given; stdout (journald) by default. */
  logDestination?: NodeJS.WritableStream;
}

export interface RunningService {
  app: FastifyInstance;
  /** The URL staff use, with the actual port when the config asked for port 0. */
  url: string;
  bus: EventBus;
  logger: Logger;
  ring: LogRing;
  core: Core;
  auth: Auth;
  display: DisplayService | null;
  console: ConsoleService | null;
  /** The same document as GET /api/v1/health. */
  health(): Promise<Health>;
  /** Start-up time until listening with the HSM opened (`start.ready_ms` of the benchmarks). */
  readyMs: number;
  /** Resolves when the service has shut down. */
  stopped: Promise<void>;
  stop(reason?: string): Promise<void>;
  exitCode(): number;
}

export async function startService(config: Config, opts: StartOptions = {}): Promise<RunningService> {
  const startedAt = Date.now();
  const ring = new LogRing(500);
  const base = opts.logger ?? createLogger({ level: config.log.level as 'info', ring, ...(opts.logDestination ? { destination: opts.logDestination } : {}) });
  const logger = opts.name ? base.child({ office: opts.name }) : base;
  const env = opts.env ?? process.env;
  const bus = new EventBus();
  const notifier = createNotifier({ logger, env });

  const core = await createCore({ config, logger, bus });
  const parts: { name: string; close: () => Promise<void> | void }[] = [{ name: 'core', close: () => core.stop() }];
  const closeParts = async (): Promise<void> => {
    for (const p of parts.splice(0).reverse()) {
      try {
        await p.close();
      } catch (e) {
        logger.warn({ err: e, part: p.name }, 'closing a part failed');
      }
    }
  };

  try {
    const auth = new Auth({ store: core.store, logger });
    const cache = new StatusCache(core, logger);
    await cache.start(bus);
    parts.push({ name: 'status cache', close: () => cache.stop() });

    const lan = lanAddress();
    let display: DisplayService | null = null;
    if (config.display) {
      // Loaded only when configured: the serial stack is a few dozen modules and a native binding.
      const { startDisplay } = await import('./display/index.js');
      display = startDisplay({
        path: config.display.path,
        baudRate: config.display.baudRate,
        bus,
        logger: logger.child({ part: 'display' }),
        status: () => displaySnapshot(cache, lan),
      });
      const d = display;
      parts.push({ name: 'display', close: () => d.close() });
    }

    // The watchdog's store check: a write stuck past the probe's own timeout (a quarter of
    // WatchdogSec) fails it; a quiet store is proven by a small durable write every 5 minutes.
    const probe = storeProbe(core.store, { stuckAfterMs: (watchdogIntervalMs(env) ?? 30_000) / 4 });

    let consoleService: ConsoleService | null = null;
    if (config.console) {
      const { startConsole } = await import('./console/index.js');
      consoleService = startConsole({
        path: config.console.path,
        baudRate: config.console.baudRate,
        ring,
        bus,
        logger: logger.child({ part: 'console' }),
        source: consoleSource({
          config, core, cache, display, startedAt,
          axisEndpoint: () => (isEmbeddedAxis(config.axis) ? (core.embeddedAxis?.sim.url ?? 'embedded') : config.axis.endpoint),
        }),
      });
      const c = consoleService;
      parts.push({ name: 'console', close: () => c.close() });
    }

    const health = async (): Promise<Health> => assembleHealth(await cache.refresh(), displayState(config, display), Boolean(config.display));

    // tls.js only when TLS is on (plain HTTP is allowed on loopback only).
    const tls: TlsMaterial | null = config.http.tls === false ? null : await (await import('./http/tls.js')).loadTls(config, logger);
    const app = await build({
      logger,
      health,
      https: tls,
      bodyLimit: config.limits.maxUploadBytes,
      documents: core.documents,
      auth,
      bus,
      limits: config.limits,
      uploadDir: path.join(config.stateDir, 'tmp', 'uploads'),
      documentCounts: () => activeDocumentCounts(core.store),
    });
    parts.push({ name: 'http', close: () => app.close() });
    const listen = splitListen(config.http.listen);
    if (!listen) throw new Error('unreachable: listen validated by config');
    await app.listen({ host: listen.host, port: listen.port });
    const addr = app.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : listen.port;
    const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host === '0.0.0.0' ? '127.0.0.1' : listen.host;
    const url = `${tls ? 'https' : 'http'}://${host}:${port}`;
    // The admin socket: the CLI's way in while the service owns the state lock (invariant 2).
    const admin = await startAdminServer({
      path: adminSocketPath(config.stateDir, env),
      ctx: serviceAdminContext({ core, auth, config, logger, display }),
      logger: logger.child({ part: 'admin' }),
    });
    parts.push({ name: 'admin socket', close: () => admin.close() });
    const readyMs = Date.now() - startedAt;
    const h0 = cache.current;
    logger.info(
      { url, version: VERSION, readyMs, hsm: core.token.state(), axis: h0.axis.state, display: displayState(config, display), tlsFingerprint: tls?.fingerprint },
      'edoc-gateway ready',
    );

    notifier.ready(statusLine(h0.hsm.state, h0.axis.state, url));
    const unsubscribeStatus = bus.subscribeAll((name) => {
      if (name === 'hsm.state' || name === 'axis.state' || name === 'display.state') notifier.status(statusLine(core.token.state(), cache.current.axis.state, url));
    });
    parts.push({ name: 'notify status', close: unsubscribeStatus });
    const dog: Watchdog | null = startWatchdog({ notifier, logger, probe, env });
    if (dog) parts.push({ name: 'watchdog', close: () => dog.stop() });

    return finish({ app, url, bus, logger, ring, core, auth, display, console: consoleService, health, readyMs }, notifier, closeParts, opts);
  } catch (e) {
    await closeParts();
    throw e;
  }
}

function statusLine(hsm: string, axis: string, url: string): string {
  return `serving ${url}; HSM ${hsm}; axis ${axis}`;
}

type Parts = Omit<RunningService, 'stopped' | 'stop' | 'exitCode'>;

/** Adds shutdown and signals to a started service. */
function finish(s: Parts, notifier: Notifier, closeParts: () => Promise<void>, opts: StartOptions): RunningService {
  const code: number = EXIT.OK;
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((r) => (resolveStopped = r));
  let stopping: Promise<void> | null = null;
  const onSignal = (sig: NodeJS.Signals): void => void stop(sig);
  // A device adapter's stray rejection must not take the whole service down (invariant 5):
  // it is logged, and the adapter's own reconnect loop carries on.
  const onRejection = (reason: unknown): void => s.logger.error({ err: reason }, 'unhandled rejection (service keeps running)');
  const stop = (reason = 'stop'): Promise<void> => {
    stopping ??= (async () => {
      s.logger.info({ reason }, 'shutting down');
      notifier.stopping(`stopping (${reason})`);
      await closeParts();
      if (!opts.noSignals) {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
        process.off('unhandledRejection', onRejection);
      }
      s.logger.info('stopped');
      s.logger.flush?.();
      resolveStopped();
    })();
    return stopping;
  };
  if (!opts.noSignals) {
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    process.on('unhandledRejection', onRejection);
  }
  return { ...s, stopped, stop, exitCode: () => code };
}
