import { fitRow, spread, toLcdAscii } from './ascii.js';
import type { Alert, IncomingSummary } from './alerts.js';
import { LCD_COLS, type LedMode, type LedName } from './protocol.js';
import { healthOf, isHsmFailure, type DisplayStatusSnapshot } from './status.js';

/**
 * Pages as 4 rows of 20 printable ASCII characters, rendered from the status snapshot and the
 * alert board. Pure functions: the device service diffs their output against what the LCD
 * already shows and sends only the rows that changed.
 */
export const PAGES = ['status', 'queue', 'incoming', 'alerts', 'network'] as const;
export type PageName = (typeof PAGES)[number];

export interface PageContext {
  status: DisplayStatusSnapshot;
  alerts: readonly Alert[];
  incoming: readonly IncomingSummary[];
  now: Date;
  /** Clock times are shown in the office's zone. */
  timeZone: string;
}

const W = LCD_COLS;
const HEALTH_LABEL = { healthy: 'OK', degraded: 'DEGRADED', failed: 'FAULT' } as const;

export function renderPage(page: PageName, ctx: PageContext): string[] {
  const rows = PAGE_RENDERERS[page](ctx);
  return [0, 1, 2, 3].map((i) => fitRow(rows[i] ?? '', W));
}

const PAGE_RENDERERS: Record<PageName, (ctx: PageContext) => (string | undefined)[]> = {
  status: ({ status: s, alerts }) => [
    titled(HEALTH_LABEL[healthOf(s)]),
    spread(`HSM ${s.hsm}`, `AXIS ${s.axis}`, W),
    spread(`Queue ${s.queue.pending}`, `Overdue ${s.overdue}`, W),
    spread(`Unread ${s.incomingUnread}`, `Alerts ${alerts.length}`, W),
  ],
  queue: ({ status: s, now }) => [
    'OUTGOING QUEUE',
    `Waiting  ${s.queue.pending}`,
    `Retrying ${s.queue.retrying}`,
    s.queue.oldestPendingAt ? `Oldest ${age(s.queue.oldestPendingAt, now)}` : 'Nothing waiting',
  ],
  incoming: ({ status: s, incoming }) => {
    const newest = incoming[0];
    const head = spread('INCOMING', `${s.incomingUnread} unread`, W);
    if (!newest) return [head, 'No documents yet'];
    const [a, b] = wrap(newest.subject, 2);
    return [head, spread(`From ${newest.from}`, `P${newest.priority}`, W), a, b];
  },
  alerts: ({ alerts }) => {
    const newest = alerts[0];
    if (!newest) return ['ALERTS', 'No alerts'];
    const [a] = wrap(newest.detail, 1);
    return [spread(`ALERT 1/${alerts.length}`, newest.urgent ? 'URGENT' : '', W), newest.title, a, 'Btn2: acknowledge'];
  },
  network: ({ status: s, timeZone }) => [
    spread('NETWORK', `AXIS ${s.axis}`, W),
    `Last ${s.axisLastContactAt ? clock(s.axisLastContactAt, timeZone) : 'never'}`,
    s.axisError ? `Err ${s.axisError}` : 'No error',
    s.lanAddress ? `LAN ${s.lanAddress}` : '',
  ],
};

/** Red blinks for an unacknowledged urgent alert and stays on while the HSM or disk has failed;
 * amber means degraded; green means all is well. */
export function ledModes(status: DisplayStatusSnapshot, alerts: readonly Alert[]): Record<LedName, LedMode> {
  const health = healthOf(status);
  const urgent = alerts.some((a) => a.urgent);
  const red: LedMode = urgent ? 2 : isHsmFailure(status.hsm) || health === 'failed' ? 1 : 0;
  return { g: health === 'healthy' && !urgent ? 1 : 0, a: health === 'degraded' ? 1 : 0, r: red };
}

/** The status title shortens rather than clip when the health label is long. */
function titled(label: string): string {
  const title = 'EDOC GATEWAY'.length + 1 + label.length <= W ? 'EDOC GATEWAY' : 'EDOC GW';
  return spread(title, label, W);
}

/** Word-wraps folded text into n rows of the display's width. */
function wrap(text: string, n: number): string[] {
  const words = toLcdAscii(text).split(/\s+/).filter(Boolean);
  const rows: string[] = [];
  let cur = '';
  for (const w of words) {
    if (cur && (cur + ' ' + w).length > W) {
      rows.push(cur);
      cur = '';
    }
    cur = cur ? `${cur} ${w}` : w.slice(0, W);
  }
  if (cur) rows.push(cur);
  return Array.from({ length: n }, (_, i) => rows[i] ?? '');
}

function age(iso: string, now: Date): string {
  const min = Math.max(0, Math.floor((now.getTime() - Date.parse(iso)) / 60000));
  if (Number.isNaN(min)) return '?';
  return min < 120 ? `${min} min` : `${Math.floor(min / 60)} h`;
}

function clock(iso: string, timeZone: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '?';
  return new Intl.DateTimeFormat('en-GB', { timeZone, month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
    .format(d)
    .replace(',', '');
}
