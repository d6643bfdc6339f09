// pages/config.js — (admin) each strategy's parameters: value, default, the
// file's value, the rule they must keep, the active override; "Set" and
// "Reset" with a reason (the server's refusal shown as it says it); the
// history of changes, paged.

import * as api from '../api.js';
import { h, clear, alertBox, say, when } from '../dom.js';

const PER_PAGE = 20;

const why = (e) => (e.hint ? `${e.message} (${e.hint})` : e.message);
const show = (v) => (v === null || v === undefined ? '—' : String(v));
const slug = (s) => s.replace(/[^A-Za-z0-9_-]/g, '_');

// The value as the parameter's type wants it in the JSON body; text that
// is not one is sent as typed, and the server says why it is refused.
function typed(p, text) {
  const t = text.trim();
  if (p.type === 'int' && /^-?\d+$/.test(t)) return Number(t);
  if (p.type === 'float' && t !== '' && Number.isFinite(Number(t))) return Number(t);
  if (p.type === 'bool' && (t === 'true' || t === 'false')) return t === 'true';
  return p.type === 'str' ? text : t;
}

function paramTable(s) {
  return h('div', { class: 'scroll' }, h('table', {},
    h('caption', {}, `Parameters of ${s.id}`),
    h('thead', {}, h('tr', {}, ['Parameter', 'Value', 'Default', 'File', 'Type', 'Rule',
      'Override'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, s.parameters.map((p) => h('tr', { class: p.override ? 'overridden' : '' },
      h('th', { scope: 'row' }, p.name), h('td', {}, show(p.value)), h('td', {}, show(p.default)),
      h('td', {}, show(p.file_value)), h('td', {}, p.type),
      h('td', { class: 'help' }, p.help || '—'),
      h('td', {}, p.override ? `${show(p.override.value)} by ${p.override.changed_by || '—'}` +
        `, ${when(p.override.created_at)}${p.override.reason ? `: ${p.override.reason}` : ''}` +
        (p.override.applies === false ? ' (not applied)' : '') : '—'))))));
}

// One form per strategy: pick a parameter, its new value and why.
function editForm(s, done) {
  const id = slug(s.id);
  const box = alertBox();
  const params = s.parameters.filter((p) => p.overridable !== false);
  const pick = h('select', { id: `param-${id}` }, params.map((p) =>
    h('option', { value: p.name }, p.name)));
  const value = h('input', { id: `value-${id}`, autocomplete: 'off' });
  const reason = h('input', { id: `reason-${id}`, maxlength: 500, autocomplete: 'off',
    placeholder: 'why the change' });
  const set = h('button', { type: 'submit' }, 'Set');
  const reset = h('button', { type: 'button', class: 'danger' }, 'Reset');
  const param = () => params.find((p) => p.name === pick.value);
  const fill = () => {
    const p = param();
    value.value = p ? show(p.value) : '';
    reset.disabled = !p?.override;
  };
  pick.addEventListener('change', fill);
  fill();
  const url = () => `/api/config/${encodeURIComponent(s.id)}/${encodeURIComponent(pick.value)}`;
  const form = h('form', { class: 'edit', 'aria-label': `Change a parameter of ${s.id}` },
    box,
    h('div', { class: 'fields' },
      h('div', { class: 'field' }, h('label', { for: pick.id }, 'Parameter'), pick),
      h('div', { class: 'field' }, h('label', { for: value.id }, 'Value'), value),
      h('div', { class: 'field' }, h('label', { for: reason.id }, 'Reason'), reason)),
    h('div', { class: 'row' }, set, reset));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    say(box, '');
    const body = { value: typed(param(), value.value) };
    if (reason.value.trim()) body.reason = reason.value.trim();
    try {
      await api.api('PUT', url(), body);
      await done(`${s.id}: ${pick.value} set to ${value.value.trim()}.`, pick.value);
    } catch (e) { say(box, why(e)); }
  });
  reset.addEventListener('click', async () => {
    say(box, '');
    const q = reason.value.trim() ? `?reason=${encodeURIComponent(reason.value.trim())}` : '';
    try {
      await api.api('DELETE', url() + q);
      await done(`${s.id}: the override of ${pick.value} was removed.`, pick.value);
    } catch (e) { say(box, why(e)); }
  });
  return { form, pick };
}

async function strategy(card, id, news) {
  const s = await api.get(`/api/strategies/${encodeURIComponent(id)}`);
  const { form, pick } = editForm(s, async (text, name) => {
    news.textContent = text;
    await strategy(card, id, news);
    const again = card.querySelector('select');
    again.value = name;
    again.dispatchEvent(new Event('change'));
    again.focus();
    card.dispatchEvent(new CustomEvent('changed', { bubbles: true }));
  });
  clear(card).append(h('h2', { id: `h-s-${slug(id)}` }, `${s.id} (${s.plugin}, ${s.mode})`),
    paramTable(s), h('h3', {}, 'Change a parameter'), form);
  return pick;
}

function history(box) {
  let page = 1;
  const status = h('p', { class: 'muted', role: 'status' });
  const table = h('div', { class: 'scroll' });
  const prev = h('button', { type: 'button', onclick: () => go(page - 1) }, 'Newer changes');
  const next = h('button', { type: 'button', onclick: () => go(page + 1) }, 'Older changes');
  clear(box).append(h('h2', { id: 'h-hist' }, 'History'), table,
    h('div', { class: 'row' }, prev, next), status);

  async function go(p) {
    page = Math.max(1, p);
    const d = await api.get(`/api/config/history?page=${page}&per_page=${PER_PAGE}`);
    const pages = d.total !== undefined ? Math.max(1, Math.ceil(d.total / PER_PAGE)) : null;
    prev.disabled = page <= 1;
    next.disabled = pages ? page >= pages : d.items.length < PER_PAGE;
    status.textContent = d.items.length ? `Page ${page}${pages ? ` of ${pages}` : ''}.`
      : 'No change yet.';
    clear(table).append(h('table', { class: 'tight', 'aria-label': 'Parameter changes' },
      h('thead', {}, h('tr', {}, ['When', 'Strategy', 'Parameter', 'Change', 'Old value',
        'New value', 'By', 'Reason'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, d.items.map((c) => h('tr', {}, h('td', {}, when(c.at)),
        h('td', {}, c.strategy), h('td', {}, c.parameter), h('td', {}, c.change_type),
        h('td', {}, show(c.old_value)), h('td', {}, show(c.new_value)),
        h('td', {}, show(c.changed_by)), h('td', { class: 'help' }, show(c.reason)))))));
  }
  return { go: () => go(1) };
}

export async function render(root) {
  const news = h('p', { role: 'status', class: 'live' });
  const list = h('div', {});
  const hist = h('section', { class: 'card', 'aria-labelledby': 'h-hist' });
  root.append(h('h1', {}, 'Config'), h('p', { class: 'muted' }, 'An override applies from ' +
    'the next run of the strategy; the YAML file stays as it is.'), news, list, hist);
  const ents = (await api.get('/api/strategies')).filter((e) => e.type === 'strategy');
  const cards = ents.map((e) => h('section', { class: 'card',
    'aria-labelledby': `h-s-${slug(e.id)}` }));
  list.append(...cards);
  if (!ents.length) list.append(h('p', { class: 'card' }, 'No strategy in the config.'));
  const hv = history(hist);
  await Promise.all([...ents.map((e, i) => strategy(cards[i], e.id, news)), hv.go()]);
  list.addEventListener('changed', () => hv.go().catch(() => {}));
}
