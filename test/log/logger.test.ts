import t from 'tap';
import { Writable } from 'node:stream';
import { createLogger, LogRing } from '../../src/log/logger.js';
import { AppError } from '../../src/errors.js';

/**
 * The service log (pino): JSON lines, the level from the configuration, and no secret in any line —
 * neither on stdout (journald) nor in the ring the technician console reads.
 */
function sink(): { stream: Writable; lines: () => Record<string, unknown>[]; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  return { stream, text: () => text, lines: () => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

// pino's multistream writes synchronously to plain streams, but give it a tick anyway.
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

t.test('every line is one JSON object with level, time and message', async (t) => {
  const out = sink();
  const log = createLogger({ level: 'info', destination: out.stream });
  log.info({ documentId: '000.46.24.H44,2026/11/27,12/QĐ-UBND' }, 'văn bản đã ký');
  log.child({ component: 'relay' }).warn('axis unreachable');
  await settle();
  const lines = out.lines();
  t.equal(lines.length, 2);
  t.match(lines[0], { level: 30, service: 'edoc-gateway', msg: 'văn bản đã ký', documentId: '000.46.24.H44,2026/11/27,12/QĐ-UBND' });
  t.match(lines[0]!['time'], /^\d{4}-\d\d-\d\dT/, 'ISO time');
  t.match(lines[1], { level: 40, component: 'relay', msg: 'axis unreachable' });
});

t.test('the configured level filters; silent writes nothing', async (t) => {
  const out = sink();
  const log = createLogger({ level: 'warn', destination: out.stream });
  log.debug('d');
  log.info('i');
  log.warn('w');
  log.error('e');
  await settle();
  t.same(out.lines().map((l) => l['msg']), ['w', 'e']);
  const quiet = sink();
  const silent = createLogger({ level: 'silent', destination: quiet.stream });
  silent.fatal('f');
  silent.error('e');
  await settle();
  t.equal(quiet.text(), '');
});

t.test('secret-bearing fields are redacted at every depth the code logs them, in stdout and the ring', async (t) => {
  const out = sink();
  const ring = new LogRing(50);
  const log = createLogger({ level: 'info', destination: out.stream, ring });
  const SECRETS = ['S-pin-1', 'S-pin-2', 'S-secret-3', 'S-password-4', 'S-bearer-5', 'S-apikey-6', 'S-cookie-7', 'S-details-8', 'S-hmac-9', 'S-hmac-10', 'S-axis-11', 'S-new-12', 'S-setcookie-13', 'S-token-14'];
  log.info({ pin: SECRETS[0], hsm: { pin: SECRETS[1] }, a: { b: { secret: SECRETS[2] } }, x: { y: { z: { password: SECRETS[3] } } } }, 'nested');
  log.info({ req: { method: 'GET', url: '/api/v1/health', headers: { authorization: `Bearer ${SECRETS[4]}`, 'x-api-key': SECRETS[5], cookie: `sid=${SECRETS[6]}` } } }, 'request');
  log.error({ err: new AppError('HSM_UNAVAILABLE', 'token gone', { pin: SECRETS[7], slot: 3 }) }, 'error with details');
  log.warn({ op: 'sendEdoc', headers: { 'XroadVnpt-hash-header': SECRETS[8], 'xroadvnpt-hash-header': SECRETS[9], 'XroadVnpt-systemid': '000.46.24.H44' } }, 'axis call');
  log.info({ office: { axisSecret: SECRETS[10] }, newPassword: SECRETS[11], res: { headers: { 'set-cookie': SECRETS[12] } }, session: { token: SECRETS[13] } }, 'misc');
  await settle();
  const text = out.text();
  for (const s of SECRETS) t.notOk(text.includes(s), `${s} not on stdout`);
  for (const s of SECRETS) t.notOk(ring.last(50).join('\n').includes(s), `${s} not in the console's ring`);
  t.equal(ring.last(50).length, 5, 'the ring has the lines');
  const lines = out.lines();
  t.equal(lines.length, 5);
  t.match(lines[1], { req: { method: 'GET', url: '/api/v1/health', headers: { authorization: '[redacted]' } } }, 'what is not secret stays readable');
  t.match(lines[2], { err: { details: { pin: '[redacted]', slot: 3 } } });
  t.match(lines[3], { headers: { 'XroadVnpt-systemid': '000.46.24.H44', 'XroadVnpt-hash-header': '[redacted]' } });
});
