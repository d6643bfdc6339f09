// range.js — a date range: two labelled date inputs and the usual presets
// (1M 3M YTD 1Y All), counted back from the newest day with data rather
// than from today, so that a history that stopped (or the sample data)
// still shows something.

import { h } from './dom.js';

const iso = (d) => d.toISOString().slice(0, 10);

// date "YYYY-MM-DD" moved by whole months or years, in UTC; a day past the
// month's end falls to its last day (31 March - 1 month = 29 February).
export function shift(date, months) {
  const [y, m, d] = date.split('-').map(Number);
  const first = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0));
  return iso(new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(),
    Math.min(d, last.getUTCDate()))));
}

export const today = () => iso(new Date());

const PRESETS = [
  ['1M', 'the last month', (end) => shift(end, -1)],
  ['3M', 'the last 3 months', (end) => shift(end, -3)],
  ['YTD', 'the year to date', (end) => `${end.slice(0, 4)}-01-01`],
  ['1Y', 'the last year', (end) => shift(end, -12)],
  ['All', 'all the history', () => ''],
];

// {id, from, to, newest: () => the newest date with data, onChange({from,
// to})}: returns {el, value()}. An empty from or to is "no limit".
export function rangePicker({ id, from = '', to = '', newest, onChange }) {
  const fromIn = h('input', { id: `${id}-from`, name: 'from', type: 'date', value: from });
  const toIn = h('input', { id: `${id}-to`, name: 'to', type: 'date', value: to });
  const value = () => ({ from: fromIn.value, to: toIn.value });
  const buttons = PRESETS.map(([name, what, start]) => {
    const b = h('button', { type: 'button', class: 'preset', title: `Show ${what}`,
      'aria-pressed': 'false' }, name);
    b.addEventListener('click', () => {
      const end = newest() || today();
      fromIn.value = start(end);
      toIn.value = '';
      mark(name);
      onChange(value());
    });
    return b;
  });
  const mark = (name) => buttons.forEach((b) =>
    b.setAttribute('aria-pressed', String(b.textContent === name)));
  if (!from && !to) mark('All');
  for (const input of [fromIn, toIn]) {
    input.addEventListener('change', () => {
      if (input.value && !/^\d{4}-\d\d-\d\d$/.test(input.value)) return;
      mark(null);
      onChange(value());
    });
  }
  const el = h('div', { class: 'range' },
    h('div', { class: 'field' }, h('label', { for: fromIn.id }, 'From'), fromIn),
    h('div', { class: 'field' }, h('label', { for: toIn.id }, 'To'), toIn),
    h('div', { class: 'presets', role: 'group', 'aria-label': 'Preset ranges' }, buttons));
  return { el, value };
}
