// pages/backtest.js — a backtest of a strategy over dates, a capital and
// parameter values (POST /api/backtest, which keeps nothing): its KPIs,
// curve, years and trades beside the baseline's and beside a run with the
// live parameters. Running needs the control permission: a viewer reads the
// parameters and a note instead of the form.

import * as api from '../api.js';
import { h, clear, money, pct, num, alertBox, say } from '../dom.js';
import { equityAndDrawdown } from '../chart.js';
import { table, pagedTable, signClass } from '../table.js';
import { shift, today } from '../range.js';

const why = (e) => (e.hint ? `${e.message} (${e.hint})` : e.message);
const RUN = 'This run';
const LIVE = 'Live parameters';

// The parameters a backtest can set, with their live values.
const settable = (s) => (s.parameters || []).filter((p) => p.overridable &&
  ['int', 'float', 'decimal', 'bool', 'str'].includes(p.type));
const text = (v) => (v === null || v === undefined ? '' : String(v));

function paramInput(p) {
  const id = `bt-p-${p.name}`;
  const desc = h('p', { id: `${id}-help`, class: 'phelp' },
    `Live value ${text(p.value)}${p.help ? `. ${p.help}` : ''}`);
  const common = { id, name: p.name, 'aria-describedby': desc.id, 'data-live': text(p.value) };
  let input;
  if (p.type === 'bool') {
    input = h('input', { ...common, type: 'checkbox', checked: p.value === true });
    return { p, input, value: () => String(input.checked),
      row: h('div', { class: 'field check' }, input, h('label', { for: id }, p.name), desc) };
  }
  if (p.type === 'int') input = h('input', { ...common, type: 'number', step: 1, required: true });
  else if (p.type === 'float') {
    input = h('input', { ...common, type: 'number', step: 'any', required: true });
  } else input = h('input', { ...common, inputmode: p.type === 'decimal' ? 'decimal' : null });
  input.value = text(p.value);
  return { p, input, value: () => input.value.trim(),
    row: h('div', { class: 'field' }, h('label', { for: id }, p.name), input, desc) };
}

const KPIS = [
  ['Final equity', (s) => money(s.final_equity)],
  ['Total return', (s) => pct(s.total_return), (s) => signClass(s.total_return)],
  ['CAGR', (s) => pct(s.cagr), (s) => signClass(s.cagr)],
  ['Sharpe', (s) => num(s.sharpe)],
  ['Sortino', (s) => num(s.sortino)],
  ['Calmar', (s) => num(s.calmar)],
  ['Max drawdown', (s) => pct(s.max_drawdown)],
  ['Volatility', (s) => pct(s.volatility)],
  ['Trades', (s) => String(s.trades)],
  ['Win rate', (s) => (s.win_rate == null ? '—' : `${num(s.win_rate)}%`)],
  ['Days', (s) => String(s.days)],
  ['Final allocation', (s) => s.final_allocation || '—'],
];

// sides: [[name, side]] with side = a run's strategy or baseline.
function kpiTable(sides) {
  return table({ caption: 'Key figures', rows: KPIS, columns: [
    { title: 'Figure', th: true, cell: (k) => k[0] },
    ...sides.map(([name, s]) => ({ title: name, num: true, cell: (k) => k[1](s),
      cls: (k) => (k[2] ? k[2](s) : '') })),
  ] });
}

function yearsTable(run, live) {
  const liveYear = (y) => live?.years.find((x) => x.year === y.year);
  return table({ caption: 'Returns per year', rows: run.years, columns: [
    { title: 'Year', th: true, cell: (y) => String(y.year) },
    { title: RUN, num: true, cell: (y) => pct(y.strategy_return),
      cls: (y) => signClass(y.strategy_return) },
    ...(live ? [{ title: LIVE, num: true, cell: (y) => pct(liveYear(y)?.strategy_return),
      cls: (y) => signClass(liveYear(y)?.strategy_return) }] : []),
    { title: `Baseline ${run.baseline?.id || ''}`.trim(), num: true,
      cell: (y) => pct(y.baseline_return), cls: (y) => signClass(y.baseline_return) },
    { title: 'This run − baseline', num: true, cell: (y) => pct(y.difference),
      cls: (y) => signClass(y.difference) },
  ] });
}

function tradesTable(run) {
  return pagedTable({ caption: `Trades of this run (${run.trades.length})`,
    rows: run.trades, empty: 'This run made no trade.', columns: [
      { title: 'Date', cell: (t) => t.date },
      { title: 'Symbol', cell: (t) => t.symbol },
      { title: 'Action', cell: (t) => t.action },
      { title: 'Quantity', num: true, cell: (t) => String(t.quantity) },
      { title: 'Fill price', num: true, cell: (t) => money(t.fill_price) },
      { title: 'Value', num: true, cell: (t) => money(t.value) },
      { title: 'Realised P&L', num: true, cell: (t) => money(t.realized_pnl),
        cls: (t) => signClass(Number(t.realized_pnl)) },
      { title: 'Reason', cell: (t) => t.reason || '—' },
    ] });
}

// The runs' daily series in the comparison route's shape, for chart.js.
function curveRows(run, live) {
  const rows = new Map();
  const at = (d) => {
    if (!rows.has(d)) rows.set(d, { date: d });
    return rows.get(d);
  };
  const base = run.baseline?.id || 'Baseline';
  for (const d of run.daily) {
    at(d.date)[RUN] = { equity: d.equity, drawdown: d.drawdown };
    if (d.baseline_equity != null)
      at(d.date)[base] = { equity: d.baseline_equity, drawdown: d.baseline_drawdown };
  }
  for (const d of live?.daily || []) at(d.date)[LIVE] = { equity: d.equity, drawdown: d.drawdown };
  const series = [{ id: RUN }];
  if (live) series.push({ id: LIVE });
  if (run.baseline) series.push({ id: base, baseline: true });
  return { series, rows: [...rows.values()].sort((a, b) => (a.date < b.date ? -1 : 1)) };
}

async function defaultDates() {
  let md = [];
  try { md = await api.get('/api/market-data'); } catch { /* today, then */ }
  // the last day every symbol has a bar: the newest a run can trade whole
  const lasts = (md || []).map((m) => (m.last || '').slice(0, 10)).filter(Boolean).sort();
  const to = lasts.length ? lasts[0] : today();
  return { from: shift(to, -12), to };
}

export async function render(root, ctx) {
  const ents = (await api.get('/api/strategies')).filter((e) => e.type === 'strategy');
  root.append(h('h1', {}, 'Backtest'));
  if (!ents.length) {
    root.append(h('p', {}, 'No strategy instance in the config.'));
    return null;
  }
  const admin = ctx.me?.role === 'admin';
  const q = new URLSearchParams(location.search);
  let id = ents.some((e) => e.id === q.get('strategy')) ? q.get('strategy') : ents[0].id;
  const box = alertBox();
  const status = h('p', { class: 'live', role: 'status' }, '');
  const form = h('div', {});
  const results = h('div', {});
  let chart = null;
  let liveRun = null;   /* {key, result}: the live parameters' run of these dates and capital */
  const dates = await defaultDates();

  const pick = h('select', { id: 'bt-strategy', name: 'strategy' },
    ents.map((e) => h('option', { value: e.id, selected: e.id === id }, e.id)));
  if (!admin) {
    root.append(h('p', { class: 'warn' }, 'Running a backtest needs the admin role (the ' +
      'control permission). You can read the strategies\' live parameters here; ask an ' +
      'admin to run one.'));
  }
  root.append(h('section', { class: 'card' }, h('div', { class: 'field narrowfield' },
    h('label', { for: pick.id }, 'Strategy'), pick), form), box, status, results);

  async function showForm() {
    const s = await api.get(`/api/strategies/${encodeURIComponent(id)}`);
    const params = settable(s);
    if (!admin) {
      clear(form).append(table({ caption: `Live parameters of ${s.id}`, rows: params,
        columns: [{ title: 'Parameter', th: true, cell: (p) => p.name },
          { title: 'Live value', num: true, cell: (p) => text(p.value) },
          { title: 'What it does', cell: (p) => p.help || '' }] }));
      return;
    }
    const fld = (fid, label, attrs) => {
      const input = h('input', { id: fid, name: fid, ...attrs });
      return { input, row: h('div', { class: 'field' }, h('label', { for: fid }, label), input) };
    };
    const from = fld('bt-from', 'From', { type: 'date', required: true, value: dates.from });
    const to = fld('bt-to', 'To', { type: 'date', required: true, value: dates.to });
    // "10000.000000" shown as 10000: the zeros after the point only
    const initial = (s.initial_capital || '10000').replace(/(\.\d*?)0+$/, '$1')
      .replace(/\.$/, '');
    const capital = fld('bt-capital', 'Capital', { inputmode: 'decimal', required: true,
      value: initial, pattern: '[0-9]+(\\.[0-9]{1,6})?',
      title: 'An amount such as 10000 or 2500.50' });
    const inputs = params.map(paramInput);
    const run = h('button', { type: 'submit' }, 'Run backtest');
    const reset = h('button', { type: 'button', class: 'secondary' }, 'Live values');
    reset.addEventListener('click', () => {
      for (const x of inputs) {
        if (x.p.type === 'bool') x.input.checked = x.input.dataset.live === 'true';
        else x.input.value = x.input.dataset.live;
      }
    });
    const f = h('form', { 'aria-label': 'Backtest' },
      h('div', { class: 'filters' }, from.row, to.row, capital.row),
      // folded: 30-odd inputs would push the button and the results far down
      params.length ? h('details', { class: 'params' }, h('summary', {},
        `Parameters (${params.length}; the live values unless you change them)`),
      h('div', { class: 'pgrid' }, inputs.map((x) => x.row))) : null,
      h('div', { class: 'row actions' }, run, reset));
    clear(form).append(f);
    f.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const body = { strategy: id, from: from.input.value, to: to.input.value,
        capital: capital.input.value.trim() };
      const changed = {};
      for (const x of inputs) if (x.value() !== x.input.dataset.live) changed[x.p.name] = x.value();
      run.disabled = true;
      say(box, '');
      status.textContent = 'Running…';
      try {
        const key = JSON.stringify(body);
        if (!liveRun || liveRun.key !== key) {
          liveRun = { key, result: await api.post('/api/backtest', body) };
        }
        const mine = Object.keys(changed).length
          ? await api.post('/api/backtest', { ...body, parameters: changed }) : null;
        show(mine || liveRun.result, mine ? liveRun.result : null, changed);
        status.textContent = `Done: ${body.strategy} from ${body.from} to ${body.to}.`;
      } catch (e) {
        status.textContent = '';
        say(box, e.status === 429 ? `Too many backtests run now: ${why(e)}. Try again in a ` +
          'moment.' : `The backtest did not run: ${why(e)}`);
      } finally {
        run.disabled = false;
      }
    });
  }

  function show(run, live, changed) {
    if (chart) { chart.destroy(); chart = null; }
    const names = Object.entries(changed).map(([k, v]) => `${k} = ${v}`).join(', ');
    const sides = [[RUN, run.strategy]];
    if (live) sides.push([LIVE, live.strategy]);
    if (run.baseline) sides.push([`Baseline ${run.baseline.id}`, run.baseline]);
    const { series, rows } = curveRows(run, live);
    const curve = h('section', { class: 'card', 'aria-labelledby': 'h-bt-curve' },
      h('h2', { id: 'h-bt-curve' }, 'Equity and drawdown'));
    if (rows.length) {
      chart = equityAndDrawdown(series, rows);
      curve.append(chart.el);
    } else curve.append(h('p', { class: 'muted' }, 'No trading day in this range.'));
    clear(results).append(
      h('section', { class: 'card', 'aria-labelledby': 'h-bt-kpi' },
        h('h2', { id: 'h-bt-kpi' }, 'Results'),
        h('p', { class: 'muted' }, live ? `This run changes ${names}; "${LIVE}" is the same ` +
          'range with the strategy\'s live values.' : 'This run uses the live parameters.'),
        kpiTable(sides)),
      curve,
      h('section', { class: 'card', 'aria-labelledby': 'h-bt-years' },
        h('h2', { id: 'h-bt-years' }, 'Per year'), yearsTable(run, live)),
      h('section', { class: 'card', 'aria-labelledby': 'h-bt-trades' },
        h('h2', { id: 'h-bt-trades' }, 'Trades'), tradesTable(run)));
  }

  pick.addEventListener('change', async () => {
    id = pick.value;
    liveRun = null;
    history.replaceState(null, '', `/backtest?strategy=${encodeURIComponent(id)}`);
    try { await showForm(); } catch (e) { say(box, `Could not load ${id}: ${why(e)}`); }
  });
  await showForm();
  return () => { if (chart) chart.destroy(); };
}
