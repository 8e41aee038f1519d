// The report: documents per day by state as a stacked bar chart (inline SVG drawn here, no chart
// library), counts by type and state, overdue receipts, and the CSV download.
import { api, qs } from './api.js';
import { h, show, svg, uid } from './dom.js';
import { t } from './i18n.js';

// One colour per state; outgoing and incoming states share the palette by meaning.
const COLOURS = {
  signed: '#8d6e63', queued: '#f9a825', sent: '#1565c0', failed: '#c62828', recalled: '#6d4c41',
  arrived: '#00838f', accepted: '#2e7d32', refused: '#ad1457', assigned: '#5e35b1', 'in-progress': '#ef6c00', done: '#1b5e20',
};

function isoDay(d) {
  return d.toISOString().slice(0, 10);
}

/** Stacked bars: one per day, one segment per state (outgoing and incoming together). */
export function chart(summary) {
  const days = summary.byDay;
  const states = [];
  for (const d of days) for (const dir of ['outgoing', 'incoming']) for (const s of Object.keys(d[dir])) if (!states.includes(s)) states.push(s);
  const totals = days.map((d) => states.reduce((n, s) => n + (d.outgoing[s] ?? 0) + (d.incoming[s] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const W = Math.max(600, days.length * 28 + 48);
  const H = 220;
  const top = 10;
  const bottom = 40;
  const left = 36;
  const plotH = H - top - bottom;
  const step = (W - left - 8) / Math.max(1, days.length);
  const bar = Math.max(6, Math.min(22, step * 0.7));
  const titleId = uid('chart');
  const g = [];
  // Axis with a few round ticks.
  const tick = Math.max(1, Math.ceil(max / 4));
  for (let v = 0; v <= max; v += tick) {
    const y = top + plotH - (v / max) * plotH;
    g.push(svg('line', { x1: left, x2: W - 4, y1: y, y2: y, class: 'grid' }), svg('text', { x: left - 6, y: y + 4, 'text-anchor': 'end', class: 'tick' }, String(v)));
  }
  days.forEach((d, i) => {
    const x = left + i * step + (step - bar) / 2;
    let y = top + plotH;
    for (const s of states) {
      const n = (d.outgoing[s] ?? 0) + (d.incoming[s] ?? 0);
      if (!n) continue;
      const hgt = (n / max) * plotH;
      y -= hgt;
      g.push(svg('rect', { x, y, width: bar, height: hgt, fill: COLOURS[s] ?? '#757575' }, svg('title', {}, `${d.day}: ${t(`state.${s}`)} ${n}`)));
    }
    if (days.length <= 16 || i % Math.ceil(days.length / 16) === 0) {
      g.push(svg('text', { x: x + bar / 2, y: H - bottom + 14, 'text-anchor': 'middle', class: 'tick' }, d.day.slice(5)));
    }
  });
  const figure = svg(
    'svg',
    { viewBox: `0 0 ${W} ${H}`, width: '100%', role: 'img', 'aria-labelledby': titleId, class: 'chart', preserveAspectRatio: 'xMinYMin meet' },
    svg('title', { id: titleId }, `${t('report.chart')}: ${days.map((d, i) => `${d.day} ${totals[i]}`).join(', ')}`),
    g,
  );
  const legend = h('ul', { class: 'legend' }, states.map((s) => h('li', {}, h('span', { class: 'swatch', dataset: { state: s } }), t(`state.${s}`))));
  // Swatch colours through CSSOM (allowed by the CSP, unlike inline style attributes in markup).
  for (const sw of legend.querySelectorAll('.swatch')) sw.style.background = COLOURS[sw.dataset.state] ?? '#757575';
  return h('figure', { class: 'card' }, h('figcaption', {}, t('report.chart')), h('div', { class: 'chart-wrap' }, figure), legend);
}

function countTable(caption, entries, nameOf) {
  if (!entries.length) return h('p', {}, `${caption}: ${t('report.none')}`);
  return h('table', { class: 'counts' }, h('caption', {}, caption),
    h('tbody', {}, entries.map(([k, n]) => h('tr', {}, h('th', { scope: 'row' }, nameOf(k)), h('td', {}, String(n))))));
}

export async function reportView(ctx) {
  const cat = ctx.catalogue;
  const now = new Date();
  const from = h('input', { type: 'date', id: uid('from'), value: isoDay(new Date(now.getTime() - 29 * 86400_000)) });
  const to = h('input', { type: 'date', id: uid('to'), value: isoDay(now) });
  const out = h('div', { class: 'report' });
  const err = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const csv = h('a', { class: 'button' }, t('report.csv'));
  const form = h('form', { class: 'card inline-form', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: from.id }, t('report.from')), from),
    h('div', { class: 'field' }, h('label', { for: to.id }, t('report.to')), to),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('report.show')), csv),
    err);
  const load = async () => {
    err.hidden = true;
    const q = qs({ from: from.value, to: to.value });
    csv.href = `/api/v1/reports/summary${qs({ from: from.value, to: to.value, format: 'csv' })}`;
    try {
      const s = await api.get(`/api/v1/reports/summary${q}`);
      const typeName = (id) => cat.types.find((x) => x.id === id)?.name ?? id;
      const stateName = (k) => {
        const [dir, st] = k.split(':');
        return `${t(dir === 'outgoing' ? 'report.outgoing' : 'report.incoming')}: ${t(`state.${st}`)}`;
      };
      out.replaceChildren(
        s.byDay.length ? chart(s) : h('p', { class: 'empty' }, t('report.chart.empty')),
        h('p', {}, `${t('report.outgoing')}: ${s.byDirection.outgoing} · ${t('report.incoming')}: ${s.byDirection.incoming}`),
        h('div', { class: 'two' },
          countTable(t('report.byType'), Object.entries(s.byType), typeName),
          countTable(t('report.byState'), Object.entries(s.byState), stateName)),
        h('h2', {}, t('report.overdue')),
        s.overdue.length
          ? h('ul', {}, s.overdue.map((o) => h('li', {}, h('a', { href: `#/outgoing/${encodeURIComponent(o.id)}` }, o.documentId), ` → ${o.organId}`)))
          : h('p', {}, t('report.none')),
      );
    } catch (e) {
      if (e.status === 401) throw e;
      err.textContent = e.message;
      err.hidden = false;
    }
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    load();
  });
  await load();
  show(h('h1', {}, t('report.title')), form, out);
  ctx.onRefresh(() => load());
}
