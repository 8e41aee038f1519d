import { pino, multistream, type Logger, type Level } from 'pino';
import { LogRing } from './ring.js';

export type { Logger };

/**
 * Fields that can carry a secret anywhere in a log object. pino's redaction is path-based, so each
 * name is listed at the depths where our code and fastify put them. Secrets must never reach the
 * journal (invariant 7); the console's `log` command reads the same redacted lines.
 */
const SECRET_KEYS = ['pin', 'password', 'secret', 'apiKey', 'key', 'token', 'authorization', 'cookie', 'passphrase'];
export const REDACT_PATHS: string[] = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  ...SECRET_KEYS.map((k) => `*.*.${k}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers["xroadvnpt-hash-header"]',
];

export interface LoggerOptions {
  level: Level | 'silent';
  /** Where JSON lines go; stdout (journald) by default. */
  destination?: NodeJS.WritableStream;
  /** Keeps the last lines in memory for the technician console. */
  ring?: LogRing;
}

export function createLogger(opts: LoggerOptions): Logger {
  const streams: { stream: NodeJS.WritableStream; level: Level }[] = [
    { stream: opts.destination ?? process.stdout, level: opts.level === 'silent' ? 'fatal' : opts.level },
  ];
  if (opts.ring) streams.push({ stream: opts.ring, level: 'info' });
  return pino(
    {
      level: opts.level,
      base: { service: 'edoc-gateway' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    multistream(streams),
  );
}

export { LogRing };
