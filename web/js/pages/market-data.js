// pages/market-data.js — per symbol and timeframe: the range of bars, the
// count, gaps, the last sync and its source, stale ranges marked; a
// symbol's bars, paged; "Sync now" for admins (the job followed to its end).

import * as api from '../api.js';
import { h, clear, alertBox, say, money, when } from '../dom.js';
import { runJob, outcome } from '../jobs.js';
import { listen } from '../events.js';

const PER_PAGE = 50;

const iso = (d) => d.toISOString().slice(0, 10);

// The trading day whose bars should be in by now: the last weekday before
// the exchange's date today (today's bar comes after the close). Holidays
// are not known here: the day after one, a symbol can be marked stale
// until the next sync.
export function expectedDay(exchangeToday) {
  const d = new Date(`${exchangeToday}T12:00:00Z`);
  do d.setUTCDate(d.getUTCDate() - 1); while (d.getUTCDay() === 0 || d.getUTCDay() === 6);
  return iso(d);
}

function summary(list, expected, show) {
  const stale = list.filter((m) => m.last < expected);
  const head = ['Symbol', 'Timeframe', 'First bar', 'Last bar', 'Bars', 'Gaps', 'Invalid',
    'Last sync', 'Source', 'Bars'];
  return h('section', { class: 'card', 'aria-labelledby': 'h-md' },
    h('h2', { id: 'h-md' }, 'Symbols'),
    stale.length ? h('p', { class: 'warn' }, `Stale: ${stale.map((m) => m.symbol).join(', ')} ` +
      `(no bar of ${expected}, the last trading day before today). Run a sync, or check the ` +
      'source.') : h('p', { class: 'muted' }, `Every symbol has its bar of ${expected}.`),
    h('div', { class: 'scroll' }, h('table',
      { class: 'tight', 'aria-label': 'Bars per symbol and timeframe' },
      h('thead', {}, h('tr', {}, head.map((t, i) => h('th', { scope: 'col',
        class: i >= 4 && i <= 6 ? 'n' : '' }, t)))),
      h('tbody', {}, list.map((m) => {
        const old = m.last < expected;
        return h('tr', {}, h('th', { scope: 'row' }, m.symbol), h('td', {}, m.timeframe),
          h('td', {}, m.first), h('td', { class: old ? 'neg' : '' }, old ? `${m.last} (stale)`
            : m.last),
          h('td', { class: 'n' }, String(m.count)),
          h('td', { class: `n ${m.gaps ? 'neg' : ''}` }, String(m.gaps)),
          h('td', { class: 'n' }, String(m.invalid ?? 0)),
          h('td', {}, when(m.last_sync)), h('td', {}, m.source ?? '—'),
          h('td', {}, h('button', { type: 'button', class: 'link',
            'aria-label': `Show bars of ${m.symbol} ${m.timeframe}`,
            onclick: () => show(m) }, 'Show bars')));
      })))));
}

// One symbol's bars, a page at a time; it opens on the newest page.
function bars(box, m) {
  const pages = Math.max(1, Math.ceil(m.count / PER_PAGE));
  const status = h('p', { class: 'muted', role: 'status' });
  const table = h('div', { class: 'scroll' });
  const btn = (text, to) => h('button', { type: 'button', onclick: () => go(to()) }, text);
  let page = pages;
  const first = btn('First page', () => 1);
  const prev = btn('Previous page', () => page - 1);
  const next = btn('Next page', () => page + 1);
  const last = btn('Last page', () => pages);
  const title = `Bars of ${m.symbol} (${m.timeframe})`;
  clear(box).append(h('h2', { id: 'h-bars', tabindex: '-1' }, title),
    h('div', { class: 'row', role: 'group', 'aria-label': 'Pages of bars' },
      first, prev, next, last), status, table);

  async function go(p) {
    page = Math.min(Math.max(1, p), pages);
    const q = `timeframe=${encodeURIComponent(m.timeframe)}&page=${page}&per_page=${PER_PAGE}`;
    const d = await api.get(`/api/market-data/${encodeURIComponent(m.symbol)}?${q}`);
    first.disabled = prev.disabled = page <= 1;
    next.disabled = last.disabled = page >= pages;
    status.textContent = `Page ${page} of ${pages}: ${d.items.length} of ${d.total} bars.`;
    clear(table).append(h('table', { class: 'tight', 'aria-label': `${title}, page ${page}` },
      h('thead', {}, h('tr', {}, ['Date', 'Open', 'High', 'Low', 'Close', 'Volume', 'Valid',
        'Source'].map((t, i) => h('th', { scope: 'col', class: i && i < 6 ? 'n' : '' }, t)))),
      h('tbody', {}, d.items.map((b) => h('tr', {}, h('td', {}, b.date),
        ...[b.open, b.high, b.low, b.close].map((v) => h('td', { class: 'n' }, money(v))),
        h('td', { class: 'n' }, String(b.volume)), h('td', {}, b.is_valid ? 'yes' : 'no'),
        h('td', {}, b.source ?? '—'))))));
  }
  return go(page);
}

export async function render(root, ctx) {
  const admin = ctx.me.role === 'admin';
  const box = alertBox();
  const news = h('p', { role: 'status', class: 'live' });
  const body = h('div', {});
  const barsBox = h('section', { class: 'card', 'aria-labelledby': 'h-bars', hidden: true });
  const sync = admin ? h('button', { type: 'button' }, 'Sync now') : null;
  let alive = true;
  let open = null;

  async function show(m) {
    open = m;
    barsBox.hidden = false;
    try {
      await bars(barsBox, m);
      barsBox.querySelector('h2').focus();
    } catch (e) { say(box, `The bars could not load: ${e.message}`); }
  }

  async function load() {
    const [list, today] = await Promise.all([api.get('/api/market-data'),
      api.get('/api/v2/performance/eod-status/today')]);
    if (!alive) return null;
    clear(body).append(list.length ? summary(list, expectedDay(today.date), show)
      : h('p', { class: 'card' }, 'No bars yet: run a sync.'));
    return list;
  }

  root.append(h('h1', {}, 'Market data'), box,
    sync ? h('div', { class: 'row' }, sync) : null, news, body, barsBox);
  if (sync) {
    sync.addEventListener('click', async () => {
      say(box, '');
      sync.disabled = true;
      try {
        const run = await runJob('sync', { alive: () => alive,
          onQueued: (q) => { news.textContent = `Sync queued (${q.id})…`; } });
        if (!alive) return;
        news.textContent = outcome('sync', run);
        const list = await load();
        // the open symbol's bars, with its new count (and so its pages)
        const m = open && list?.find((x) => x.symbol === open.symbol &&
          x.timeframe === open.timeframe);
        if (m) await bars(barsBox, (open = m));
      } catch (e) {
        say(box, e.hint ? `${e.message} (${e.hint})` : e.message);
        news.textContent = '';
      } finally { sync.disabled = false; }
    });
  }
  await load();
  // another run's sync (the scheduler's, a CLI's) changes the ranges
  const stop = listen(['job.finished'], (name, data) => {
    if (name === 'reset' || data?.name === 'sync') load().catch(() => {});
  });
  return () => { alive = false; stop(); };
}
