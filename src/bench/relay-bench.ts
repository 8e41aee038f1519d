import { randomBytes, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pino } from 'pino';
import { startAxisSim } from '../axis-sim/index.js';
import { DEFAULTS } from '../config/defaults.js';
import type { Config } from '../config/schema.js';
import { createCore } from '../core.js';
import { C, orderKey, type OutboxEntry, type OutgoingRecord } from '../documents/records.js';
import { newRecipientStatus } from '../domain/index.js';
import { buildEdocFile } from '../edxml/index.js';
import { EventBus } from '../events.js';
import { initDevToken } from '../hsm/dev-token.js';
import { openToken } from '../hsm/graphene-token.js';
import { relayAxisFrom, AxisStatus } from '../relay/outbox-axis.js';
import { Outbox } from '../relay/outbox.js';
import { VpcpAxis } from '../relay/vpcp/index.js';
import { Store } from '../store/store.js';

/**
 * Relay benchmarks (spec/benchmarks.md):
 * - `relay.drain_1000_s`: 1,000 documents queued while the axis simulator is down (enqueued
 *   straight through the store with small prebuilt packages: setup is not what is measured); the
 *   simulator comes back; seconds until every document is `sent`. It includes the time the outbox
 *   takes to notice (its probe runs on the default backoff, 5 s at first), which a user sees too;
 *   `relay.drain_1000_after_probe_s` is the drain alone, from the first successful send.
 * - `relay.submit_to_sent_p99_ms`: submit through the core (SoftHSM signing included) until the
 *   outbox has the axis' DocId, sequentially, p99 (and p50).
 */
export interface BenchFigure {
  name: string;
  value: number;
  unit: string;
  n: number;
}

const A = { id: '000.00.24.H44', name: 'UBND xã Tiên Lương', abbreviation: 'UBND' };
const B = { id: '000.00.00.H54', name: 'UBND tỉnh Thái Bình' };
/** A valid one-page PDF 1.4 with a classic xref table, built in code (offsets computed). */
function tinyPdf(): Buffer {
  const objs = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << >> >>',
    '<< /Length 0 >>\nstream\n\nendstream',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objs.forEach((o, i) => {
    offsets.push(Buffer.byteLength(out));
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out);
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) out += `${String(off).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}
const TINY_PDF = tinyPdf();

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function enqueue(store: Store, work: string, n: number): Promise<void> {
  const pdf = path.join(work, 'tiny.pdf');
  await writeFile(pdf, TINY_PDF);
  const batch: { record: OutgoingRecord; entry: OutboxEntry }[] = [];
  for (let i = 0; i < n; i++) {
    const packageId = randomUUID();
    const number = String(i + 1).padStart(4, '0');
    const documentId = `${A.id},2026/11/26,${number}/UBND-VP`;
    const file = path.join(work, `${i}.edxml`);
    await buildEdocFile(
      {
        packageId,
        header: {
          from: { organId: A.id, organName: A.name },
          to: [{ organId: B.id }],
          documentId,
          code: { codeNumber: number, codeNotation: 'UBND-VP' },
          promulgation: { place: 'Tiên Lương', date: '2026-11-26' },
          documentType: { type: 20, typeName: 'Công văn' },
          subject: `Văn bản thử tải số ${number}`,
          signer: { fullName: 'Nguyễn Văn A' },
          otherInfo: { priority: i % 10 === 0 ? 3 : 0 },
        },
        attachments: [{ name: 'vb.pdf', contentType: 'application/pdf', source: { path: pdf } }],
      },
      file,
    );
    const ref = await store.blobs.put(createReadStream(file));
    await rm(file);
    const at = new Date().toISOString();
    const stored = { name: 'vb.pdf', contentType: 'application/pdf', size: TINY_PDF.length, sha256: ref.sha256 };
    const id = `out-${randomUUID()}`;
    batch.push({
      record: {
        id, direction: 'outgoing', documentId, state: 'queued',
        metadata: { type: 'CV', number, notation: 'UBND-VP', promulgationDate: '2026-11-26', subject: `Văn bản thử tải số ${number}`, recipients: [B.id], priority: 0, secrecy: 'none', signer: { fullName: 'Nguyễn Văn A' } },
        typeName: 'Công văn', from: { organId: A.id, name: A.name }, recipients: [{ ...newRecipientStatus(B.id), statusAt: null }],
        file: stored, original: stored, attachments: [], edxml: { ...stored, name: 'p.edxml', size: ref.size, packageId }, signatures: [],
        relay: { attempts: 0, nextAttemptAt: at, lastError: null, queuedAt: at, sentAt: null }, history: [{ at, event: 'queued' }], createdAt: at, updatedAt: at,
      },
      entry: {
        id: `ob-${packageId}`, messageType: 'edoc', recordId: id, recordCollection: 'outgoing', documentId, priority: i % 10 === 0 ? 3 : 0, packageId,
        blob: ref.sha256, size: ref.size, from: A.id, to: [B.id], attempts: 0, nextAttemptAt: at, lastError: null, createdAt: at, order: orderKey(),
      },
    });
  }
  // One commit for the whole setup: it is not what is measured.
  await store.transaction((tx) => {
    for (const { record, entry } of batch) {
      tx.collection<OutgoingRecord>(C.outgoing).insert(record);
      tx.collection<OutboxEntry>(C.outbox).insert(entry);
    }
  });
}

export async function benchRelayDrain(dir: string, opts: { documents?: number; submits?: number; concurrency?: number } = {}): Promise<BenchFigure[]> {
  const n = opts.documents ?? 1000;
  const logger = pino({ level: 'silent' });
  const work = path.join(dir, 'work');
  await mkdir(work, { recursive: true });
  const secrets = { a: randomBytes(24).toString('base64'), b: randomBytes(24).toString('base64') };
  const sim = await startAxisSim({
    listen: { host: '127.0.0.1', port: 0 },
    stateDir: path.join(dir, 'sim'),
    agencies: [
      { id: A.id, name: A.name, secret: secrets.a },
      { id: B.id, name: B.name, secret: secrets.b },
    ],
  });
  const figures: BenchFigure[] = [];
  try {
    // Drain: the outbox alone over the store, the adapter and the simulator.
    const store = await Store.open({ stateDir: path.join(dir, 'drain-state'), logger });
    const port = new VpcpAxis({ endpoint: sim.url, systemId: A.id, secret: secrets.a });
    const bus = new EventBus();
    let firstSent = 0;
    bus.subscribe('outgoing.sent', () => {
      firstSent ||= Date.now();
    });
    try {
      await enqueue(store, work, n);
      sim.faults.set({ down: true });
      const axisStatus = new AxisStatus(bus);
      const outbox = new Outbox({ store, axis: relayAxisFrom(port), bus, logger, axisStatus, maxOfflineHours: 72, ...(opts.concurrency ? { concurrency: opts.concurrency } : {}) });
      outbox.start();
      while (axisStatus.state !== 'unreachable') await new Promise((r) => setTimeout(r, 20));
      sim.faults.set({ down: false });
      const up = Date.now();
      while (store.activeCount(C.outbox) > 0) await new Promise((r) => setTimeout(r, 20));
      const done = Date.now();
      await outbox.stop();
      figures.push({ name: 'relay.drain_1000_s', value: (done - up) / 1000, unit: 's', n });
      figures.push({ name: 'relay.drain_1000_after_probe_s', value: (done - firstSent) / 1000, unit: 's', n });
      figures.push({ name: 'relay.drain_received', value: sim.stats().received, unit: 'packages', n });
    } finally {
      await port.close();
      await store.close();
    }

    // Submit → sent through a whole core with a fresh SoftHSM token.
    const submits = opts.submits ?? 50;
    if (submits > 0) figures.push(...(await benchSubmitToSent(dir, sim.url, secrets.a, submits)));
  } finally {
    await sim.close();
  }
  return figures;
}

async function benchSubmitToSent(dir: string, url: string, secret: string, n: number): Promise<BenchFigure[]> {
  const logger = pino({ level: 'silent' });
  const tokDir = path.join(dir, 'token');
  await mkdir(tokDir, { recursive: true });
  const dev = await initDevToken({ dir: tokDir, label: `bench-${process.pid}` });
  const secretFile = path.join(dir, 'axis-secret');
  await writeFile(secretFile, secret, { mode: 0o600 });
  const config: Config = {
    ...structuredClone(DEFAULTS),
    organ: A,
    stateDir: path.join(dir, 'core-state'),
    hsm: { module: dev.module, tokenLabel: dev.tokenLabel, keyLabel: dev.keyLabel, pinFile: dev.pinFile, mechanism: dev.mechanism, sessions: 2 },
    signing: { ...DEFAULTS.signing, requirePriorSignature: false, signEnvelope: false },
    trust: { anchors: dev.trustDir },
    axis: { endpoint: url, systemId: A.id, secretFile, pollSeconds: 3600 },
    log: { level: 'silent' },
  };
  const bus = new EventBus();
  const token = await openToken(config.hsm, { logger });
  const core = await createCore({ config, logger, bus, token });
  const times: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const upload = path.join(dir, 'work', `up-${i}.pdf`);
      await writeFile(upload, TINY_PDF);
      const t0 = process.hrtime.bigint();
      const sent = new Promise<void>((resolve) => {
        const off = bus.subscribe('outgoing.sent', (p) => {
          if (p.documentId.includes(`,${String(i + 1).padStart(2, '0')}/BENCH`)) {
            off();
            resolve();
          }
        });
      });
      await core.documents.submit({
        metadata: { type: 'CV', number: String(i + 1), notation: 'BENCH', promulgationDate: '2026-11-27', subject: 'Đo thời gian gửi', recipients: [B.id], secrecy: 'none', signer: { fullName: 'Nguyễn Văn A' } },
        file: { path: upload, filename: 'vb.pdf', contentType: 'application/pdf', size: TINY_PDF.length },
        attachments: [],
        actor: { kind: 'system', name: 'bench', role: 'clerk' },
      });
      await sent;
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  } finally {
    await core.stop();
    await token.close();
  }
  times.sort((x, y) => x - y);
  return [
    { name: 'relay.submit_to_sent_p99_ms', value: Math.round(percentile(times, 99) * 10) / 10, unit: 'ms', n },
    { name: 'relay.submit_to_sent_p50_ms', value: Math.round(percentile(times, 50) * 10) / 10, unit: 'ms', n },
  ];
}
