import type { ConsoleDataSource, InboxEntry, QueueEntry } from '../../src/console/port.js';

/**
 * A ConsoleDataSource over fixed in-memory data, shaped like what the store and adapters return.
 * The console's own behaviour (parsing, rendering, the serial line) is what the tests exercise.
 */
export interface FixtureSource extends ConsoleDataSource {
  retries: number;
}

const SUBJECT = 'Về việc triển khai hệ thống quản lý văn bản điện tử liên thông cấp xã, phường, thị trấn năm 2026';

export function fixtureSource(): FixtureSource {
  const queue: QueueEntry[] = Array.from({ length: 30 }, (_, i) => ({
    id: `out-${String(i + 1).padStart(4, '0')}`,
    to: '000.00.12.H44',
    subject: `${SUBJECT} (${i + 1})`,
    attempts: i,
    nextRetryAt: '2026-11-27T10:15:00.000Z',
    ...(i === 0 ? { lastError: 'axis unreachable: ECONNREFUSED 10.0.0.9:443' } : {}),
  }));
  const inbox: InboxEntry[] = Array.from({ length: 30 }, (_, i) => ({
    id: `in-${i + 1}`,
    from: 'UBND tỉnh Tuyên Quang',
    subject: SUBJECT,
    state: i % 2 === 0 ? 'received' : 'done',
    receivedAt: '2026-11-27T08:00:00.000Z',
    urgent: i === 0,
  }));
  const source: FixtureSource = {
    retries: 0,
    status: () => ({
      version: '0.1.0',
      uptimeSeconds: 93_784,
      hsm: { state: 'ready' },
      axis: { state: 'ok', lastContactAt: '2026-11-27T09:59:00.000Z' },
      display: 'connected',
      queues: { outgoing: 30, incoming: 2, statusOut: 1 },
      overdue: 3,
      diskFreeBytes: 12_345_678_901,
    }),
    queue: (n) => queue.slice(0, n),
    inbox: async (n) => inbox.slice(0, n),
    hsm: () => ({
      state: 'ready',
      module: '/usr/lib/softhsm/libsofthsm2.so',
      tokenLabel: 'office-seal',
      keyLabel: 'org-sign',
      mechanism: 'RSA-PKCS',
      loggedIn: true,
      certificate: {
        subject: 'CN=UBND xã Tiên Lương, O=UBND huyện Cẩm Khê, C=VN',
        issuer: 'CN=Dev CA',
        serial: '01a2b3',
        notBefore: '2026-01-01T00:00:00Z',
        notAfter: '2028-01-01T00:00:00Z',
      },
    }),
    net: () => ({
      axisEndpoint: 'https://lgsp.example/axis',
      axisState: 'ok',
      lastContactAt: '2026-11-27T09:59:00.000Z',
      lastError: null,
      lanAddresses: ['192.168.1.20/24', 'fe80::1/64'],
    }),
    selftest: async () => [
      { name: 'hsm sign+verify', ok: true, detail: 'RSA-PKCS 2048, 4 ms' },
      { name: 'store write/read', ok: true, detail: '2 ms' },
      { name: 'display ping', ok: false, detail: 'not connected' },
      { name: 'axis reachability', ok: true, detail: 'HTTP 200 in 35 ms' },
    ],
    retry: () => {
      source.retries += 1;
    },
    versions: () => ({ service: '0.1.0', node: process.version, displayFirmware: '1.0.0' }),
  };
  return source;
}
