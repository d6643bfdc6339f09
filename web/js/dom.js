// dom.js — building the page. Every value is written as text (textContent,
// createElement): nothing from the server or the user is parsed as HTML.

// h('p', {class: 'x', for: 'id'}, 'text', child, ...): an element. Attribute
// values are set with setAttribute (never "style": the CSP forbids inline
// style; use a class). Children: nodes, strings (text), null (skipped).
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'style') throw new Error('inline style is refused by the CSP: use a class');
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

// A labelled input: {input, row}, the row's label for= the input's id.
export function field(id, label, attrs = {}) {
  const input = h('input', { id, name: id, ...attrs });
  return { input, row: h('div', { class: 'field' }, h('label', { for: id }, label), input) };
}

// An element announced to screen readers when its text changes.
export function alertBox() {
  return h('p', { role: 'alert', class: 'alert', hidden: true });
}

export function say(box, text) {
  box.textContent = text || '';
  box.hidden = !text;
}

// --- numbers as people read them ------------------------------------------

const nf2 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

// "10432.118900" (exact decimal text) → "10,432.12"
export function money(s) {
  if (s === null || s === undefined || s === '') return '—';
  return nf2.format(Number(s));
}

// 0.012345 (a fraction) → "1.23%"
export function pct(x, digits = 2) {
  if (x === null || x === undefined) return '—';
  return `${(x * 100).toFixed(digits)}%`;
}

export function num(x, digits = 2) {
  if (x === null || x === undefined) return '—';
  return Number(x).toFixed(digits);
}

export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

// The same to the minute, the date short: for tables of several times in a
// half-width card (the job tables).
export function whenShort(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso
    : d.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });
}
