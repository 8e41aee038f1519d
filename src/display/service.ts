import fs from 'node:fs/promises';
import type { DeviceState, EventBus } from '../events.js';
import type { Logger } from '../log/logger.js';
import { AlertBoard } from './alerts.js';
import type { PortFactory } from './framing.js';
import { ledModes, PAGES, renderPage, type PageName } from './pages.js';
import type { Unsolicited } from './protocol.js';
import { DisplaySession, MAX_UNANSWERED, type Frame } from './session.js';
import type { DisplayStatusSnapshot } from './status.js';

export interface DisplayOptions {
  /** Serial device, ideally the stable udev symlink /dev/edoc-display. */
  path: string;
  baudRate: number;
  bus: EventBus;
  logger: Logger;
  /** Current service status; asked on every render. */
  status: () => DisplayStatusSnapshot;
  /** Defaults to a real serial port; tests may pass SerialPortMock. */
  portFactory?: PortFactory;
  /** Liveness PING interval while idle (ms). */
  heartbeatMs?: number;
  /** Re-render interval, for snapshot changes that came without an event (ms). */
  refreshMs?: number;
  backoff?: { initialMs: number; factor: number; maxMs: number };
  timeZone?: string;
  urgentBeepMs?: number;
}

/** Health view of the display for `status`, the console and /health. */
export interface DisplayHealth {
  state: DeviceState;
  firmware: string | null;
  /** When disconnected: ms until the next attempt ("retry in N s"). */
  retryInMs: number | null;
  lastError: string | null;
  page: PageName;
}

/** The running display driver: read-only state, and close() for shutdown. */
export interface DisplayService {
  state(): DeviceState;
  health(): DisplayHealth;
  page(): PageName;
  close(): Promise<void>;
}

const DEFAULT_BACKOFF = { initialMs: 1000, factor: 1.5, maxMs: 60_000 };

/**
 * Owns the display: connects, renders pages from the event bus, handles the buttons, and
 * reconnects with backoff forever. It never throws into the caller and never stops the
 * service: a missing or broken display only changes `display.state`.
 */
export function startDisplay(opts: DisplayOptions): DisplayService {
  const driver = new DisplayDriver(opts);
  driver.start();
  return driver;
}

class DisplayDriver implements DisplayService {
  private current: DeviceState = 'disconnected';
  private session: DisplaySession | null = null;
  private pageIndex = 0;
  private closed = false;
  private firmware: string | null = null;
  private lastError: string | null = null;
  private retryAt: number | null = null;
  private wake: (() => void) | null = null;
  private timers: NodeJS.Timeout[] = [];
  private rendering = false;
  private dirty = false;
  private pendingBeep = false;
  private pinging = false;
  private readonly alerts: AlertBoard;
  private readonly backoff: { initialMs: number; factor: number; maxMs: number };
  private loopDone: Promise<void> = Promise.resolve();

  constructor(private readonly opts: DisplayOptions) {
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.alerts = new AlertBoard(opts.bus, (newUrgent) => {
      if (newUrgent) {
        // A new urgent alert takes the screen and calls for attention.
        this.pageIndex = PAGES.indexOf('alerts');
        this.pendingBeep = true;
      }
      this.requestRender();
    });
  }

  start(): void {
    this.loopDone = this.connectLoop();
    this.timers.push(
      setInterval(() => void this.heartbeat(), this.opts.heartbeatMs ?? 2000),
      setInterval(() => this.requestRender(), this.opts.refreshMs ?? 5000),
    );
  }

  state(): DeviceState {
    return this.current;
  }

  page(): PageName {
    return PAGES[this.pageIndex] ?? 'status';
  }

  health(): DisplayHealth {
    return {
      state: this.current,
      firmware: this.firmware,
      retryInMs: this.retryAt === null ? null : Math.max(0, this.retryAt - Date.now()),
      lastError: this.lastError,
      page: this.page(),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    this.alerts.dispose();
    this.wake?.();
    await this.session?.close();
    await this.loopDone;
  }

  private setState(s: DeviceState): void {
    if (s === this.current) return;
    this.current = s;
    this.opts.bus.publish('display.state', { state: s });
  }

  /** Connect, serve until the link ends, back off, repeat — until close(). */
  private async connectLoop(): Promise<void> {
    const log = this.opts.logger;
    let delay = this.backoff.initialMs;
    let failuresInRun = 0;
    while (!this.closed) {
      try {
        const session = await DisplaySession.open(this.opts.path, this.opts.baudRate, this.opts.portFactory, (u) =>
          this.onUnsolicited(u),
        );
        if (this.closed) {
          await session.close();
          break;
        }
        this.session = session;
        this.firmware = session.firmware;
        this.lastError = null;
        this.retryAt = null;
        delay = this.backoff.initialMs;
        log.info({ path: this.opts.path, firmware: session.firmware, attempts: failuresInRun + 1 }, 'display connected');
        failuresInRun = 0;
        this.setState('connected');
        this.requestRender();
        const why = await session.ended;
        this.session = null;
        if (this.closed) break;
        this.lastError = why.message;
        log.warn({ path: this.opts.path, err: why.message }, 'display lost; reconnecting');
        failuresInRun = 1;
      } catch (err) {
        this.lastError = (err as Error).message;
        // Log the first failure of a run only: a display left unplugged must not fill the journal.
        if (failuresInRun === 0) log.warn({ path: this.opts.path, err: this.lastError }, 'display unavailable; will retry');
        else log.debug({ path: this.opts.path, err: this.lastError, retryMs: delay }, 'display retry failed');
        failuresInRun++;
      }
      if (this.closed) break;
      // "absent": never seen since start and no device node (not plugged in, or no display
      // fitted). Once we have talked to it, losing it is "disconnected" even if udev removed
      // the node, because someone should go and look.
      this.setState(this.firmware !== null || (await pathExists(this.opts.path)) ? 'disconnected' : 'absent');
      await this.sleep(delay);
      delay = Math.min(this.backoff.maxMs, Math.round(delay * this.backoff.factor));
    }
    this.retryAt = null;
  }

  private sleep(ms: number): Promise<void> {
    this.retryAt = Date.now() + ms;
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    });
  }

  private onUnsolicited(u: Unsolicited): void {
    if (u.kind === 'boot') {
      // The device reset and shows nothing of ours any more.
      this.session?.invalidate();
      this.requestRender();
      return;
    }
    if (u.button === 1) {
      this.pageIndex = u.press === 'long' ? 0 : (this.pageIndex + 1) % PAGES.length;
    } else if (u.press === 'long') {
      this.alerts.acknowledgeAll();
    } else {
      this.alerts.acknowledgeNewest();
    }
    this.requestRender();
  }

  private frame(): Frame {
    const status = this.opts.status();
    const alerts = this.alerts.list();
    const ctx = {
      status,
      alerts,
      incoming: this.alerts.recentIncoming(),
      now: new Date(),
      timeZone: this.opts.timeZone ?? 'Asia/Ho_Chi_Minh',
    };
    return { rows: renderPage(this.page(), ctx), leds: ledModes(status, alerts) };
  }

  /** Coalesces render requests: at most one render runs, and one more follows if asked meanwhile. */
  private requestRender(): void {
    this.dirty = true;
    if (this.rendering) return;
    this.rendering = true;
    void (async () => {
      try {
        while (this.dirty && !this.closed) {
          this.dirty = false;
          const s = this.session;
          if (!s?.isOpen) break;
          let frame: Frame;
          try {
            frame = this.frame();
          } catch (err) {
            this.opts.logger.error({ err }, 'display status snapshot failed');
            break;
          }
          await s.render(frame);
          if (this.pendingBeep && s.isOpen) {
            this.pendingBeep = false;
            await s.beep(this.opts.urgentBeepMs ?? 300);
          }
        }
      } finally {
        this.rendering = false;
      }
    })();
  }

  /** PING when idle; after a miss, ping again at once so a silent device is noticed in
   * about one interval plus three answer timeouts, not three intervals. */
  private async heartbeat(): Promise<void> {
    const s = this.session;
    if (!s?.isOpen || this.rendering || this.pinging) return;
    this.pinging = true;
    try {
      for (let i = 0; i < MAX_UNANSWERED && s.isOpen && !this.closed; i++) {
        if (await s.ping()) break;
      }
    } finally {
      this.pinging = false;
    }
  }
}

async function pathExists(p: string): Promise<boolean> {
  try {
    await fs.stat(p); // follows the symlink: a dangling /dev/edoc-display counts as absent
    return true;
  } catch {
    return false;
  }
}
