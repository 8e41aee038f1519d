import { parse, required, UsageError } from '../args.js';
import type { CliIo } from '../io.js';
import { EXIT } from '../../errors.js';
import type { ReportSummary } from '../../documents/types.js';
import { COMMON_OPTIONS, table, withAdmin } from '../../admin/cli-common.js';
import { reportCsv } from '../../http/report-csv.js';

const HELP = `usage: edoc-gateway report --from YYYY-MM-DD --to YYYY-MM-DD [--format table|csv|json]
       [--config FILE | --state-dir DIR]

The pilot report: documents by type, state and day, and overdue receipts (days are UTC).`;

export async function reportCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parse(argv, { ...COMMON_OPTIONS, from: { type: 'string' }, to: { type: 'string' }, format: { type: 'string' } });
  if (values.help) {
    io.out(HELP);
    return EXIT.OK;
  }
  const from = required(values.from, 'from');
  const to = required(values.to, 'to');
  const format = values.format ?? (io.json ? 'json' : 'table');
  if (!['table', 'csv', 'json'].includes(format)) throw new UsageError('--format is table, csv or json');
  const r = (await withAdmin(values, io, (t) => t.call('report', { from, to }))) as ReportSummary;
  if (format === 'json') io.out(JSON.stringify(r));
  else if (format === 'csv') io.out(reportCsv(r).replace(/^\uFEFF/, '').replace(/\r\n/g, '\n'));
  else io.out(formatReport(r));
  return EXIT.OK;
}

function formatReport(r: ReportSummary): string {
  const sorted = (o: Record<string, number>) => Object.entries(o).sort(([a], [b]) => a.localeCompare(b));
  const parts = [
    `Report ${r.from} … ${r.to}: ${r.byDirection.outgoing} outgoing, ${r.byDirection.incoming} incoming`,
    '',
    table([['TYPE', 'COUNT'], ...sorted(r.byType).map(([k, v]) => [k, String(v)])]),
    '',
    table([['STATE', 'COUNT'], ...sorted(r.byState).map(([k, v]) => [k, String(v)])]),
    '',
    table([
      ['DAY', 'OUTGOING', 'INCOMING'],
      ...r.byDay.map((d) => [d.day, String(Object.values(d.outgoing).reduce((a, b) => a + b, 0)), String(Object.values(d.incoming).reduce((a, b) => a + b, 0))]),
    ]),
    '',
    r.overdue.length === 0 ? 'Overdue receipts: none' : table([['OVERDUE DOCUMENT', 'RECIPIENT', 'SENT'], ...r.overdue.map((o) => [o.documentId, o.organId, o.sentAt])]),
  ];
  return parts.join('\n');
}
