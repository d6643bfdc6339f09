// pages/overview.js — each strategy beside the baseline: key figures, the
// equity curve over its drawdown, regime and target weights, positions, the
// scheduler, data freshness. An eod.finalized event reloads it in place.

import * as api from '../api.js';
import { h, clear, money, pct, num, when, whenShort } from '../dom.js';
import { equityAndDrawdown } from '../chart.js';
import { listen } from '../events.js';
import { lastRun, errorRow, statusCell } from '../jobs.js';

const STALE_DAYS = 4;   /* a weekend and a holiday; more is a sync that did not run */

const get = (path) => api.get(path).catch((e) => {
  if (e instanceof api.ApiError && e.status === 404) return null;
  throw e;
});

function signed(text, x) {
  return h('td', { class: `n ${x > 0 ? 'pos' : x < 0 ? 'neg' : ''}` }, text);
}

function kpiTable(ents, daily) {
  const head = ['Equity', "Today's return", 'Cumulative return', 'Drawdown', 'Sharpe', 'Sortino',
    'Calmar', 'CAGR', 'Max drawdown', 'Win rate', 'As of'];
  const rows = ents.map((e, i) => {
    const d = daily[i];
    const name = h('th', { scope: 'row' }, e.id, h('span', { class: 'muted' },
      e.type === 'baseline' ? ' baseline' : ''));
    if (!d) return h('tr', {}, name, h('td', { colspan: head.length }, 'No history yet'));
    return h('tr', {}, name,
      h('td', { class: 'n' }, money(d.total_equity)),
      signed(pct(d.daily_return), d.daily_return),
      signed(pct(d.cumulative_return), d.cumulative_return),
      signed(pct(d.drawdown), d.drawdown),
      h('td', { class: 'n' }, num(d.sharpe_ratio)), h('td', { class: 'n' }, num(d.sortino_ratio)),
      h('td', { class: 'n' }, num(d.calmar_ratio)), h('td', { class: 'n' }, pct(d.cagr)),
      signed(pct(d.max_drawdown), d.max_drawdown),
      h('td', { class: 'n' }, d.win_rate == null ? '—' : `${num(d.win_rate)}%`),
      h('td', {}, d.trading_date));
  });
  return h('section', { class: 'card scroll' }, h('table', {},
    h('caption', {}, 'Key figures'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Strategy'),
      head.map((t) => h('th', { scope: 'col', class: t === 'As of' ? '' : 'n' }, t)))),
    h('tbody', {}, rows)));
}

function regime(states) {
  return states.filter(Boolean).map((s) => {
    const weights = Object.entries(s.target_weights || {});
    return h('section', { class: 'card', 'aria-label': `Regime of ${s.strategy}` },
      h('h3', {}, `${s.strategy}: regime on ${s.date}`),
      h('div', { class: 'split' }, h('dl', { class: 'kv' },
        h('dt', {}, 'Cell'), h('dd', {}, s.cell ?? '—'),
        h('dt', {}, 'Trend'), h('dd', {}, s.trend_state ?? '—'),
        h('dt', {}, 'Volatility'), h('dd', {}, s.vol_state ?? '—'),
        h('dt', {}, 't_norm'), h('dd', {}, num(s.t_norm, 4)),
        h('dt', {}, 'z-score'), h('dd', {}, num(s.z_score, 4))),
      h('table', {}, h('caption', {}, 'Target weights'),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Symbol'),
          h('th', { scope: 'col', class: 'n' }, 'Weight'))),
        h('tbody', {}, weights.length ? weights.map(([sym, w]) => h('tr', {},
          h('td', {}, sym), h('td', { class: 'n' }, pct(w)))) : h('tr', {},
          h('td', { colspan: 2 }, 'All cash'))))));
  });
}

function positions(list) {
  const items = list?.items || [];
  return h('section', { class: 'card', 'aria-labelledby': 'h-pos' },
    h('h2', { id: 'h-pos' }, 'Positions'),
    items.length ? h('div', { class: 'scroll' }, h('table', {},
      h('thead', {}, h('tr', {}, ['Strategy', 'Symbol', 'Quantity', 'Average cost', 'Value',
        'Unrealised P&L'].map((t, i) => h('th', { scope: 'col', class: i > 1 ? 'n' : '' }, t)))),
      h('tbody', {}, items.map((p) => h('tr', {}, h('td', {}, p.strategy_id),
        h('td', {}, p.symbol), h('td', { class: 'n' }, String(p.quantity)),
        h('td', { class: 'n' }, money(p.avg_cost)), h('td', { class: 'n' }, money(p.market_value)),
        signed(money(p.unrealized_pnl), Number(p.unrealized_pnl)))))))
      : h('p', {}, 'No open position.'));
}

function scheduler(s) {
  const jobs = s?.jobs || [];
  return h('section', { class: 'card', 'aria-labelledby': 'h-jobs' },
    h('h2', { id: 'h-jobs' }, 'Jobs'),
    h('p', { class: 'muted' }, s?.enabled ? 'The scheduler runs the jobs.' :
      'The scheduler is off in this process: jobs run on request only.'),
    h('div', { class: 'scroll' }, h('table', {},
      h('thead', {}, h('tr', {}, ['Job', 'At', 'Next run', 'Last run', 'Status']
        .map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, jobs.flatMap((j) => [h('tr', {}, h('td', {}, j.name), h('td', {}, j.at),
        h('td', {}, j.paused ? 'paused' : whenShort(j.next?.at)),
        h('td', {}, lastRun(j).at), statusCell(j)), errorRow(j, 5)])))));
}

function freshness(md) {
  const today = Date.now();
  const rows = (md || []).map((m) => {
    const age = Math.floor((today - Date.parse(`${m.last}T21:00:00Z`)) / 86400000);
    return { ...m, age, stale: age > STALE_DAYS };
  });
  const stale = rows.filter((r) => r.stale);
  return h('section', { class: 'card', 'aria-labelledby': 'h-data' },
    h('h2', { id: 'h-data' }, 'Data freshness'),
    stale.length ? h('p', { class: 'warn', role: 'status' },
      `Stale: ${stale.map((r) => r.symbol).join(', ')} (newest bar more than ${STALE_DAYS} ` +
      'days old). Run a sync, or check its source.') : h('p', { class: 'muted' },
      'Every symbol is up to date.'),
    h('div', { class: 'scroll' }, h('table', {},
      h('thead', {}, h('tr', {}, ['Symbol', 'Newest bar', 'Bars', 'Gaps', 'Last sync']
        .map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows.map((r) => h('tr', {}, h('td', {}, r.symbol),
        h('td', { class: r.stale ? 'neg' : '' }, r.stale ? `${r.last} (stale)` : r.last),
        h('td', {}, String(r.count)), h('td', {}, String(r.gaps)),
        h('td', {}, when(r.last_sync))))))));
}

async function load() {
  const ents = await api.get('/api/strategies');
  const strategies = ents.filter((e) => e.type === 'strategy');
  const ids = ents.map((e) => encodeURIComponent(e.id)).join(',');
  const [daily, comparison, states, pos, sched, md] = await Promise.all([
    Promise.all(ents.map((e) => get(`/api/v2/performance/${encodeURIComponent(e.id)}/daily`))),
    ents.length ? get(`/api/v2/performance/comparison?entities=${ids}`) : null,
    Promise.all(strategies.map((e) => get(`/api/strategies/${encodeURIComponent(e.id)}/state`))),
    get('/api/positions'), get('/api/scheduler'), get('/api/market-data'),
  ]);
  return { ents, daily, comparison, states, pos, sched, md };
}

export async function render(root, ctx) {
  const body = h('div', {});
  const live = h('p', { class: 'live', role: 'status' }, '');
  root.append(h('h1', {}, 'Overview'), live, body);
  let chart = null;
  let gen = 0;

  async function draw() {
    const my = ++gen;
    const d = await load();
    if (my !== gen) return;
    if (chart) chart.destroy();
    chart = null;
    const curve = h('section', { class: 'card', 'aria-labelledby': 'h-curve' },
      h('h2', { id: 'h-curve' }, 'Equity and drawdown'));
    clear(body).append(kpiTable(d.ents, d.daily), curve);
    const rows = d.comparison?.rows || [];
    if (rows.length) {
      chart = equityAndDrawdown(d.ents.map((e) => ({ id: e.id, baseline: e.type === 'baseline' })),
        rows);
      curve.append(chart.el);
    } else {
      curve.append(h('p', {}, 'No history yet: run the EOD job (or `jutsu eod backfill`).'));
    }
    body.append(h('div', { class: 'grid' }, ...regime(d.states)), positions(d.pos),
      h('div', { class: 'grid' }, scheduler(d.sched), freshness(d.md)));
  }

  await draw();
  // A new EOD row, or a job's end (the jobs' last runs); several at once
  // (an EOD run ends with both) make one reload.
  let soon = null;
  const stop = listen(['eod.finalized', 'job.finished'], () => {
    clearTimeout(soon);
    soon = setTimeout(() => draw().then(
      () => { live.textContent = `Updated at ${new Date().toLocaleTimeString()}.`; },
      (e) => { live.textContent = `Could not update: ${e.message}`; }), 150);
  });
  return () => { gen++; clearTimeout(soon); stop(); if (chart) chart.destroy(); };
}
