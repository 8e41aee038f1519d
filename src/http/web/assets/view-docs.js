// Outgoing and incoming lists, and one document with its recipients, history and actions.
import { api, qs } from './api.js';
import { h, notify, show, uid } from './dom.js';
import { formatDateTime, label, t } from './i18n.js';

/** The label of a recipient's latest status code ("03" → "Đã tiếp nhận"). */
export function statusLabel(cat, code) {
  if (!code) return t('doc.noStatus');
  const s = cat.statusCodes.find((x) => x.code === code);
  return s ? label(s) : code;
}

function stateBadge(state) {
  return h('span', { class: `badge state-${state}` }, t(`state.${state}`));
}

function code(doc) {
  return `${doc.number}/${doc.notation}`;
}

function recipientList(cat, doc) {
  return h(
    'ul',
    { class: 'recipients' },
    doc.recipients.map((r) =>
      h(
        'li',
        { dataset: { organ: r.organId, status: r.status ?? '' } },
        h('span', { class: 'code' }, r.organId),
        ' ',
        h('span', { class: `badge status-${r.status ?? 'none'}` }, statusLabel(cat, r.status)),
        r.overdue ? h('span', { class: 'badge overdue' }, t('doc.overdue')) : null,
      ),
    ),
  );
}

export async function listView(ctx, direction) {
  const cat = ctx.catalogue;
  let items = [];
  let cursor = null;
  const title = t(direction === 'outgoing' ? 'list.outgoing' : 'list.incoming');
  const body = h('tbody');
  const more = h('button', { type: 'button', hidden: true }, t('list.more'));
  const table = h(
    'table',
    { class: 'docs', dataset: { direction } },
    h('caption', { class: 'sr-only' }, title),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, t('col.code')),
      h('th', { scope: 'col' }, t('col.subject')),
      h('th', { scope: 'col' }, direction === 'outgoing' ? t('col.recipients') : t('col.from')),
      h('th', { scope: 'col' }, t('col.state')),
      h('th', { scope: 'col' }, t('col.date')),
    )),
    body,
  );
  const empty = h('p', { class: 'empty', hidden: true }, t('list.empty'));

  const row = (d) =>
    h(
      'tr',
      { dataset: { id: d.id, state: d.state } },
      h('td', { 'data-label': t('col.code') }, h('a', { href: `#/${direction}/${encodeURIComponent(d.id)}` }, code(d))),
      h('td', { 'data-label': t('col.subject') }, d.subject, d.priority >= 2 ? h('span', { class: 'badge urgent' }, label(cat.priorities[d.priority])) : null),
      h('td', { 'data-label': direction === 'outgoing' ? t('col.recipients') : t('col.from') },
        direction === 'outgoing' ? recipientList(cat, d) : d.from.name || d.from.organId),
      h('td', { 'data-label': t('col.state') }, stateBadge(d.state)),
      h('td', { 'data-label': t('col.date') }, formatDateTime(d.createdAt)),
    );

  const load = async (append) => {
    const res = await api.get(`/api/v1/documents${qs({ direction, limit: 50, cursor: append ? cursor : undefined })}`);
    items = append ? [...items, ...res.items] : res.items;
    cursor = res.nextCursor;
    body.replaceChildren(...items.map(row));
    empty.hidden = items.length > 0;
    table.hidden = items.length === 0;
    more.hidden = !cursor;
  };
  more.addEventListener('click', () => load(true));
  await load(false);
  show(h('h1', {}, title), empty, h('div', { class: 'table-wrap' }, table), more);
  // Live updates re-read the first page without moving focus.
  ctx.onRefresh(() => load(false).catch(() => undefined));
}

function dl(pairs) {
  return h('dl', { class: 'meta' }, pairs.filter(([, v]) => v !== undefined && v !== null && v !== '').map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

function history(cat, doc) {
  return h(
    'ol',
    { class: 'history' },
    [...doc.history].reverse().map((e) =>
      h(
        'li',
        {},
        h('time', { datetime: e.at }, formatDateTime(e.at)),
        ' ',
        h('strong', {}, t(`event.${e.event}`) === `event.${e.event}` ? e.event : t(`event.${e.event}`)),
        e.statusCode ? ` — ${e.statusCode} ${statusLabel(cat, e.statusCode)}` : '',
        e.organId ? h('span', { class: 'code' }, ` ${e.organId}`) : '',
        e.by ? ` (${e.by})` : '',
        e.description ? h('div', { class: 'desc' }, e.description) : null,
      ),
    ),
  );
}

function signatures(doc) {
  if (!doc.signatures?.length) return null;
  return [
    h('h2', {}, t('doc.signatures')),
    h('ul', { class: 'sigs' }, doc.signatures.map((s) =>
      h('li', {},
        s.signer?.subject ?? '?', ' — ',
        h('span', { class: `badge ${s.integrity === 'valid' ? 'ok' : 'bad'}` }, t(s.integrity === 'valid' ? 'doc.signature.valid' : 'doc.signature.invalid')),
        s.certificateTrusted === false ? h('span', { class: 'badge warn' }, t('doc.signature.untrusted')) : null,
        s.signedAt ? ` ${formatDateTime(s.signedAt)}` : '',
      ))),
  ];
}

/** Incoming actions allowed from the current state (the catalogue's transitions), plus 15/16. */
function incomingActions(ctx, doc, reload) {
  const cat = ctx.catalogue;
  const codes = cat.incomingTransitions.filter((x) => x.from === doc.state).map((x) => x.code);
  const recall = doc.recallRequested ? ['15', '16'] : [];
  if (!codes.length && !recall.length) return null;
  const note = h('textarea', { rows: 2, maxlength: 500, id: uid('note') });
  const noteLabel = h('label', { for: note.id }, codes.includes('02') ? `${t('doc.refuse.reason')} / ${t('doc.description')}` : t('doc.description'));
  const err = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const act = async (c, button) => {
    err.hidden = true;
    const description = note.value.trim();
    if (c === '02' && !description) {
      err.textContent = t('doc.refuse.needReason');
      err.hidden = false;
      note.focus();
      return;
    }
    button.disabled = true;
    try {
      await api.post(`/api/v1/documents/${encodeURIComponent(doc.id)}/status`, description ? { code: c, description } : { code: c });
      notify(t('doc.statusSent'), 'ok');
      await reload();
    } catch (e) {
      if (e.status === 401) throw e;
      err.textContent = e.message;
      err.hidden = false;
      button.disabled = false;
    }
  };
  const buttons = [...recall, ...codes].map((c) => {
    const b = h('button', { type: 'button', class: c === '02' || c === '16' ? 'danger' : c === '03' || c === '15' ? 'primary' : '', dataset: { code: c } }, t(`action.${c}`));
    b.addEventListener('click', () => act(c, b));
    return b;
  });
  return h('section', { class: 'card actions-box', 'aria-labelledby': 'actions-h' },
    h('h2', { id: 'actions-h' }, t('doc.actions')),
    doc.recallRequested ? h('p', { class: 'warn-text' }, `${t('doc.recallRequested')}: ${doc.recallRequested.reason}`) : null,
    h('div', { class: 'field' }, noteLabel, note),
    err,
    h('div', { class: 'actions' }, buttons));
}

function recallForm(doc, reload) {
  if (doc.state !== 'sent') return null;
  const reason = h('textarea', { rows: 2, maxlength: 500, id: uid('reason'), required: true });
  const err = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const button = h('button', { type: 'submit', class: 'danger' }, t('doc.recall.submit'));
  const form = h('form', { class: 'card', novalidate: true },
    h('h2', {}, t('doc.recall')),
    h('div', { class: 'field' }, h('label', { for: reason.id }, t('doc.recall.reason')), reason),
    err, h('div', { class: 'actions' }, button));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    err.hidden = true;
    if (!reason.value.trim()) {
      err.textContent = t('required');
      err.hidden = false;
      reason.focus();
      return;
    }
    button.disabled = true;
    try {
      await api.post(`/api/v1/documents/${encodeURIComponent(doc.id)}/recall`, { reason: reason.value.trim() });
      notify(t('doc.recall.done'), 'ok');
      await reload();
    } catch (e) {
      err.textContent = e.message;
      err.hidden = false;
      button.disabled = false;
    }
  });
  return form;
}

export async function detailView(ctx, direction, id) {
  const cat = ctx.catalogue;
  const base = `/api/v1/documents/${encodeURIComponent(id)}`;
  const render = async (focusHeading) => {
    const doc = await api.get(base);
    const type = cat.types.find((x) => x.id === doc.type);
    const parts = [
      h('p', {}, h('a', { href: `#/${direction}` }, `← ${t('doc.back')}`)),
      h('h1', {}, `${code(doc)} — `, stateBadge(doc.state)),
      h('p', { class: 'subject' }, doc.subject),
      dl([
        [t('doc.type'), type ? type.name : doc.typeName],
        [t('doc.documentId'), doc.documentId],
        [t('send.date'), doc.promulgationDate],
        [t('doc.priority'), label(cat.priorities[doc.priority])],
        [t('doc.from'), direction === 'incoming' ? `${doc.from.name} (${doc.from.organId})` : null],
        [t('doc.reason'), doc.reason],
        [t('doc.attempts'), doc.relay && doc.state === 'queued' ? String(doc.relay.attempts) : null],
        [t('doc.nextAttempt'), doc.relay?.nextAttemptAt && doc.state === 'queued' ? formatDateTime(doc.relay.nextAttemptAt) : null],
        [t('doc.lastError'), doc.relay?.lastError],
      ]),
      direction === 'outgoing' ? [h('h2', {}, t('doc.recipients')), recipientList(cat, doc)] : null,
      direction === 'incoming' ? incomingActions(ctx, doc, () => render(false)) : null,
      direction === 'outgoing' ? recallForm(doc, () => render(false)) : null,
      signatures(doc),
      h('h2', {}, t('doc.files')),
      h('ul', { class: 'files' },
        doc.file ? h('li', {}, h('a', { href: `${base}/file`, download: doc.file.name }, `${t('doc.file.main')}: ${doc.file.name}`)) : null,
        (doc.attachments ?? []).map((a, i) => h('li', {}, h('a', { href: `${base}/attachments/${i}`, download: a.name }, a.name))),
        h('li', {}, h('a', { href: `${base}/edxml` }, t('doc.file.edxml')))),
      h('h2', {}, t('doc.history')),
      history(cat, doc),
    ];
    if (focusHeading) show(parts);
    else {
      // A refresh keeps the reader's place: replace the content, keep focus where it can stay.
      const active = document.activeElement?.dataset?.code;
      document.getElementById('main').replaceChildren(...parts.flat(Infinity).filter(Boolean));
      if (active) document.querySelector(`button[data-code="${active}"]`)?.focus();
    }
  };
  await render(true);
  ctx.onRefresh(() => render(false).catch(() => undefined));
}
