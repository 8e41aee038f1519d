import { pino, multistream, type Logger, type Level } from 'pino';
import { LogRing } from './ring.js';

export type { Logger };

/**
 * Fields that can carry a secret anywhere in a log object. pino's redaction is path-based, so each
 * name is listed at the depths where our code and fastify put them. Secrets must never reach the
 * journal (invariant 7); the console's `log` command reads the same redacted lines.
 */
const SECRET_KEYS = [
  'pin', 'soPin', 'password', 'newPassword', 'secret', 'axisSecret', 'apiKey', 'key', 'token', 'authorization', 'cookie', 'passphrase',
  // Header names as Node gives them (lower case) and as the VPCP client sends them.
  '["x-api-key"]', '["set-cookie"]', '["xroadvnpt-hash-header"]', '["XroadVnpt-hash-header"]',
];
// Depth 0 to 3: an AppError's `details` inside `err` inside a request context is three levels down.
const at = (depth: number, k: string): string => `${'*.'.repeat(depth)}${k}`.replace(/\.\[/g, '[');
export const REDACT_PATHS: string[] = [0, 1, 2, 3].flatMap((d) => SECRET_KEYS.map((k) => at(d, k)));

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
