// "Send a document": metadata (types from the catalogue), recipients from the agency directory or
// typed in as OrganIds, secrecy with an immediate explanation, the PDF and attachments.
import { api } from './api.js';
import { h, notify, show, uid } from './dom.js';
import { label, t } from './i18n.js';
import { clearErrors, field, group, setFieldError, showApiError } from './fields.js';

function today() {
  const d = new Date();
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

function select(name, options, value) {
  return h('select', { name }, options.map(([v, text]) => h('option', { value: v, selected: String(v) === String(value) }, text)));
}

export async function sendView(ctx) {
  const cat = ctx.catalogue;
  const organRe = new RegExp(cat.organId.pattern);
  let organs = [];
  try {
    organs = await api.get('/api/v1/organs');
  } catch (e) {
    if (e.status === 401) throw e;
  }

  const type = select('type', cat.types.map((x) => [x.id, x.abbreviation ? `${x.name} (${x.abbreviation})` : x.name]), 'CV');
  const number = h('input', { name: 'number', inputmode: 'numeric', autocomplete: 'off', maxlength: 20 });
  const notation = h('input', { name: 'notation', autocomplete: 'off', maxlength: 100 });
  const date = h('input', { name: 'promulgationDate', type: 'date', value: today() });
  const place = h('input', { name: 'place', maxlength: 200 });
  const subject = h('textarea', { name: 'subject', rows: 3, maxlength: 500 });
  const competence = select('competence', [['', t('send.competence.none')], ...cat.competences.map((c) => [c.id, `${c.id} ${label(c)}`])], '');
  const position = h('input', { name: 'position', maxlength: 200 });
  const fullName = h('input', { name: 'fullName', autocomplete: 'off', maxlength: 200 });
  const priority = select('priority', cat.priorities.map((p) => [p.value, label(p)]), 0);
  const file = h('input', { name: 'file', type: 'file', accept: 'application/pdf,.pdf' });
  const attachments = h('input', { name: 'attachments', type: 'file', multiple: true });

  // Recipients: one checkbox per directory entry, plus codes typed in (validated here first).
  const chosen = new Set();
  const boxes = h('div', { class: 'choices organs' });
  const addBox = (id, name, checked) => {
    if (boxes.querySelector(`input[value="${CSS.escape(id)}"]`)) return;
    const cid = uid('org');
    const input = h('input', { type: 'checkbox', id: cid, name: 'recipient', value: id, checked });
    input.addEventListener('change', () => (input.checked ? chosen.add(id) : chosen.delete(id)));
    if (checked) chosen.add(id);
    boxes.append(h('div', { class: 'choice', dataset: { search: `${id} ${name}`.toLowerCase() } }, input, h('label', { for: cid }, name ? `${name} ` : '', h('span', { class: 'code' }, id))));
  };
  for (const o of organs) addBox(o.id, o.name, false);
  const filter = h('input', { type: 'search', 'aria-label': t('send.recipients.filter'), placeholder: t('send.recipients.filter') });
  filter.addEventListener('input', () => {
    const q = filter.value.trim().toLowerCase();
    for (const c of boxes.children) c.hidden = q !== '' && !c.dataset.search.includes(q);
  });
  const manual = h('input', { name: 'organId', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', maxlength: 60 });
  const manualErr = h('p', { class: 'error', id: uid('err'), hidden: true, role: 'alert' });
  manual.setAttribute('aria-describedby', manualErr.id);
  const addManual = () => {
    const id = manual.value.trim().toUpperCase();
    manualErr.hidden = true;
    manual.removeAttribute('aria-invalid');
    if (!id) return;
    if (id.length > cat.organId.maxLength || !organRe.test(id)) {
      manualErr.textContent = t('send.recipients.invalid');
      manualErr.hidden = false;
      manual.setAttribute('aria-invalid', 'true');
      manual.focus();
      return;
    }
    addBox(id, organs.find((o) => o.id === id)?.name ?? '', true);
    const box = boxes.querySelector(`input[value="${CSS.escape(id)}"]`);
    if (box) {
      box.checked = true;
      chosen.add(id);
    }
    manual.value = '';
    manual.focus();
  };
  manual.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') {
      ev.preventDefault();
      addManual();
    }
  });
  const manualId = uid('in');
  manual.id = manualId;
  const recipients = group({
    name: 'recipients',
    legend: `${t('send.recipients')} *`,
    items: organs.length ? [filter, boxes] : [h('p', { class: 'hint' }, t('send.recipients.none')), boxes],
    extra: h(
      'div',
      { class: 'add-organ' },
      h('label', { for: manualId }, t('send.recipients.add')),
      h('div', { class: 'inline' }, manual, h('button', { type: 'button', onclick: addManual }, t('send.recipients.addButton'))),
      manualErr,
    ),
  });

  // Secrecy: the explanation appears the moment a secret level is chosen, before any upload.
  const why = h('p', { class: 'secret-why', role: 'alert', hidden: true }, t('send.secret.why'));
  const submit = h('button', { type: 'submit', class: 'primary' }, t('send.submit'));
  const secrecyItems = cat.secrecy.map((s) => {
    const id = uid('sec');
    const input = h('input', { type: 'radio', name: 'secrecy', id, value: s.id, checked: s.id === 'none' });
    input.addEventListener('change', () => {
      const secret = s.id !== 'none';
      why.hidden = !secret;
      submit.disabled = secret;
      submit.setAttribute('aria-describedby', secret ? 'secret-why' : '');
    });
    return h('div', { class: 'choice' }, input, h('label', { for: id }, label(s)));
  });
  why.id = 'secret-why';
  const secrecy = group({ name: 'secrecy', legend: t('send.secrecy'), items: secrecyItems, extra: why });

  const formError = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const form = h(
    'form',
    { class: 'card send', novalidate: true },
    h('p', { class: 'intro' }, t('send.intro')),
    h('div', { class: 'grid' },
      field({ name: 'type', label: t('send.type'), control: type, required: true }),
      field({ name: 'number', label: t('send.number'), control: number, required: true }),
      field({ name: 'notation', label: t('send.notation'), control: notation, hint: t('send.notation.hint'), required: true }),
      field({ name: 'promulgationDate', label: t('send.date'), control: date, required: true }),
      field({ name: 'place', label: t('send.place'), control: place }),
      field({ name: 'priority', label: t('send.priority'), control: priority }),
    ),
    field({ name: 'subject', label: t('send.subject'), control: subject, required: true }),
    recipients,
    h('fieldset', { class: 'signer' },
      h('legend', {}, t('send.signer')),
      h('div', { class: 'grid' },
        field({ name: 'signer.competence', label: t('send.competence'), control: competence }),
        field({ name: 'signer.position', label: t('send.position'), control: position }),
        field({ name: 'signer.fullName', label: t('send.fullName'), control: fullName, required: true }),
      ),
    ),
    secrecy,
    field({ name: 'file', label: t('send.file'), control: file, required: true }),
    field({ name: 'attachments', label: t('send.attachments'), control: attachments }),
    formError,
    h('div', { class: 'actions' }, submit),
  );

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    formError.hidden = true;
    const secrecyValue = form.querySelector('input[name="secrecy"]:checked')?.value ?? 'none';
    // Checks the browser can make at once; the server checks everything again.
    let local = false;
    if (chosen.size === 0) local = setFieldError(form, 'recipients', t('send.recipients.required')) || true;
    if (!file.files?.length) local = setFieldError(form, 'file', t('required')) || true;
    for (const [name, el] of [['number', number], ['notation', notation], ['subject', subject], ['signer.fullName', fullName]]) {
      if (!el.value.trim()) local = setFieldError(form, name, t('required')) || true;
    }
    if (local) {
      formError.textContent = t('send.fix');
      formError.hidden = false;
      form.querySelector('[aria-invalid="true"]')?.focus() ?? formError.focus();
      return;
    }
    const signer = { fullName: fullName.value.trim() };
    if (competence.value) signer.competence = competence.value;
    if (position.value.trim()) signer.position = position.value.trim();
    const metadata = {
      type: type.value,
      number: number.value.trim(),
      notation: notation.value.trim(),
      promulgationDate: date.value,
      subject: subject.value.trim(),
      recipients: [...chosen],
      priority: Number(priority.value),
      secrecy: secrecyValue,
      signer,
    };
    if (place.value.trim()) metadata.place = place.value.trim();
    const body = new FormData();
    body.append('metadata', JSON.stringify(metadata));
    body.append('file', file.files[0]);
    for (const a of attachments.files ?? []) body.append('attachments', a);
    submit.disabled = true;
    submit.textContent = t('send.working');
    try {
      const doc = await api.post('/api/v1/documents', body);
      notify(t('send.done'), 'ok');
      ctx.go(`#/outgoing/${encodeURIComponent(doc.id)}`);
    } catch (e) {
      if (e.status === 401) throw e;
      const target = showApiError(form, e);
      target?.setAttribute('tabindex', target.tabIndex >= 0 ? String(target.tabIndex) : '-1');
      target?.focus();
    } finally {
      submit.disabled = secrecyValue !== 'none';
      submit.textContent = t('send.submit');
    }
  });

  show(h('h1', {}, t('send.title')), form);
}
