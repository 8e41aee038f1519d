import type { AxisState, DeviceState, HsmState } from '../events.js';

/** One screen of `status`. */
export interface StatusSnapshot {
  version: string;
  uptimeSeconds: number;
  hsm: { state: HsmState; detail?: string };
  axis: { state: AxisState; lastContactAt: string | null };
  display: DeviceState;
  queues: { outgoing: number; incoming: number; statusOut: number };
  overdue: number;
  /** Free bytes on the state volume; null when unknown. */
  diskFreeBytes: number | null;
}

/** An outgoing document not yet sent (`queue [n]`). */
export interface QueueEntry {
  id: string;
  /** Recipient organ id(s), already formatted. */
  to: string;
  subject: string;
  attempts: number;
  nextRetryAt: string | null;
  lastError?: string;
}

/** An incoming document (`inbox [n]`). */
export interface InboxEntry {
  id: string;
  from: string;
  subject: string;
  state: string;
  receivedAt: string;
  urgent?: boolean;
}

/** `hsm`: what identifies the token, key and certificate. Never carries the PIN. */
export interface HsmSummary {
  state: HsmState;
  module: string;
  tokenLabel: string;
  keyLabel: string;
  mechanism: string;
  loggedIn: boolean;
  certificate: { subject: string; issuer: string; serial: string; notBefore: string; notAfter: string } | null;
}

/** `net`: where the axis is and how talking to it went. */
export interface NetSummary {
  axisEndpoint: string;
  axisState: AxisState;
  lastContactAt: string | null;
  lastError: string | null;
  lanAddresses: string[];
}

export interface SelftestCheck {
  name: string;
  ok: boolean;
  /** Not run (the part is not configured): counts as ok, shown as "skip". */
  skipped?: boolean;
  detail: string;
}

export interface VersionInfo {
  service: string;
  node: string;
  /** null when no display answered HELLO. */
  displayFirmware: string | null;
}

type Maybe<T> = T | Promise<T>;

/**
 * What the technician console reads, provided by the composition root from the store, the HSM
 * adapter, the relay and the display service. The console only formats; the methods own their
 * data and must never return secrets (the console shows what it is given, field by field).
 * `retry` is the console's only state-touching command: it wakes the outbox worker.
 */
export interface ConsoleDataSource {
  status(): Maybe<StatusSnapshot>;
  /** The n oldest outgoing documents not yet sent. */
  queue(n: number): Maybe<QueueEntry[]>;
  /** The n newest incoming documents. */
  inbox(n: number): Maybe<InboxEntry[]>;
  hsm(): Maybe<HsmSummary>;
  net(): Maybe<NetSummary>;
  /** The same checks as the CLI's `selftest`. */
  selftest(): Promise<SelftestCheck[]>;
  retry(): void;
  versions(): Maybe<VersionInfo>;
}

/** The in-memory log tail (`src/log/ring.ts` satisfies it). */
export interface LogSource {
  last(n: number): string[];
}
