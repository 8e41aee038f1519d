// Labelled form fields with an error slot each, and the mapping of API errors onto them:
// VALIDATION_FAILED details ([{field, problem}]) go next to the field they name; other codes go
// to the field they are about (secrecy, file, recipients) or to the form's own error line.
import { h, uid } from './dom.js';
import { t } from './i18n.js';

/**
 * A field: label, control, optional hint, error slot. `name` is the API's field name
 * ("subject", "signer.fullName", "recipients"); problems for "recipients.2" land on "recipients".
 */
export function field({ name, label, control, hint, required }) {
  const id = control.id || uid('in');
  control.id = id;
  const errId = `${id}-err`;
  const hintId = hint ? `${id}-hint` : null;
  control.setAttribute('aria-describedby', [hintId, errId].filter(Boolean).join(' '));
  if (required) control.required = true;
  return h(
    'div',
    { class: 'field', dataset: { field: name } },
    h('label', { for: id }, label, required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null),
    control,
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
    h('p', { class: 'error', id: errId, hidden: true }),
  );
}

/** A group of radios or checkboxes with a legend and one error slot. */
export function group({ name, legend, items, extra }) {
  const errId = uid('err');
  return h(
    'fieldset',
    { class: 'field group', dataset: { field: name }, 'aria-describedby': errId },
    h('legend', {}, legend),
    h('div', { class: 'choices' }, items),
    extra ?? null,
    h('p', { class: 'error', id: errId, hidden: true }),
  );
}

export function clearErrors(form) {
  for (const p of form.querySelectorAll('.error')) {
    p.textContent = '';
    p.hidden = true;
  }
  for (const c of form.querySelectorAll('[aria-invalid]')) c.removeAttribute('aria-invalid');
}

/** Shows `text` at the field named `name` (or its nearest parent name); false if there is none. */
export function setFieldError(form, name, text) {
  let key = name;
  while (key) {
    const box = form.querySelector(`[data-field="${CSS.escape(key)}"]`);
    if (box) {
      const p = box.querySelector(':scope > .error');
      p.textContent = p.textContent ? `${p.textContent} ${text}` : text;
      p.hidden = false;
      const control = box.querySelector('input, select, textarea');
      control?.setAttribute('aria-invalid', 'true');
      return true;
    }
    const cut = Math.max(key.lastIndexOf('.'), key.lastIndexOf('['));
    key = cut > 0 ? key.slice(0, cut) : '';
  }
  return false;
}

const FIELD_OF_CODE = {
  SECRET_DOCUMENT: 'secrecy',
  PRIOR_SIGNATURE_REQUIRED: 'file',
  MALFORMED_PDF: 'file',
  UNSUPPORTED_MEDIA_TYPE: 'file',
  PAYLOAD_TOO_LARGE: 'file',
  UNKNOWN_RECIPIENT: 'recipients',
};

/**
 * Puts an ApiError on the form. Returns the element to move focus to (the first field in error,
 * else the form's error line).
 */
export function showApiError(form, err) {
  clearErrors(form);
  const formError = form.querySelector(':scope > .form-error');
  let placed = false;
  const details = Array.isArray(err.details) ? err.details : Array.isArray(err.details?.problems) ? err.details.problems : [];
  if (err.code === 'VALIDATION_FAILED' || err.code === 'UNKNOWN_RECIPIENT' || err.code === 'SECRET_DOCUMENT') {
    for (const d of details) {
      if (d && typeof d.field === 'string') placed = setFieldError(form, d.field, d.problem ?? err.message) || placed;
    }
  }
  if (!placed && FIELD_OF_CODE[err.code]) placed = setFieldError(form, FIELD_OF_CODE[err.code], err.message);
  if (formError) {
    formError.textContent = placed ? `${err.message} ${t('send.fix')}` : err.message;
    formError.hidden = false;
  }
  const first = form.querySelector('[aria-invalid="true"]');
  return first ?? formError;
}
