import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * The output side of `npm run bench` (spec/benchmarks.md): one object per figure in
 * `bench/results.json` with the machine's CPU model and Node version, and a table for people with
 * each figure's target and the ratios measured in the same run (timings on these machines are
 * noisy: ratios are what the README quotes).
 */
export interface BenchFigure {
  name: string;
  value: number;
  unit: string;
  n: number;
}

export interface MachineInfo {
  cpuModel: string;
  cpus: number;
  node: string;
  platform: string;
  arch: string;
  /** 1-minute load average when the run ended: other work on the box skews every figure. */
  loadAverage: number;
}

export interface BenchResults {
  startedAt: string;
  finishedAt: string;
  machine: MachineInfo;
  figures: (BenchFigure & { cpuModel: string; node: string })[];
  /** Figures that could not be measured, with the reason (the run carries on without them). */
  failures: { part: string; error: string }[];
}

/** The targets of spec/benchmarks.md, as text for the table and as a check where one applies. */
export const TARGETS: Record<string, { text: string; ok?: (v: number, all: Map<string, number>) => boolean }> = {
  'hsm.raw_sign_per_s': { text: '(the limit)' },
  'api.sign_per_s': { text: '≥ 0.8 × raw', ok: (v, all) => v >= 0.8 * (all.get('hsm.raw_sign_per_s') ?? Infinity) },
  'api.sign_p99_ms': { text: 'report' },
  'api.submit_to_sent_p99_ms': { text: 'report' },
  'relay.drain_1000_s': { text: '≤ 30 s', ok: (v) => v <= 30 },
  'store.write_p99_ms@1k': { text: 'ratio ≤ 1.5' },
  'store.write_p99_ms@100k': { text: 'ratio ≤ 1.5' },
  'store.write_p99_ratio': { text: '≤ 1.5', ok: (v) => v <= 1.5 },
  'loop.delay_p99_ms': { text: '≤ 20 ms', ok: (v) => v <= 20 },
  'mem.rss_idle_mb': { text: '≤ 80 MB', ok: (v) => v <= 80 },
  'mem.rss_peak_mb': { text: '≤ 150 MB', ok: (v) => v <= 150 },
  'start.ready_ms': { text: '≤ 1500 ms', ok: (v) => v <= 1500 },
  'pdf.large_sign_s': { text: 'report' },
  'pdf.large_sign_rss_peak_mb': { text: 'report' },
  // What signing adds to the high-water mark must stay below one copy of the file.
  'pdf.large_sign_rss_growth_mb': { text: '< 1 × file size', ok: (v, all) => v < (all.get('pdf.large_file_mb') ?? Infinity) },
  'api.sign_to_raw_ratio': { text: '≥ 0.8', ok: (v) => v >= 0.8 },
  'sign.pdf_to_raw_ratio': { text: 'report' },
};

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() || 'unknown',
    cpus: cpus.length,
    node: process.version,
    platform: os.platform(),
    arch: os.arch(),
    loadAverage: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
  };
}

/** Adds the same-run ratios the spec compares (api/raw, @100k/@1k when the store bench lacks it). */
export function withRatios(figures: BenchFigure[]): BenchFigure[] {
  const out = [...figures];
  const get = (name: string): BenchFigure | undefined => out.find((f) => f.name === name);
  const raw = get('hsm.raw_sign_per_s');
  const api = get('api.sign_per_s');
  if (raw && api && raw.value > 0 && !get('api.sign_to_raw_ratio')) {
    out.push({ name: 'api.sign_to_raw_ratio', value: round2(api.value / raw.value), unit: 'ratio', n: api.n });
  }
  const svc = get('sign.pdf_per_s');
  if (raw && svc && raw.value > 0 && !get('sign.pdf_to_raw_ratio')) {
    out.push({ name: 'sign.pdf_to_raw_ratio', value: round2(svc.value / raw.value), unit: 'ratio', n: svc.n });
  }
  const s1 = get('store.write_p99_ms@1k');
  const s100 = get('store.write_p99_ms@100k');
  if (s1 && s100 && s1.value > 0 && !get('store.write_p99_ratio')) {
    out.push({ name: 'store.write_p99_ratio', value: round2(s100.value / s1.value), unit: 'ratio', n: s100.n });
  }
  return out;
}

/** A plain-text table: figure, value, unit, n, target, and whether the target is met. */
export function formatTable(figures: BenchFigure[], machine: MachineInfo): string {
  const all = new Map(figures.map((f) => [f.name, f.value]));
  const rows: string[][] = [['figure', 'value', 'unit', 'n', 'target', 'met']];
  for (const f of figures) {
    const target = TARGETS[f.name];
    const met = target?.ok ? (target.ok(f.value, all) ? 'yes' : 'NO') : '';
    rows.push([f.name, String(f.value), f.unit, String(f.n), target?.text ?? '', met]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => [...r[i]!].length)));
  const line = (r: string[]): string => r.map((c, i) => (i === 1 || i === 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const sep = widths.map((w) => '-'.repeat(w)).join('  ');
  return [
    `edoc-gateway bench — ${machine.cpuModel} ×${machine.cpus}, Node ${machine.node}, ${machine.platform}/${machine.arch}, load ${machine.loadAverage}`,
    line(rows[0]!),
    sep,
    ...rows.slice(1).map(line),
  ].join('\n');
}

export async function writeResults(file: string, results: BenchResults): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(results, null, 2) + '\n');
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
