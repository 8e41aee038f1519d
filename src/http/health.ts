/** The health document of `GET /api/v1/health` (spec/http-api.md). */
export interface Health {
  status: 'ok' | 'degraded' | 'down';
  version: string;
  hsm: { state: string };
  axis: { state: string; lastContactAt: string | null };
  display: { state: string };
  store: { state: string; freeBytes: number };
  queue: { outgoing: number; failed: number; incomingUnread: number };
}

export type HealthSource = () => Promise<Health>;
