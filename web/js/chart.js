// chart.js — the equity curve over its drawdown panel (uPlot): one time
// axis, one crosshair (uPlot's cursor sync), colours from the stylesheet so
// the light and dark themes apply. Each chart is an image to assistive
// technology, named by the figures it shows.

import uPlot from '/vendor/uPlot.esm.js';
import { h, money } from './dom.js';

const COLORS = ['--s1', '--s2', '--s3', '--s4'];

function css(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

const day = (d) => Date.parse(`${d}T00:00:00Z`) / 1000;

function axes(fmt) {
  const fg = css('--muted');
  const grid = { stroke: css('--line'), width: 1 };
  return [{ stroke: fg, grid, ticks: grid },
    { stroke: fg, grid, ticks: grid, size: 72, values: (u, vs) => vs.map(fmt) }];
}

// series: [{id, baseline}], rows: the comparison route's rows. Returns
// {el, destroy, summary}.
export function equityAndDrawdown(series, rows) {
  const xs = rows.map((r) => day(r.date));
  const pick = (k) => series.map((s) => rows.map((r) => (r[s.id] ? Number(r[s.id][k]) : null)));
  const eq = pick('equity');
  const dd = pick('drawdown').map((a) => a.map((v) => (v === null ? null : v * 100)));
  const color = (s, i) => css(s.baseline ? '--base' : COLORS[i % COLORS.length]);
  const key = `overview-${Math.random().toString(36).slice(2)}`;
  const cursor = { sync: { key, setSeries: true }, drag: { x: false, y: false } };
  const date = (v) => new Date(v * 1000).toISOString().slice(0, 10);
  const mk = (vals, fmt, height, fill) => ({
    width: 600, height, cursor, legend: { show: true },
    scales: { x: { time: true } },
    axes: axes(fmt),
    series: [{ value: (u, v) => (v == null ? '—' : date(v)) },
      ...series.map((s, i) => ({ label: s.id, stroke: color(s, i), width: s.baseline ? 1.5 : 2,
        dash: s.baseline ? [6, 4] : undefined, fill: fill ? `${color(s, i)}22` : undefined,
        spanGaps: false, value: (u, v) => (v == null ? '—' : fmt(v)) }))],
  });
  const eqBox = h('div', { class: 'chart' });
  const ddBox = h('div', { class: 'chart' });
  const money0 = (v) => money(v).replace(/\.\d\d$/, '');
  const u1 = new uPlot(mk(eq, money0, 260, false), [xs, ...eq], eqBox);
  const u2 = new uPlot(mk(dd, (v) => `${v.toFixed(1)}%`, 130, true), [xs, ...dd], ddBox);

  // The figures the charts show, in words: first and last value per series.
  const words = series.map((s, i) => {
    const first = eq[i].findIndex((v) => v !== null);
    if (first < 0) return `${s.id}: no history`;
    let last = eq[i].length - 1;
    while (eq[i][last] === null) last--;
    const minDd = Math.min(...dd[i].filter((v) => v !== null));
    return `${s.id} ${money(eq[i][first])} on ${rows[first].date} to ${money(eq[i][last])} on ` +
      `${rows[last].date}, deepest drawdown ${minDd.toFixed(2)}%`;
  });
  const eqText = `Equity: ${words.join('; ')}.`;
  const ddText = 'Drawdown from the high-water mark, per day, same dates as the equity curve.';
  eqBox.setAttribute('role', 'img');
  eqBox.setAttribute('aria-label', eqText);
  ddBox.setAttribute('role', 'img');
  ddBox.setAttribute('aria-label', ddText);
  const el = h('figure', {}, eqBox, ddBox, h('figcaption', {}, eqText));
  const fit = () => {
    const w = Math.max(280, el.clientWidth);
    u1.setSize({ width: w, height: 260 });
    u2.setSize({ width: w, height: 130 });
  };
  const ro = new ResizeObserver(fit);
  ro.observe(el);
  return { el, summary: eqText, destroy: () => { ro.disconnect(); u1.destroy(); u2.destroy(); } };
}

