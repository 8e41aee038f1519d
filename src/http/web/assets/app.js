// The staff page: sign-in, a hash router over the views, the language toggle and live updates
// from the API's Server-Sent Events. Plain ES modules, no framework.
import { api } from './api.js';
import { h, notify, show } from './dom.js';
import { lang, setLang, t, translateStatic } from './i18n.js';
import { loginView } from './view-login.js';
import { sendView } from './view-send.js';
import { listView, detailView } from './view-docs.js';
import { reportView } from './view-report.js';

const state = { user: null, catalogue: null, events: null, refresh: null };

async function loadCatalogue() {
  state.catalogue ??= await api.get('/web/catalogue.json');
  return state.catalogue;
}

function setUser(user) {
  state.user = user;
  document.getElementById('nav').hidden = !user;
  document.getElementById('signout').hidden = !user;
  document.getElementById('who').textContent = user ? `${user.username} (${user.role})` : '';
  if (user) startEvents();
  else stopEvents();
}

/** Re-renders the current view when something changed (debounced: events come in bursts). */
let pending = null;
function scheduleRefresh() {
  clearTimeout(pending);
  pending = setTimeout(() => state.refresh?.(), 300);
}

function startEvents() {
  if (state.events || typeof EventSource === 'undefined') return;
  const es = new EventSource('/api/v1/events');
  state.events = es;
  let lostShown = false;
  const on = (name, fn) => es.addEventListener(name, (ev) => {
    lostShown = false;
    let data = null;
    try {
      data = JSON.parse(ev.data);
    } catch {
      /* an event without JSON still means "something changed" */
    }
    fn?.(data);
    scheduleRefresh();
  });
  on('incoming.arrived', (d) => notify(`${t('live.arrived')}: ${d?.subject ?? ''}`));
  on('outgoing.status', () => notify(t('live.status')));
  for (const name of ['document.signed', 'outgoing.queued', 'outgoing.sent', 'outgoing.failed', 'outgoing.overdue', 'incoming.refused', 'incoming.status', 'incoming.recalled']) on(name);
  es.onerror = () => {
    // EventSource reconnects by itself (retry: 5000); a closed stream after sign-out is normal.
    if (!state.user) return;
    if (!lostShown) notify(t('live.offline'), 'warn');
    lostShown = true;
  };
}

function stopEvents() {
  state.events?.close();
  state.events = null;
}

const ROUTES = [
  [/^#\/send$/, () => sendView(ctx())],
  [/^#\/(outgoing|incoming)$/, (m) => listView(ctx(), m[1])],
  [/^#\/(outgoing|incoming)\/([^/]+)$/, (m) => detailView(ctx(), m[1], decodeURIComponent(m[2]))],
  [/^#\/report$/, () => reportView(ctx())],
];

function ctx() {
  return {
    catalogue: state.catalogue,
    user: state.user,
    go: (hash) => {
      if (location.hash === hash) route();
      else location.hash = hash;
    },
    onRefresh: (fn) => (state.refresh = fn),
  };
}

async function route() {
  state.refresh = null;
  if (!state.user) {
    loginView({ onSignedIn: (user) => {
      setUser(user);
      if (!location.hash || location.hash === '#/login') location.hash = '#/outgoing';
      else route();
    } });
    return;
  }
  await loadCatalogue();
  const hash = location.hash || '#/outgoing';
  markCurrentNav(hash);
  for (const [re, view] of ROUTES) {
    const m = re.exec(hash);
    if (m) {
      try {
        await view(m);
      } catch (e) {
        if (e?.status === 401) return signedOut();
        show(h('h1', {}, t('error.generic')), h('p', { class: 'form-error' }, e?.message ?? String(e)));
      }
      return;
    }
  }
  location.hash = '#/outgoing';
}

function markCurrentNav(hash) {
  for (const a of document.querySelectorAll('#nav a')) {
    const here = hash === a.getAttribute('href') || hash.startsWith(`${a.getAttribute('href')}/`);
    if (here) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

function signedOut() {
  setUser(null);
  route();
}

function applyLang() {
  translateStatic();
  const b = document.getElementById('lang');
  b.textContent = t('lang.other');
  b.lang = lang() === 'vi' ? 'en' : 'vi';
}

async function main() {
  setLang(lang());
  applyLang();
  document.getElementById('lang').addEventListener('click', () => {
    setLang(lang() === 'vi' ? 'en' : 'vi');
    applyLang();
    if (state.user) document.getElementById('who').textContent = `${state.user.username} (${state.user.role})`;
    route();
  });
  document.getElementById('signout').addEventListener('click', async () => {
    try {
      await api.del('/api/v1/session');
    } catch {
      /* already signed out */
    }
    signedOut();
  });
  window.addEventListener('hashchange', route);
  try {
    const me = await api.get('/api/v1/session');
    setUser(me.user);
  } catch {
    setUser(null);
  }
  await route();
}

main();
