// pages/trades.js — the trades, filtered by strategy, symbol and dates,
// a page at a time, with their summary and a CSV export. The filters and
// the page live in the URL (?strategy=&symbol=&from=&to=&page=), so a
// shared link restores them and Back returns to the previous filter.

import * as api from '../api.js';
import { h, money, num, when, alertBox, say } from '../dom.js';
import { table, pager, pageCount, signClass } from '../table.js';

const PER_PAGE = 25;
const FILTERS = ['strategy', 'symbol', 'from', 'to'];
const why = (e) => (e.hint ? `${e.message} (${e.hint})` : e.message);

function filtersFrom(search) {
  const q = new URLSearchParams(search);
  const f = {};
  for (const k of FILTERS) if (q.get(k)) f[k] = q.get(k);
  const page = Number(q.get('page'));
  const per = Number(q.get('per_page'));
  return { f, page: Number.isInteger(page) && page > 0 ? page : 1,
    perPage: Number.isInteger(per) && per > 0 && per <= 500 ? per : PER_PAGE };
}

const COLUMNS = [
  { title: 'Time', cell: (t) => when(t.timestamp) },
  { title: 'Strategy', cell: (t) => t.strategy_id },
  { title: 'Mode', cell: (t) => t.mode },
  { title: 'Symbol', cell: (t) => t.symbol },
  { title: 'Action', cell: (t) => t.action },
  { title: 'Quantity', num: true, cell: (t) => String(t.quantity) },
  { title: 'Fill price', num: true, cell: (t) => money(t.fill_price) },
  { title: 'Value', num: true, cell: (t) => money(t.fill_value) },
  { title: 'Realised P&L', num: true, cell: (t) => money(t.realized_pnl),
    cls: (t) => signClass(Number(t.realized_pnl)) },
  { title: 'Cell', num: true,
    cell: (t) => (t.strategy_cell == null ? '—' : String(t.strategy_cell)) },
  { title: 'Reason', cell: (t) => t.reason || '—' },
];

function summaryLine(s) {
  const win = s.win_rate == null ? 'no closed trade yet' : `win rate ${num(s.win_rate)}%`;
  return `${s.total_trades} trades (${s.buys} buys, ${s.sells} sells); ` +
    `${s.winning_trades} winning, ${s.losing_trades} losing, ${win}; ` +
    `realised P&L ${money(s.realized_pnl)}; bought ${money(s.bought_value)}, ` +
    `sold ${money(s.sold_value)}.`;
}

// The export needs the access token, which a plain link would not carry:
// the CSV is fetched with it and handed to the browser as a download.
async function exportCsv(qs) {
  const path = `/api/trades/export${qs ? `?${qs}` : ''}`;
  const once = () => fetch(path, { headers: { Authorization: `Bearer ${api.token()}` } });
  let res = await once();
  if (res.status === 401 && (await api.renew())) res = await once();
  if (!res.ok) {
    let body = null;
    try { body = await res.json(); } catch { /* not JSON */ }
    throw new api.ApiError(res.status, body);
  }
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: 'trades.csv', class: 'sr' }, 'trades.csv');
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export async function render(root, ctx) {
  const { f, page, perPage } = filtersFrom(location.search);
  const box = alertBox();
  const ents = (await api.get('/api/strategies')).filter((e) => e.type === 'strategy');

  const strategy = h('select', { id: 'tr-strategy', name: 'strategy' },
    h('option', { value: '' }, 'All strategies'),
    ents.map((e) => h('option', { value: e.id, selected: e.id === f.strategy }, e.id)));
  const symbol = h('input', { id: 'tr-symbol', name: 'symbol', value: f.symbol || '',
    autocapitalize: 'characters', spellcheck: 'false', maxlength: 16, placeholder: 'e.g. TQQQ' });
  const from = h('input', { id: 'tr-from', name: 'from', type: 'date', value: f.from || '' });
  const to = h('input', { id: 'tr-to', name: 'to', type: 'date', value: f.to || '' });
  const fld = (input, label) => h('div', { class: 'field' }, h('label', { for: input.id }, label),
    input);
  const clearBtn = h('button', { type: 'button', class: 'secondary' }, 'Clear filters');
  const form = h('form', { class: 'filters', 'aria-label': 'Filter trades' },
    fld(strategy, 'Strategy'), fld(symbol, 'Symbol'), fld(from, 'From'), fld(to, 'To'),
    h('div', { class: 'row actions' }, h('button', { type: 'submit' }, 'Apply filters'),
      clearBtn));

  const go = (filters, p = 1) => {
    const q = new URLSearchParams();
    for (const k of FILTERS) if (filters[k]) q.set(k, filters[k]);
    if (perPage !== PER_PAGE) q.set('per_page', String(perPage));
    if (p > 1) q.set('page', String(p));
    const s = q.toString();
    ctx.navigate(`/trades${s ? `?${s}` : ''}`);
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    go({ strategy: strategy.value, symbol: symbol.value.trim().toUpperCase(),
      from: from.value, to: to.value });
  });
  clearBtn.addEventListener('click', () => go({}));

  const fq = new URLSearchParams(f).toString();
  const exportBtn = h('button', { type: 'button' }, 'Export CSV');
  exportBtn.addEventListener('click', async () => {
    say(box, '');
    exportBtn.disabled = true;
    try { await exportCsv(fq); } catch (e) { say(box, `The export failed: ${why(e)}`); }
    exportBtn.disabled = false;
  });

  root.append(h('h1', {}, 'Trades'), box, h('section', { class: 'card' }, form));
  const list = h('section', { class: 'card', 'aria-labelledby': 'h-trades' });
  root.append(list);
  let data;
  let sum;
  try {
    const lq = new URLSearchParams({ ...f, page: String(page), per_page: String(perPage) });
    [data, sum] = await Promise.all([api.get(`/api/trades?${lq}`),
      api.get(`/api/trades/summary${fq ? `?${fq}` : ''}`)]);
  } catch (e) {
    if (!(e instanceof api.ApiError) || e.status !== 400) throw e;
    say(box, `These filters do not work: ${why(e)}`);
    return null;
  }
  const pages = pageCount(data.total, perPage);
  list.append(h('div', { class: 'row spread' }, h('h2', { id: 'h-trades' }, 'Trades'), exportBtn),
    h('p', { class: 'summary' }, summaryLine(sum)),
    table({ caption: `Trades, newest first (${data.total} in all)`, columns: COLUMNS,
      rows: data.items, empty: 'No trade matches these filters.' }));
  if (data.total > perPage || page > 1)
    list.append(pager({ page, pages, label: 'Pages of trades', go: (n) => go(f, n) }));
  return null;
}
