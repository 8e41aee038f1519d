import t from 'tap';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { formatTable, machineInfo, percentile, withRatios, writeResults, type BenchFigure } from '../../src/bench/report.js';

/** The bench output: same-run ratios, targets met or not, and the results file's shape. */
const figures: BenchFigure[] = [
  { name: 'hsm.raw_sign_per_s', value: 100, unit: 'sign/s', n: 1000 },
  { name: 'api.sign_per_s', value: 85, unit: 'sign/s', n: 850 },
  { name: 'sign.pdf_per_s', value: 92, unit: 'sign/s', n: 920 },
  { name: 'store.write_p99_ms@1k', value: 2, unit: 'ms', n: 2000 },
  { name: 'store.write_p99_ms@100k', value: 4, unit: 'ms', n: 2000 },
  { name: 'relay.drain_1000_s', value: 31, unit: 's', n: 1000 },
];

t.test('ratios are added from figures of the same run', async (t) => {
  const all = withRatios(figures);
  t.equal(all.find((f) => f.name === 'api.sign_to_raw_ratio')?.value, 0.85);
  t.equal(all.find((f) => f.name === 'store.write_p99_ratio')?.value, 2);
  t.equal(all.find((f) => f.name === 'sign.pdf_to_raw_ratio')?.value, 0.92, 'the signing service alone, to raw');
  t.equal(withRatios(all).length, all.length, 'not added twice');
});

t.test('the table marks each target met or not', async (t) => {
  const table = formatTable(withRatios(figures), machineInfo());
  const row = (name: string): string => table.split('\n').find((l) => l.startsWith(`${name} `)) ?? '';
  t.match(row('api.sign_per_s'), /yes$/, 'api ≥ 0.8 × raw');
  t.match(row('store.write_p99_ratio'), /NO$/, 'ratio 2 > 1.5');
  t.match(row('relay.drain_1000_s'), /NO$/, '31 s > 30 s');
  t.match(table.split('\n')[0]!, new RegExp(process.version.replace(/\./g, '\\.')), 'names the Node version');
});

t.test('results.json holds one object per figure with CPU model and Node version', async (t) => {
  const file = path.join(t.testdir(), 'bench', 'results.json');
  const m = machineInfo();
  await writeResults(file, { startedAt: 'a', finishedAt: 'b', machine: m, figures: figures.map((f) => ({ ...f, cpuModel: m.cpuModel, node: m.node })), failures: [] });
  const back = JSON.parse(await readFile(file, 'utf8')) as { figures: Record<string, unknown>[] };
  t.equal(back.figures.length, figures.length);
  for (const f of back.figures) t.same(Object.keys(f).sort(), ['cpuModel', 'n', 'name', 'node', 'unit', 'value']);
});

t.test('percentile', async (t) => {
  const xs = Array.from({ length: 100 }, (_, i) => i + 1);
  t.equal(percentile(xs, 99), 99);
  t.equal(percentile(xs, 50), 50);
  t.equal(percentile([7], 99), 7);
  t.ok(Number.isNaN(percentile([], 99)));
});
