// Sign-in form. The API answers 401 for a wrong name or password and 429 after too many tries.
import { api } from './api.js';
import { h, show } from './dom.js';
import { t } from './i18n.js';
import { field } from './fields.js';

export function loginView({ onSignedIn }) {
  const user = h('input', { name: 'username', autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false' });
  const pass = h('input', { name: 'password', type: 'password', autocomplete: 'current-password' });
  const err = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const button = h('button', { type: 'submit', class: 'primary' }, t('login.submit'));
  const form = h(
    'form',
    { class: 'card narrow', novalidate: true },
    field({ name: 'username', label: t('login.username'), control: user, required: true }),
    field({ name: 'password', label: t('login.password'), control: pass, required: true }),
    err,
    h('div', { class: 'actions' }, button),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    err.hidden = true;
    if (!user.value || !pass.value) {
      err.textContent = `${t('login.failed')} ${t('required')}: ${!user.value ? t('login.username') : t('login.password')}`;
      err.hidden = false;
      (!user.value ? user : pass).focus();
      return;
    }
    button.disabled = true;
    try {
      const res = await api.post('/api/v1/session', { username: user.value.trim(), password: pass.value });
      pass.value = '';
      onSignedIn(res.user);
    } catch (e) {
      err.textContent = e.message || t('login.failed');
      err.hidden = false;
      pass.focus();
    } finally {
      button.disabled = false;
    }
  });
  show(h('h1', {}, t('login.title')), form);
  user.focus();
}
