// pages/performance.js — one entity's history over a date range: the daily
// rows, the returns per year and per month (a calendar heat map), and
// several entities on one chart. The entity and the range are in the URL
// (?entity=&from=&to=) so that a shared link shows the same; a new EOD row
// reloads what is shown.

import * as api from '../api.js';
import { h, clear, money, pct, num, alertBox, say } from '../dom.js';
import { equityAndDrawdown } from '../chart.js';
import { listen } from '../events.js';
import { table, pagedTable, signClass } from '../table.js';
import { rangePicker } from '../range.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov',
  'Dec'];
const ALL_DAYS = 5000;   /* the history route's most rows by count: 20 years */

const enc = encodeURIComponent;

function query(range) {
  const q = new URLSearchParams();
  if (range.from) q.set('from', range.from);
  if (range.to) q.set('to', range.to);
  return q;
}

// The heat map's shade of a month: its sign and a step of size (CSS classes,
// never inline style); the cell's text is the number itself.
function heat(x) {
  if (x === null || x === undefined) return 'heat';
  const a = Math.abs(x);
  const step = a < 0.01 ? 1 : a < 0.03 ? 2 : a < 0.06 ? 3 : 4;
  return `heat ${x >= 0 ? 'up' : 'down'}${step}`;
}

function heatMap(entity, ret) {
  const byYear = new Map(ret.years.map((y) => [y.year, { year: y, months: [] }]));
  for (const m of ret.months) {
    if (!byYear.has(m.year)) byYear.set(m.year, { year: null, months: [] });
    byYear.get(m.year).months[m.month - 1] = m;
  }
  const years = [...byYear.keys()].sort((a, b) => a - b);
  if (!years.length) return h('p', { class: 'muted' }, 'No returns in this range.');
  return h('div', { class: 'heatbox' }, h('div', { class: 'scroll', tabindex: 0, role: 'region',
    'aria-label': `Monthly returns of ${entity}` },
  h('table', { class: 'heatmap' },
    h('caption', {}, `Monthly returns of ${entity}`),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Year'),
      MONTHS.map((m) => h('th', { scope: 'col', class: 'n' }, m)),
      h('th', { scope: 'col', class: 'n' }, 'Year'))),
    h('tbody', {}, years.map((y) => {
      const row = byYear.get(y);
      const total = row.year ? row.year.return : null;
      return h('tr', {}, h('th', { scope: 'row' }, String(y)),
        MONTHS.map((name, i) => {
          const m = row.months[i];
          return h('td', { class: `n ${heat(m?.return)}` }, m ? pct(m.return) : '');
        }),
        h('td', { class: `n total ${heat(total)}` }, total === null ? '' : pct(total)));
    })))),
  h('p', { class: 'muted small' }, 'Green a gain, red a loss; the deeper the colour, the ' +
    'larger the move. The last column is the year\'s return.'));
}

function yearsTable(ret) {
  return table({ caption: 'Returns per year', rows: ret.years, empty: 'No year in this range.',
    columns: [
      { title: 'Year', th: true, cell: (y) => String(y.year) },
      { title: 'Return', num: true, cell: (y) => pct(y.return), cls: (y) => signClass(y.return) },
      { title: 'Start equity', num: true, cell: (y) => money(y.start_equity) },
      { title: 'End equity', num: true, cell: (y) => money(y.end_equity) },
    ] });
}

const DAILY_COLUMNS = [
  { title: 'Date', th: true, cell: (d) => d.trading_date },
  { title: 'Equity', num: true, cell: (d) => money(d.total_equity) },
  { title: 'Cash', num: true, cell: (d) => money(d.cash) },
  { title: 'Daily return', num: true, cell: (d) => pct(d.daily_return),
    cls: (d) => signClass(d.daily_return) },
  { title: 'Cumulative return', num: true, cell: (d) => pct(d.cumulative_return),
    cls: (d) => signClass(d.cumulative_return) },
  { title: 'Drawdown', num: true, cell: (d) => pct(d.drawdown), cls: (d) => signClass(d.drawdown) },
  { title: 'Max drawdown', num: true, cell: (d) => pct(d.max_drawdown) },
  { title: 'Sharpe', num: true, cell: (d) => num(d.sharpe_ratio) },
  { title: 'Sortino', num: true, cell: (d) => num(d.sortino_ratio) },
  { title: 'Calmar', num: true, cell: (d) => num(d.calmar_ratio) },
  { title: 'Volatility', num: true, cell: (d) => pct(d.volatility) },
];

function dailyTable(entity, hist) {
  const rows = [...hist.rows].reverse();   /* newest first, as a statement reads */
  return h('div', {}, pagedTable({ caption: `Daily history of ${entity} (newest first)`,
    columns: DAILY_COLUMNS, rows, empty: 'No daily row in this range.' }),
  hist.truncated ? h('p', { class: 'warn' }, 'Only the newest rows are shown: narrow the ' +
    'range to see older ones.') : null);
}

// The figures the comparison chart draws, as a table (its text alternative
// beside the caption chart.js writes).
function compareTable(ents, rows) {
  const last = (id) => [...rows].reverse().find((r) => r[id]);
  const first = (id) => rows.find((r) => r[id]);
  const minDd = (id) => Math.min(...rows.filter((r) => r[id]).map((r) => r[id].drawdown));
  return table({ caption: 'The chart in figures', rows: ents.filter((e) => first(e.id)),
    columns: [
      { title: 'Entity', th: true, cell: (e) => e.id },
      { title: 'First day', cell: (e) => first(e.id).date },
      { title: 'Equity then', num: true, cell: (e) => money(first(e.id)[e.id].equity) },
      { title: 'Last day', cell: (e) => last(e.id).date },
      { title: 'Equity now', num: true, cell: (e) => money(last(e.id)[e.id].equity) },
      { title: 'Cumulative return', num: true,
        cell: (e) => pct(last(e.id)[e.id].cumulative_return),
        cls: (e) => signClass(last(e.id)[e.id].cumulative_return) },
      { title: 'Deepest drawdown', num: true, cell: (e) => pct(minDd(e.id)) },
    ] });
}

function section(id, title, ...body) {
  return h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id }, title), ...body);
}

export async function render(root) {
  const ents = await api.get('/api/strategies');
  const q = new URLSearchParams(location.search);
  const known = (id) => ents.some((e) => e.id === id);
  let entity = known(q.get('entity')) ? q.get('entity') : ents[0]?.id;
  let range = { from: q.get('from') || '', to: q.get('to') || '' };
  const compared = new Set(ents.map((e) => e.id));
  let newest = '';
  let chart = null;
  let gen = 0;

  const box = alertBox();
  const live = h('p', { class: 'live', role: 'status' }, '');
  root.append(h('h1', {}, 'Performance'), box, live);
  if (!ents.length) {
    root.append(h('p', {}, 'No strategy or baseline in the config.'));
    return null;
  }

  const pick = h('select', { id: 'perf-entity', name: 'entity' }, ents.map((e) =>
    h('option', { value: e.id, selected: e.id === entity },
      e.type === 'baseline' ? `${e.id} (baseline)` : e.id)));
  const picker = rangePicker({ id: 'perf', ...range, newest: () => newest,
    onChange: (r) => { range = r; keep(); draw(); } });
  pick.addEventListener('change', () => { entity = pick.value; keep(); draw(); });
  const checks = ents.map((e) => {
    const c = h('input', { type: 'checkbox', id: `cmp-${e.id}`, value: e.id, checked: true });
    c.addEventListener('change', () => {
      if (c.checked) compared.add(e.id); else compared.delete(e.id);
      drawCompare(gen);
    });
    return h('div', { class: 'check' }, c, h('label', { for: c.id }, e.id));
  });

  const daily = h('div', {});
  const returns = h('div', {});
  const curve = h('div', {});
  root.append(
    h('section', { class: 'card filters', 'aria-label': 'What to show' },
      h('div', { class: 'field' }, h('label', { for: pick.id }, 'Strategy'), pick), picker.el),
    section('h-returns', 'Returns', returns),
    section('h-compare', 'Compared',
      h('fieldset', { class: 'checks' }, h('legend', {}, 'On the chart'), checks), curve),
    section('h-daily', 'Daily history', daily));

  // The URL says what is shown (replaced, not pushed: a range is not a page).
  function keep() {
    const u = query(range);
    u.set('entity', entity);
    history.replaceState(null, '', `/performance?${u}`);
  }

  async function drawCompare(my) {
    const ids = ents.filter((e) => compared.has(e.id));
    if (chart) { chart.destroy(); chart = null; }
    if (!ids.length) {
      clear(curve).append(h('p', { class: 'muted' }, 'Pick at least one to compare.'));
      return;
    }
    const u = query(range);
    u.set('entities', ids.map((e) => e.id).join(','));
    const cmp = await api.get(`/api/v2/performance/comparison?${u}`);
    if (my !== gen) return;
    if (chart) chart.destroy();
    clear(curve);
    chart = null;
    if (!cmp.rows.length) {
      curve.append(h('p', { class: 'muted' }, 'No history in this range.'));
      return;
    }
    chart = equityAndDrawdown(ids.map((e) => ({ id: e.id, baseline: e.type === 'baseline' })),
      cmp.rows);
    curve.append(chart.el, compareTable(ids, cmp.rows));
  }

  async function draw() {
    const my = ++gen;
    say(box, '');
    const e = enc(entity);
    const hq = query(range);
    if (!range.from) hq.set('days', String(ALL_DAYS));
    try {
      const [latest, hist, ret] = await Promise.all([
        api.get(`/api/v2/performance/${e}/daily`).catch((x) => {
          if (x instanceof api.ApiError && x.status === 404) return null;
          throw x;
        }),
        api.get(`/api/v2/performance/${e}/daily/history?${hq}`),
        api.get(`/api/v2/performance/${e}/returns?${query(range)}`),
      ]);
      if (my !== gen) return;
      newest = latest?.trading_date || '';
      clear(daily).append(dailyTable(entity, hist));
      clear(returns).append(yearsTable(ret), heatMap(entity, ret));
      await drawCompare(my);
    } catch (x) {
      if (my === gen) say(box, `Could not load: ${x.message}${x.hint ? ` (${x.hint})` : ''}`);
    }
  }

  await draw();
  let soon = null;
  const stop = listen(['eod.finalized'], () => {
    clearTimeout(soon);
    soon = setTimeout(() => draw().then(() => {
      live.textContent = `Updated at ${new Date().toLocaleTimeString()}.`;
    }), 150);
  });
  return () => { gen++; clearTimeout(soon); stop(); if (chart) chart.destroy(); };
}
