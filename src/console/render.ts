import type { HsmSummary, InboxEntry, NetSummary, QueueEntry, SelftestCheck, StatusSnapshot, VersionInfo } from './port.js';
import { bytes, cell, clean, duration, field, fit, when, wrap, WIDTH } from './text.js';

/**
 * The console's screens as pure functions: data in, lines out (no line endings, each at most
 * 80 columns). Every value from outside goes through `clean`/`fit`, so nothing in a document or
 * a log line can break the layout or send terminal escapes.
 */

export interface CommandHelp {
  name: string;
  args: string;
  summary: string;
}

export const COMMANDS: readonly CommandHelp[] = [
  { name: 'help', args: '', summary: 'this list' },
  { name: 'status', args: '', summary: 'version, uptime, HSM, axis, display, queues, disk' },
  { name: 'queue', args: '[n]', summary: 'the n oldest outgoing documents not yet sent' },
  { name: 'inbox', args: '[n]', summary: 'the newest incoming documents and their states' },
  { name: 'hsm', args: '', summary: 'token, key and certificate (never the PIN)' },
  { name: 'net', args: '', summary: 'axis endpoint, last contact, last error, LAN addresses' },
  { name: 'log', args: '[n]', summary: 'the last n log lines kept in memory' },
  { name: 'selftest', args: '', summary: 'sign + verify, store, display, axis checks' },
  { name: 'retry', args: '', summary: 'wake the outbox worker now' },
  { name: 'version', args: '', summary: 'versions of the service, Node and display firmware' },
];

export function renderHelp(): string[] {
  return ['Commands:', ...COMMANDS.map((c) => fit(`  ${cell(`${c.name} ${c.args}`.trim(), 12)}${c.summary}`))];
}

export function renderStatus(s: StatusSnapshot): string[] {
  const hsm = s.hsm.detail ? `${s.hsm.state} (${s.hsm.detail})` : s.hsm.state;
  return [
    ...field('version', s.version),
    ...field('uptime', duration(s.uptimeSeconds)),
    ...field('hsm', hsm),
    ...field('axis', `${s.axis.state}, last contact ${when(s.axis.lastContactAt)}`),
    ...field('display', s.display),
    ...field('queues', `outgoing ${s.queues.outgoing}, incoming ${s.queues.incoming}, status ${s.queues.statusOut}`),
    ...field('overdue', String(s.overdue)),
    ...field('disk free', bytes(s.diskFreeBytes)),
  ];
}

export function renderQueue(items: QueueEntry[]): string[] {
  if (items.length === 0) return ['outgoing queue is empty'];
  const header = `${cell('id', 14)} ${cell('to', 16)} ${cell('tries', 5)} ${cell('next retry', 17)} subject`;
  const lines = [fit(header)];
  for (const q of items) {
    const row = `${cell(q.id, 14)} ${cell(q.to, 16)} ${cell(String(q.attempts), 5)} ${cell(when(q.nextRetryAt), 17)} `;
    lines.push(row + fit(q.subject, WIDTH - 56));
    if (q.lastError) lines.push(fit(`  last error: ${q.lastError}`));
  }
  return lines;
}

export function renderInbox(items: InboxEntry[]): string[] {
  if (items.length === 0) return ['no incoming documents'];
  const lines = [fit(`${cell('received', 17)} ${cell('from', 14)} ${cell('state', 10)} subject`)];
  for (const d of items) {
    const mark = d.urgent ? '!' : ' ';
    const row = `${cell(when(d.receivedAt), 17)} ${cell(d.from, 14)} ${cell(d.state, 10)}${mark}`;
    lines.push(row + fit(d.subject, WIDTH - 44));
  }
  return lines;
}

export function renderHsm(h: HsmSummary): string[] {
  const lines = [
    ...field('state', h.state),
    ...field('module', h.module),
    ...field('token', h.tokenLabel),
    ...field('key', h.keyLabel),
    ...field('mechanism', h.mechanism),
    ...field('logged in', h.loggedIn ? 'yes' : 'no'),
  ];
  if (h.certificate === null) return [...lines, ...field('certificate', 'none found')];
  const c = h.certificate;
  return [
    ...lines,
    ...field('subject', c.subject),
    ...field('issuer', c.issuer),
    ...field('serial', c.serial),
    ...field('valid from', when(c.notBefore)),
    ...field('valid until', when(c.notAfter)),
  ];
}

export function renderNet(n: NetSummary): string[] {
  return [
    ...field('axis', n.axisEndpoint),
    ...field('axis state', n.axisState),
    ...field('last contact', when(n.lastContactAt)),
    ...field('last error', n.lastError ?? 'none'),
    ...field('LAN', n.lanAddresses.length > 0 ? n.lanAddresses.join(', ') : 'no address'),
  ];
}

export function renderSelftest(checks: SelftestCheck[]): string[] {
  const label = (c: SelftestCheck): string => (!c.ok ? 'FAIL' : c.skipped ? 'skip' : 'ok  ');
  const lines = checks.flatMap((c) => field(`${label(c)} ${c.name}`, c.detail, 22));
  const failed = checks.filter((c) => !c.ok).length;
  const skipped = checks.filter((c) => c.ok && c.skipped).length;
  const note = skipped > 0 ? ` (${skipped} skipped)` : '';
  return [...lines, failed === 0 ? `all ${checks.length - skipped} checks passed${note}` : `${failed} of ${checks.length} checks failed${note}`];
}

export function renderVersion(v: VersionInfo): string[] {
  return [
    ...field('edoc-gateway', v.service),
    ...field('node', v.node),
    ...field('display fw', v.displayFirmware ?? 'not connected'),
  ];
}

/**
 * One log line per row. The ring holds pino JSON (already redacted); show time, level and
 * message, which is what fits in 80 columns. Non-JSON lines are shown as they are, cut.
 */
const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

export function renderLog(lines: string[]): string[] {
  if (lines.length === 0) return ['no log lines kept yet'];
  return lines.map((raw) => {
    try {
      const o = JSON.parse(raw) as { time?: unknown; level?: unknown; msg?: unknown; err?: { message?: unknown } };
      const time = typeof o.time === 'string' ? o.time.slice(11, 19) : typeof o.time === 'number' ? new Date(o.time).toISOString().slice(11, 19) : '--:--:--';
      const level = typeof o.level === 'number' ? (LEVELS[o.level] ?? String(o.level)) : String(o.level ?? '');
      const msg = typeof o.msg === 'string' ? o.msg : '';
      const err = typeof o.err?.message === 'string' ? `: ${o.err.message}` : '';
      return fit(`${time} ${cell(level, 5)} ${msg}${err}`);
    } catch {
      return fit(raw);
    }
  });
}

export function renderUnknown(word: string): string[] {
  return [fit(`unknown command: ${clean(word)} (try help)`)];
}

export function renderError(command: string, message: string): string[] {
  return wrap(`${command}: ${message}`);
}
