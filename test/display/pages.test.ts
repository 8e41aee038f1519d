/** Page rendering and LED rules: pure functions, checked on content and on shape. */
import t from 'tap';
import fc from 'fast-check';
import { ledModes, PAGES, renderPage, type PageContext } from '../../src/display/pages.js';
import { fitRow, stripDiacritics, toLcdAscii } from '../../src/display/ascii.js';
import type { DisplayStatusSnapshot } from '../../src/display/status.js';
import type { Alert } from '../../src/display/alerts.js';

const healthy: DisplayStatusSnapshot = {
  hsm: 'ready',
  axis: 'ok',
  axisLastContactAt: '2026-11-27T02:05:00Z',
  queue: { pending: 0, retrying: 0 },
  overdue: 0,
  incomingUnread: 0,
};

function ctx(over: Partial<PageContext> = {}): PageContext {
  return { status: healthy, alerts: [], incoming: [], now: new Date('2026-11-27T03:00:00Z'), timeZone: 'Asia/Ho_Chi_Minh', ...over };
}

const urgent: Alert = { seq: 1, urgent: true, title: 'URGENT P3 So Noi vu', detail: 'Ve viec', at: new Date() };

t.test('Vietnamese text folds to ASCII the LCD can show', async (t) => {
  t.equal(stripDiacritics('Đảng bộ Thành phố Hồ Chí Minh'), 'Dang bo Thanh pho Ho Chi Minh');
  t.equal(stripDiacritics('Hỏa tốc, Thượng khẩn, Tuyệt mật'), 'Hoa toc, Thuong khan, Tuyet mat');
  // decomposed (NFD) input, as some vendors send it
  t.equal(stripDiacritics('Nội vụ'.normalize('NFD')), 'Noi vu');
  t.equal(toLcdAscii('a\tb\n✓'), 'a b ?');
  t.equal(fitRow('Ủy ban nhân dân tỉnh Quảng Nam', 20), 'Uy ban nhan dan tinh');
});

t.test('every page is 4 rows of 20 printable ASCII, whatever the input', async (t) => {
  const text = fc.string({ unit: 'binary', maxLength: 120 });
  fc.assert(
    fc.property(text, text, fc.nat(100000), fc.integer({ min: 0, max: 4 }), (from, subject, count, priority) => {
      const c = ctx({
        status: { ...healthy, axisError: subject, lanAddress: from, queue: { pending: count, retrying: count, oldestPendingAt: 'garbage' } },
        alerts: [{ seq: 1, urgent: true, title: from, detail: subject, at: new Date() }],
        incoming: [{ from, subject, priority, at: new Date() }],
      });
      for (const p of PAGES) {
        const rows = renderPage(p, c);
        if (rows.length !== 4 || rows.some((r) => r.length !== 20 || /[^\x20-\x7e]/.test(r))) return false;
      }
      return true;
    }),
    { numRuns: 200 },
  );
});

t.test('status page and LEDs follow health', async (t) => {
  t.same(renderPage('status', ctx()), ['EDOC GATEWAY      OK', 'HSM ready    AXIS ok', 'Queue 0    Overdue 0', 'Unread 0    Alerts 0']);
  t.same(ledModes(healthy, []), { g: 1, a: 0, r: 0 });
  t.same(ledModes({ ...healthy, axis: 'unreachable' }, []), { g: 0, a: 1, r: 0 }, 'axis down: amber');
  t.same(ledModes({ ...healthy, queue: { pending: 2, retrying: 1 } }, []), { g: 0, a: 1, r: 0 }, 'retries: amber');
  t.same(ledModes({ ...healthy, hsm: 'pin-incorrect' }, []), { g: 0, a: 0, r: 1 }, 'HSM failure: red steady');
  t.same(ledModes(healthy, [urgent]), { g: 0, a: 0, r: 2 }, 'unacknowledged urgent alert: red blinks');
  t.equal(renderPage('status', ctx({ status: { ...healthy, store: 'full' } }))[0], 'EDOC GATEWAY   FAULT');
});

t.test('network page shows last contact in the office time zone', async (t) => {
  const rows = renderPage('network', ctx({ status: { ...healthy, axis: 'unreachable', axisError: 'ECONNREFUSED', lanAddress: '192.168.1.20' } }));
  t.same(rows, ['NET AXIS unreachable', 'Last 27/11 09:05    ', 'Err ECONNREFUSED    ', 'LAN 192.168.1.20    ']);
});

t.test('incoming and queue pages', async (t) => {
  const rows = renderPage(
    'incoming',
    ctx({
      status: { ...healthy, incomingUnread: 2 },
      incoming: [{ from: 'Bộ Tài chính', subject: 'Về việc hướng dẫn quyết toán ngân sách năm 2026', priority: 1, at: new Date() }],
    }),
  );
  t.same(rows, ['INCOMING    2 unread', 'From Bo Tai chinh P1', 'Ve viec huong dan   ', 'quyet toan ngan sach']);
  const q = renderPage('queue', ctx({ status: { ...healthy, queue: { pending: 4, retrying: 1, oldestPendingAt: '2026-11-27T02:35:00Z' } } }));
  t.same(q, ['OUTGOING QUEUE      ', 'Waiting  4          ', 'Retrying 1          ', 'Oldest 25 min       ']);
});
