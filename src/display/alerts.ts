import type { EventBus } from '../events.js';
import { isHsmFailure, URGENT_PRIORITY } from './status.js';

/** One thing a person at the box should notice; urgent ones blink the red LED and beep. */
export interface Alert {
  seq: number;
  urgent: boolean;
  title: string;
  detail: string;
  at: Date;
}

export interface IncomingSummary {
  from: string;
  subject: string;
  priority: number;
  at: Date;
}

const MAX_ALERTS = 20;
const MAX_INCOMING = 5;

/**
 * Turns bus events into what the display remembers between renders: unacknowledged alerts
 * (newest first) and the last few incoming documents. Current states (HSM, axis, queue) are not
 * kept here: the status snapshot is asked for them at render time.
 */
export class AlertBoard {
  private alerts: Alert[] = [];
  private incoming: IncomingSummary[] = [];
  private seq = 0;
  private hsmFailed = false;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    bus: EventBus,
    private readonly onChange: (newUrgent: boolean) => void,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.unsubscribe.push(
      bus.subscribe('incoming.arrived', (e) => {
        const at = this.now();
        this.incoming = [{ from: e.from, subject: e.subject, priority: e.priority, at }, ...this.incoming].slice(0, MAX_INCOMING);
        if (e.priority >= URGENT_PRIORITY) this.add(true, `URGENT P${e.priority} ${e.from}`, e.subject);
        else this.onChange(false);
      }),
      bus.subscribe('hsm.state', (e) => {
        const failed = isHsmFailure(e.state);
        // Alert on the transition only: a token that stays down is shown by the LED, not re-beeped.
        if (failed && !this.hsmFailed) this.add(true, `HSM ${e.state}`, e.reason ?? 'signing unavailable');
        else this.onChange(false);
        this.hsmFailed = failed;
      }),
      bus.subscribe('outgoing.failed', (e) => this.add(false, 'SEND FAILED', `${e.documentId} ${e.reason}`)),
      bus.subscribe('outgoing.overdue', (e) => this.add(false, 'STATUS OVERDUE', `${e.documentId} ${e.organId}`)),
      bus.subscribe('outgoing.offline-alert', (e) => this.add(false, `OFFLINE ${e.waitingHours} h`, e.documentId)),
      bus.subscribe('incoming.refused', (e) => this.add(false, 'INCOMING REFUSED', `${e.documentId} ${e.reason}`)),
      // A package nobody could read never becomes a document: this alert is the office's only sign of it.
      bus.subscribe('incoming.unreadable', (e) => this.add(false, 'INCOMING UNREADABLE', `${e.from ?? 'unknown sender'} ${e.code}`)),
      bus.subscribe('incoming.recalled', (e) => this.add(false, 'RECALLED', e.documentId)),
      bus.subscribe('store.state', (e) => {
        if (e.state !== 'ok') this.add(true, `STORAGE ${e.state.toUpperCase()}`, `${Math.floor(e.freeBytes / 1e6)} MB free`);
        else this.onChange(false);
      }),
      // Anything else that changes what a page shows just needs a re-render.
      bus.subscribe('axis.state', () => this.onChange(false)),
      bus.subscribe('outgoing.queued', () => this.onChange(false)),
      bus.subscribe('outgoing.sent', () => this.onChange(false)),
      bus.subscribe('outgoing.status', () => this.onChange(false)),
      bus.subscribe('incoming.status', () => this.onChange(false)),
    );
  }

  /** Unacknowledged alerts, newest first. */
  list(): readonly Alert[] {
    return this.alerts;
  }

  recentIncoming(): readonly IncomingSummary[] {
    return this.incoming;
  }

  hasUrgent(): boolean {
    return this.alerts.some((a) => a.urgent);
  }

  /** Acknowledges the newest alert; false when there was none. */
  acknowledgeNewest(): boolean {
    if (this.alerts.length === 0) return false;
    this.alerts = this.alerts.slice(1);
    this.onChange(false);
    return true;
  }

  acknowledgeAll(): void {
    this.alerts = [];
    this.onChange(false);
  }

  dispose(): void {
    for (const u of this.unsubscribe.splice(0)) u();
  }

  private add(urgent: boolean, title: string, detail: string): void {
    this.alerts = [{ seq: ++this.seq, urgent, title, detail, at: this.now() }, ...this.alerts].slice(0, MAX_ALERTS);
    this.onChange(urgent);
  }
}
