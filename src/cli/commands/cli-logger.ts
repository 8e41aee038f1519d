import { createLogger, type Logger } from '../../log/logger.js';

/** One-shot commands log warnings and worse to stderr; stdout stays for results (and --json). */
export function cliLogger(level: string): Logger {
  return createLogger({ level: level === 'silent' ? 'silent' : 'warn', destination: process.stderr });
}
