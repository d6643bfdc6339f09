// app.js — the shell: who is signed in, the nav, and the current page.

import * as api from './api.js';
import { h, clear } from './dom.js';
import { PAGES, resolve, navigate, start } from './router.js';

const main = document.getElementById('main');
const top = document.getElementById('top');
let me = null;
let cleanup = null;
let seq = 0;

api.onSignedOut(() => {
  me = null;
  if (!resolve(location.pathname)?.public) {
    const back = location.pathname === '/' ? '' : `?next=${encodeURIComponent(location.pathname)}`;
    navigate(`/login${back}`, { replace: true });
  }
});

function nav(current) {
  const links = PAGES.filter((p) => !p.admin || me?.role === 'admin').map((p) =>
    h('li', {}, h('a', { href: p.path, 'aria-current': p.path === current ? 'page' : null },
      p.name)));
  return h('nav', { 'aria-label': 'Main' }, h('ul', {}, links));
}

async function signOut() {
  try { await api.post('/api/auth/logout'); } catch { /* the session ends here anyway */ }
  api.forget();
  me = null;
  navigate('/login', { replace: true });
}

function shell(current) {
  clear(top);
  if (!me) { top.hidden = true; return; }
  top.hidden = false;
  top.append(
    h('a', { class: 'brand', href: '/' }, 'Jutsu'),
    nav(current),
    h('div', { class: 'who' }, h('span', {}, `${me.username} (${me.role})`),
      h('button', { type: 'button', class: 'link', onclick: signOut }, 'Sign out')));
}

export async function signedIn() {
  me = await api.get('/api/auth/me');
  return me;
}

async function render() {
  const my = ++seq;
  if (cleanup) { cleanup(); cleanup = null; }
  const path = location.pathname;
  const page = resolve(path);
  if (!page) {
    shell(null);
    clear(main).append(h('h1', {}, 'Not found'),
      h('p', {}, 'No page has this address. '), h('a', { href: '/' }, 'Go to the overview'));
    return;
  }
  const loading = page.load();   /* the page's code comes while the session is renewed */
  if (!page.public && !me) {
    try { await signedIn(); } catch { return; }   /* onSignedOut went to /login */
  }
  if (my !== seq) return;
  document.title = `${page.name} · Jutsu`;
  shell(page.public ? null : path);
  const mod = await loading;
  if (my !== seq) return;
  clear(main);
  if (page.admin && me?.role !== 'admin') {
    main.append(h('h1', {}, page.name), h('p', { role: 'alert' },
      'This page is for admins.'));
    return;
  }
  const ctx = { me, navigate, signedIn, name: page.name, path };
  try {
    cleanup = (await mod.render(main, ctx)) || null;
  } catch (e) {
    if (e instanceof api.ApiError && e.status === 401) return;
    main.append(h('p', { role: 'alert', class: 'alert' },
      `This page could not load: ${e.message}`));
  }
  if (my !== seq && cleanup) { cleanup(); cleanup = null; }
  // after a move from page to page, keyboard and screen reader users start at the content
  if (my > 1 && !main.contains(document.activeElement)) main.focus({ preventScroll: true });
}

start(render);
