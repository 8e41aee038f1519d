import type { FastifyInstance } from 'fastify';
import type { ReportSummary } from '../../documents/types.js';
import type { RouteDeps } from '../app.js';
import { requireRole } from '../auth-hooks.js';
import { reportCsv } from '../report-csv.js';
import { ReportSummary as ReportSchema, responses } from '../schemas.js';

/** The agency directory and the summary report. */
export function miscRoutes(app: FastifyInstance, d: RouteDeps): void {
  app.get<{ Querystring: { q?: string } }>(
    '/api/v1/organs',
    {
      onRequest: requireRole('viewer'),
      schema: {
        summary: 'The agency directory (synced from the axis), for picking recipients',
        tags: ['organs'],
        querystring: { type: 'object', additionalProperties: false, properties: { q: { type: 'string', maxLength: 200 } } },
        response: responses({ 200: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' } } } } }, [422]),
      },
    },
    async (req) => d.documents.organs(req.query.q),
  );

  app.get<{ Querystring: { from: string; to: string; format?: 'json' | 'csv' } }>(
    '/api/v1/reports/summary',
    {
      onRequest: requireRole('viewer'),
      schema: {
        summary: 'Counts by type, state, direction and day, and overdue receipts; `Accept: text/csv` (or format=csv) → CSV',
        tags: ['reports'],
        querystring: {
          type: 'object',
          required: ['from', 'to'],
          additionalProperties: false,
          properties: {
            from: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
            to: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
            format: { type: 'string', enum: ['json', 'csv'] },
          },
        },
        response: responses(
          { 200: { description: 'the report', content: { 'application/json': { schema: ReportSchema }, 'text/csv': { schema: { type: 'string' } } } } },
          [422],
        ),
      },
    },
    async (req, reply) => {
      const summary: ReportSummary = await d.documents.report({ from: req.query.from, to: req.query.to });
      const accept = String(req.headers.accept ?? '');
      const csv = req.query.format === 'csv' || (req.query.format !== 'json' && /\btext\/csv\b/i.test(accept) && !/application\/json/i.test(accept));
      if (!csv) return reply.type('application/json').send(summary);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="edoc-report-${summary.from}-${summary.to}.csv"`)
        .send(reportCsv(summary));
    },
  );
}
