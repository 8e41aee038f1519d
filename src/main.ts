import type { FastifyInstance } from 'fastify';
import type { Config } from './config/schema.js';
import { createLogger, LogRing, type Logger } from './log/logger.js';
import { EventBus } from './events.js';
import { build } from './http/app.js';
import { loadTls } from './http/tls.js';
import { splitListen } from './config/listen.js';
import type { Health } from './http/health.js';
import { VERSION } from './version.js';
import { EXIT } from './errors.js';

/**
 * The composition root: configuration → adapters → services → listen. The only place that wires
 * things together, handles signals and decides the exit code.
 */
export interface StartOptions {
  configFile?: string;
  env?: NodeJS.ProcessEnv;
  /** Tests pass their own logger (silent or captured). */
  logger?: Logger;
  /** Do not install SIGTERM/SIGINT handlers (tests run several services in one process). */
  noSignals?: boolean;
}

export interface RunningService {
  app: FastifyInstance;
  /** The URL staff use, with the actual port when the config asked for port 0. */
  url: string;
  bus: EventBus;
  logger: Logger;
  ring: LogRing;
  /** Resolves when the service has shut down. */
  stopped: Promise<void>;
  stop(reason?: string): Promise<void>;
  exitCode(): number;
}

export async function startService(config: Config, opts: StartOptions = {}): Promise<RunningService> {
  const ring = new LogRing(500);
  const logger = opts.logger ?? createLogger({ level: config.log.level as 'info', ring });
  const bus = new EventBus();
  const startedAt = Date.now();

  const health = async (): Promise<Health> => ({
    status: 'ok',
    version: VERSION,
    hsm: { state: 'absent' },
    axis: { state: 'unknown', lastContactAt: null },
    display: { state: config.display ? 'disconnected' : 'absent' },
    store: { state: 'ok', freeBytes: 0 },
    queue: { outgoing: 0, failed: 0, incomingUnread: 0 },
  });

  const tls = await loadTls(config, logger);
  const app = await build({ logger, health, https: tls, bodyLimit: config.limits.maxUploadBytes });
  const listen = splitListen(config.http.listen);
  if (!listen) throw new Error('unreachable: listen validated by config');
  await app.listen({ host: listen.host, port: listen.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : listen.port;
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host === '0.0.0.0' ? '127.0.0.1' : listen.host;
  const url = `${tls ? 'https' : 'http'}://${host}:${port}`;
  logger.info({ url, version: VERSION, readyMs: Date.now() - startedAt, tlsFingerprint: tls?.fingerprint }, 'edoc-gateway ready');

  let code: number = EXIT.OK;
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((r) => (resolveStopped = r));
  let stopping: Promise<void> | null = null;
  const stop = (reason = 'stop'): Promise<void> => {
    stopping ??= (async () => {
      logger.info({ reason }, 'shutting down');
      await app.close();
      logger.flush?.();
      resolveStopped();
    })();
    return stopping;
  };
  if (!opts.noSignals) {
    const onSignal = (sig: NodeJS.Signals): void => {
      void stop(sig);
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }
  return { app, url, bus, logger, ring, stopped, stop, exitCode: () => code };
}
