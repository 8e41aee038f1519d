import { EventEmitter } from 'node:events';

/**
 * The typed event bus. Services publish state changes here; the display, the console, webhooks and
 * the web page (SSE) subscribe. Services never call a UI adapter directly, so a slow or absent
 * display cannot hold up signing or relaying.
 */
export interface EventMap {
  'document.signed': { id: string; documentId: string };
  'outgoing.queued': { id: string; documentId: string; priority: number };
  'outgoing.sent': { id: string; documentId: string };
  'outgoing.failed': { id: string; documentId: string; reason: string };
  'outgoing.status': { id: string; documentId: string; organId: string; statusCode: string; description?: string };
  'outgoing.overdue': { id: string; documentId: string; organId: string };
  'outgoing.offline-alert': { id: string; documentId: string; waitingHours: number };
  'incoming.arrived': { id: string; documentId: string; from: string; subject: string; priority: number };
  'incoming.refused': { id: string; documentId: string; reason: string };
  /** A package that could not be read (malformed, DTD, too large…): acknowledged `fail`, no record. */
  'incoming.unreadable': { axisDocId: string; from: string | null; code: string };
  'incoming.status': { id: string; documentId: string; statusCode: string };
  'incoming.recalled': { id: string; documentId: string };
  'hsm.state': { state: HsmState; reason?: string };
  'axis.state': { state: AxisState; lastContactAt: string | null; error?: string };
  'display.state': { state: DeviceState };
  'console.state': { state: DeviceState };
  'store.state': { state: 'ok' | 'full' | 'error'; freeBytes: number };
}

export type HsmState = 'ready' | 'down' | 'locked' | 'pin-incorrect' | 'starting';
export type AxisState = 'ok' | 'unreachable' | 'refused' | 'unknown';
export type DeviceState = 'connected' | 'disconnected' | 'absent';

export type EventName = keyof EventMap;

export class EventBus {
  private readonly emitter = new EventEmitter();
  constructor() {
    // Many subscribers (SSE clients) are normal; a leak shows up in metrics, not as a warning.
    this.emitter.setMaxListeners(0);
  }

  publish<K extends EventName>(name: K, payload: EventMap[K]): void {
    // A failing subscriber must not break the publisher (a broken SSE socket, say).
    for (const listener of this.emitter.listeners(name)) {
      try {
        (listener as (p: EventMap[K]) => void)(payload);
      } catch {
        /* subscribers own their errors */
      }
    }
    for (const listener of this.emitter.listeners('*')) {
      try {
        (listener as (n: EventName, p: unknown) => void)(name, payload);
      } catch {
        /* as above */
      }
    }
  }

  subscribe<K extends EventName>(name: K, fn: (payload: EventMap[K]) => void): () => void {
    this.emitter.on(name, fn);
    return () => this.emitter.off(name, fn);
  }

  /** Every event, for the SSE stream and webhooks. */
  subscribeAll(fn: (name: EventName, payload: unknown) => void): () => void {
    this.emitter.on('*', fn);
    return () => this.emitter.off('*', fn);
  }
}
