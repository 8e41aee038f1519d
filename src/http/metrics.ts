import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { EventBus } from '../events.js';
import type { QueueSnapshot } from '../documents/types.js';
import type { Store } from '../store/store.js';

/**
 * Prometheus text exposition (format 0.0.4) written by hand: a handful of counters, gauges and
 * one histogram do not justify prom-client and its default collectors on a Pi.
 */
export interface DocumentCount {
  direction: 'outgoing' | 'incoming';
  state: string;
  count: number;
}

const SIGN_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export class Metrics {
  private readonly signBuckets = new Array<number>(SIGN_BUCKETS.length).fill(0);
  private signCount = 0;
  private signSum = 0;
  private hsmErrors = 0;
  private axisErrors = 0;
  private readonly loop: IntervalHistogram;
  private readonly unsubscribe: (() => void)[] = [];
  /** Open Server-Sent Events streams (set by the events route). */
  sseClients: () => number = () => 0;

  constructor(bus?: EventBus) {
    this.loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    this.loop.enable();
    if (bus) {
      this.unsubscribe.push(
        bus.subscribe('hsm.state', (e) => {
          if (e.state === 'down' || e.state === 'pin-incorrect' || e.state === 'locked') this.hsmErrors++;
        }),
        bus.subscribe('axis.state', (e) => {
          if (e.state === 'unreachable' || e.state === 'refused') this.axisErrors++;
        }),
      );
    }
  }

  /** Seconds one signing operation took (POST /sign, POST /documents). */
  observeSign(seconds: number): void {
    this.signCount++;
    this.signSum += seconds;
    SIGN_BUCKETS.forEach((b, i) => {
      if (seconds <= b) this.signBuckets[i]!++;
    });
  }

  /** A request answered HSM_UNAVAILABLE counts as an HSM error too. */
  hsmError(): void {
    this.hsmErrors++;
  }

  render(counts: DocumentCount[], queue: QueueSnapshot | null): string {
    const out: string[] = [];
    const head = (name: string, type: string, help: string) => out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    head('edoc_documents', 'gauge', 'Active (not yet archived) documents by direction and state.');
    for (const c of counts) out.push(`edoc_documents{direction="${esc(c.direction)}",state="${esc(c.state)}"} ${c.count}`);
    head('edoc_sign_duration_seconds', 'histogram', 'Time to sign a file or a submitted document, HSM included.');
    SIGN_BUCKETS.forEach((b, i) => out.push(`edoc_sign_duration_seconds_bucket{le="${b}"} ${this.signBuckets[i]}`));
    out.push(`edoc_sign_duration_seconds_bucket{le="+Inf"} ${this.signCount}`);
    out.push(`edoc_sign_duration_seconds_sum ${this.signSum}`, `edoc_sign_duration_seconds_count ${this.signCount}`);
    if (queue) {
      head('edoc_queue_depth', 'gauge', 'Documents waiting: outgoing queued, failed, incoming unread, overdue receipts.');
      for (const [k, v] of Object.entries({ outgoing: queue.outgoing, failed: queue.failed, incoming_unread: queue.incomingUnread, overdue: queue.overdue })) {
        out.push(`edoc_queue_depth{queue="${k}"} ${v}`);
      }
    }
    head('edoc_hsm_errors_total', 'counter', 'HSM failures: the token went down or locked, or a signing request found it unavailable.');
    out.push(`edoc_hsm_errors_total ${this.hsmErrors}`);
    head('edoc_axis_errors_total', 'counter', 'Times the axis became unreachable or refused us.');
    out.push(`edoc_axis_errors_total ${this.axisErrors}`);
    head('edoc_sse_clients', 'gauge', 'Open Server-Sent Events streams.');
    out.push(`edoc_sse_clients ${this.sseClients()}`);
    head('edoc_event_loop_delay_seconds', 'gauge', 'Event-loop delay since the previous scrape (perf_hooks).');
    // The histogram holds the time between the sampling timer's ticks, i.e. the resolution plus
    // the delay: an idle loop reads ≈ 20 ms. The delay is what is left after the resolution
    // (as @fastify/under-pressure computes it too).
    const ns = (v: number) => (Number.isFinite(v) ? loopDelayMs(v) / 1e3 : 0);
    out.push(`edoc_event_loop_delay_seconds{quantile="0.5"} ${ns(this.loop.percentile(50))}`);
    out.push(`edoc_event_loop_delay_seconds{quantile="0.99"} ${ns(this.loop.percentile(99))}`);
    out.push(`edoc_event_loop_delay_seconds{quantile="1"} ${ns(this.loop.max)}`);
    this.loop.reset();
    return out.join('\n') + '\n';
  }

  close(): void {
    this.loop.disable();
    for (const u of this.unsubscribe.splice(0)) u();
  }
}

/** Sampling period of the event-loop delay histogram: 50 wake-ups a second, cheap on a Pi. */
const LOOP_RESOLUTION_MS = 20;

/** A `monitorEventLoopDelay` value (ns between ticks) as the loop's delay in ms. */
export function loopDelayMs(histogramNs: number, resolutionMs = LOOP_RESOLUTION_MS): number {
  return Math.max(0, histogramNs / 1e6 - resolutionMs);
}

function esc(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Counts of the store's active documents (in memory: no disk access). */
export function activeDocumentCounts(store: Store): DocumentCount[] {
  const counts = new Map<string, DocumentCount>();
  for (const direction of ['outgoing', 'incoming'] as const) {
    for (const v of store.activeValues(direction)) {
      const state = String((v as { state?: unknown }).state ?? 'unknown');
      const key = `${direction}\u0000${state}`;
      const c = counts.get(key) ?? counts.set(key, { direction, state, count: 0 }).get(key)!;
      c.count++;
    }
  }
  return [...counts.values()].sort((a, b) => (a.direction + a.state).localeCompare(b.direction + b.state));
}
