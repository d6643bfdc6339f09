// table.js — a table from column definitions, and a pager. Pages that list
// rows (performance, trades, backtest) share them so that every list reads
// and pages the same way.

import { h } from './dom.js';

// A column: {title, num?: right-aligned figures, cell: (row) => text or
// node, cls?: (row) => a class name, th?: the row's header (scope=row)}.
export function table({ caption, columns, rows, empty = 'Nothing to show.', label }) {
  if (!rows.length) return h('p', { class: 'muted' }, empty);
  const head = h('tr', {}, columns.map((c) =>
    h('th', { scope: 'col', class: c.num ? 'n' : null }, c.title)));
  const body = rows.map((r) => h('tr', {}, columns.map((c) => {
    const cls = [c.num ? 'n' : '', c.cls ? c.cls(r) : ''].filter(Boolean).join(' ') || null;
    return h(c.th ? 'th' : 'td', { scope: c.th ? 'row' : null, class: cls }, c.cell(r));
  })));
  return h('div', { class: 'scroll', tabindex: 0, role: 'region', 'aria-label': label || caption },
    h('table', {}, caption ? h('caption', {}, caption) : null, h('thead', {}, head),
      h('tbody', {}, body)));
}

// A sign's class: gains green, losses red.
export const signClass = (x) => (x > 0 ? 'pos' : x < 0 ? 'neg' : '');

export function pageCount(total, perPage) {
  return Math.max(1, Math.ceil(total / perPage));
}

// Previous / "Page N of M" / Next. go(n) is called with the page wanted.
export function pager({ page, pages, go, label = 'Pages' }) {
  const prev = h('button', { type: 'button', disabled: page <= 1 }, 'Previous');
  const next = h('button', { type: 'button', disabled: page >= pages }, 'Next');
  prev.addEventListener('click', () => go(page - 1));
  next.addEventListener('click', () => go(page + 1));
  return h('nav', { class: 'pager', 'aria-label': label }, prev,
    h('span', { class: 'muted' }, `Page ${page} of ${pages}`), next);
}

// rows[] seen a page at a time, in place: {el, rows shown} for a list the
// page already holds (a backtest's trades, a range of daily rows).
export function pagedTable(opts, perPage = 25) {
  const box = h('div', {});
  const pages = pageCount(opts.rows.length, perPage);
  let focusNext = null;
  const show = (page) => {
    const slice = opts.rows.slice((page - 1) * perPage, page * perPage);
    box.replaceChildren(table({ ...opts, rows: slice }));
    if (pages > 1) {
      const p = pager({ page, pages, label: `Pages of ${opts.caption}`, go: (n) => {
        focusNext = n > page ? 'Next' : 'Previous';
        show(n);
      } });
      box.append(p);
      // keep the keyboard on the pager after its page changed
      if (focusNext) {
        const b = [...p.querySelectorAll('button')].find((x) => x.textContent === focusNext);
        (b && !b.disabled ? b : p.querySelector('button:not([disabled])'))?.focus();
      }
    }
    focusNext = null;
  };
  show(1);
  return box;
}
