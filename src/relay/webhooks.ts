import { createHmac, randomUUID } from 'node:crypto';
import type { Logger } from '../log/logger.js';
import type { EventBus, EventName } from '../events.js';
import { readSecretFile } from '../config/secrets.js';
import type { Store } from '../store/store.js';
import { C } from '../documents/records.js';
import { WEBHOOK_BACKOFF, backoffDelay, type BackoffPolicy } from './backoff.js';

/**
 * Webhooks to the office's document-management software. For each configured hook, the events it
 * lists are queued durably (`webhookQueue`) as they happen and POSTed as JSON `{event, at, data}`
 * with `X-Edoc-Signature: sha256=<hex HMAC-SHA256 of the exact body, keyed with the secret file's
 * content>`, so the receiver can check origin and integrity. Delivery is at-least-once: a failure
 * (network, non-2xx) is retried with backoff, across restarts; the receiver may see a delivery
 * twice and can use the `X-Edoc-Delivery` id to drop duplicates. After `maxAttempts` the delivery
 * is dropped with an audit entry, so a hook that is gone for good does not grow the queue forever.
 */
export interface WebhookConfig {
  url: string;
  secretFile: string;
  events: string[];
}

export interface WebhookDelivery {
  id: string;
  hook: number;
  url: string;
  body: string;
  event: string;
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  createdAt: string;
}

export interface WebhookOptions {
  store: Store;
  bus: EventBus;
  logger: Logger;
  hooks: WebhookConfig[];
  backoff?: BackoffPolicy;
  maxAttempts?: number;
  timeoutMs?: number;
  now?: () => Date;
}

export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', Buffer.from(secret, 'utf8')).update(body, 'utf8').digest('hex')}`;
}

export class Webhooks {
  private secrets: string[] = [];
  private unsubscribe: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private busy: Promise<void> | null = null;

  constructor(private readonly opts: WebhookOptions) {}

  /** Reads the secrets (config errors surface at start) and subscribes. */
  async start(): Promise<void> {
    if (this.opts.hooks.length === 0) return;
    this.secrets = await Promise.all(this.opts.hooks.map((h) => readSecretFile(h.secretFile, 'webhook secret')));
    this.running = true;
    this.unsubscribe = this.opts.bus.subscribeAll((name, payload) => this.enqueue(name, payload));
    this.kick(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.busy?.catch(() => undefined);
  }

  private now(): Date {
    return this.opts.now?.() ?? new Date();
  }

  private enqueue(name: EventName, payload: unknown): void {
    const at = this.now().toISOString();
    const deliveries: WebhookDelivery[] = [];
    this.opts.hooks.forEach((h, i) => {
      if (!h.events.includes(name) && !h.events.includes('*')) return;
      deliveries.push({
        id: `wh-${randomUUID()}`,
        hook: i,
        url: h.url,
        body: JSON.stringify({ event: name, at, data: payload }),
        event: name,
        attempts: 0,
        nextAttemptAt: at,
        lastError: null,
        createdAt: at,
      });
    });
    if (deliveries.length === 0) return;
    void this.opts.store
      .transaction((tx) => {
        const q = tx.collection<WebhookDelivery>(C.webhookQueue);
        for (const d of deliveries) q.insert(d);
      })
      .then(() => this.kick(0))
      .catch((e: unknown) => this.opts.logger.warn({ err: e, event: name }, 'webhook: queueing a delivery failed'));
  }

  private kick(ms: number): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.busy) return;
      this.busy = this.drain()
        .catch((e: unknown) => this.opts.logger.warn({ err: e }, 'webhook delivery round failed'))
        .finally(() => {
          this.busy = null;
          this.kick(this.nextDelay());
        });
    }, ms);
    this.timer.unref?.();
  }

  private nextDelay(): number {
    const now = this.now().getTime();
    let next = now + 60_000;
    for (const v of this.opts.store.activeValues(C.webhookQueue)) next = Math.min(next, Date.parse((v as WebhookDelivery).nextAttemptAt));
    return Math.max(50, next - now);
  }

  /** Delivers everything due, oldest first, one at a time (the DMS is one small server). */
  private async drain(): Promise<void> {
    const now = this.now().getTime();
    const due: WebhookDelivery[] = [];
    for (const v of this.opts.store.activeValues(C.webhookQueue)) {
      const d = v as WebhookDelivery;
      if (Date.parse(d.nextAttemptAt) <= now) due.push(structuredClone(d));
    }
    due.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
    for (const d of due) {
      if (!this.running) return;
      await this.deliver(d);
    }
  }

  private async deliver(d: WebhookDelivery): Promise<void> {
    const secret = this.secrets[d.hook];
    let error: string | null = null;
    if (secret === undefined) error = 'hook no longer configured';
    else {
      try {
        const res = await fetch(d.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-edoc-signature': signBody(d.body, secret), 'x-edoc-delivery': d.id, 'x-edoc-event': d.event },
          body: d.body,
          signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
        });
        await res.arrayBuffer().catch(() => undefined);
        if (res.status < 200 || res.status >= 300) error = `HTTP ${res.status}`;
      } catch (e) {
        error = (e as Error).message ?? 'network error';
      }
    }
    const { store } = this.opts;
    if (error === null) {
      await store.transaction((tx) => void tx.collection<WebhookDelivery>(C.webhookQueue).delete(d.id));
      return;
    }
    const attempts = d.attempts + 1;
    if (attempts >= (this.opts.maxAttempts ?? 30) || secret === undefined) {
      this.opts.logger.warn({ url: d.url, event: d.event, error }, 'webhook delivery dropped after repeated failures');
      await store.transaction((tx) => {
        tx.collection<WebhookDelivery>(C.webhookQueue).delete(d.id);
        tx.audit({ event: 'webhook-dropped', actor: 'system:webhooks', subject: d.url, data: { delivery: d.id, event: d.event, attempts, error } });
      });
      return;
    }
    if (d.attempts === 0) this.opts.logger.warn({ url: d.url, event: d.event, error }, 'webhook delivery failed; will retry');
    const next = new Date(this.now().getTime() + backoffDelay(this.opts.backoff ?? WEBHOOK_BACKOFF, attempts)).toISOString();
    await store.transaction((tx) => {
      const q = tx.collection<WebhookDelivery>(C.webhookQueue);
      if (q.get(d.id)) q.update(d.id, (x) => void Object.assign(x, { attempts, nextAttemptAt: next, lastError: error }));
    });
  }
}
