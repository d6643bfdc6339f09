// pages/users.js — (admin) every user: role, active, two-step sign-in, last
// sign-in; change a role, disable or enable, delete (a second button
// confirms); invite someone and copy the link (/invite/TOKEN).

import * as api from '../api.js';
import { h, clear, alertBox, say, when } from '../dom.js';

const ROLES = ['viewer', 'admin'];
const why = (e) => (e.hint ? `${e.message} (${e.hint})` : e.message);

function roleSelect(id, value) {
  return h('select', { id }, ROLES.map((r) => h('option', { value: r,
    selected: r === value ? true : null }, r)));
}

function factors(u) {
  const f = [];
  if (u.totp_enabled) f.push('TOTP');
  if (u.passkeys) f.push(`${u.passkeys} passkey${u.passkeys === 1 ? '' : 's'}`);
  return f.length ? f.join(', ') : 'off';
}

function userRow(u, me, act) {
  const sel = roleSelect(`role-${u.id}`, u.role);
  const self = u.id === me.id || u.username === me.username;
  const cell = h('div', { class: 'row' });
  const plain = () => {
    clear(cell).append(
      h('button', { type: 'button', 'aria-label': `Save role of ${u.username}`,
        onclick: () => act('role', u, { role: sel.value }) }, 'Save'),
      h('button', { type: 'button', class: u.is_active ? 'danger' : '',
        'aria-label': `${u.is_active ? 'Disable' : 'Enable'} ${u.username}`,
        onclick: () => act('active', u, { is_active: !u.is_active }) },
      u.is_active ? 'Disable' : 'Enable'),
      h('button', { type: 'button', class: 'danger', 'aria-label': `Delete ${u.username}`,
        onclick: confirm }, 'Delete'));
  };
  // the confirm step is two more buttons in place of the actions, so that
  // it works from the keyboard and reads out like the rest of the page
  function confirm() {
    const yes = h('button', { type: 'button', class: 'danger',
      onclick: () => act('delete', u) }, `Confirm delete of ${u.username}`);
    const no = h('button', { type: 'button', onclick: () => {
      plain();
      // by comparison, not a selector: a name may hold quotes or backslashes
      const del = [...cell.querySelectorAll('button')]
        .find((b) => b.getAttribute('aria-label') === `Delete ${u.username}`);
      if (del) del.focus();
    } }, 'Cancel');
    clear(cell).append(h('span', {}, self ? 'Delete your own account?' : 'Sure?'), yes, no);
    yes.focus();
  }
  plain();
  return h('tr', {}, h('th', { scope: 'row' }, u.username, self ? h('span',
    { class: 'muted' }, ' (you)') : null),
  h('td', {}, u.email ?? '—'),
  h('td', {}, h('label', { for: sel.id, class: 'sr' }, `Role of ${u.username}`), sel),
  h('td', { class: u.is_active ? '' : 'neg' }, u.is_active ? 'yes' : 'no'),
  h('td', {}, factors(u)), h('td', {}, when(u.last_login)), h('td', {}, cell));
}

function invite(news) {
  const box = alertBox();
  const role = roleSelect('invite-role', 'viewer');
  const email = h('input', { id: 'invite-email', type: 'email', autocomplete: 'off',
    placeholder: 'optional' });
  const out = h('div', {});
  const form = h('form', {}, box, h('div', { class: 'fields' },
    h('div', { class: 'field' }, h('label', { for: role.id }, 'Role'), role),
    h('div', { class: 'field' }, h('label', { for: email.id }, 'Email'), email)),
  h('button', { type: 'submit' }, 'Invite'), out);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    say(box, '');
    const body = { role: role.value };
    if (email.value.trim()) body.email = email.value.trim();
    try {
      const inv = await api.post('/api/users/invite', body);
      // the page's own address: the one this admin reached the dashboard by
      const link = h('input', { id: 'invite-link', readonly: true,
        value: `${location.origin}/invite/${inv.token}` });
      const copy = h('button', { type: 'button' }, 'Copy link');
      const note = h('p', { role: 'status', class: 'muted' });
      copy.addEventListener('click', async () => {
        try {
          await navigator.clipboard.writeText(link.value);
          note.textContent = 'The link is copied.';
        } catch {
          link.focus();
          link.select();
          note.textContent = 'Copying is not allowed here: the link is selected, press ' +
            'Ctrl+C (or ⌘C).';
        }
      });
      clear(out).append(h('div', { class: 'field' },
        h('label', { for: link.id }, 'Invitation link'), link),
      h('div', { class: 'row' }, copy),
      h('p', { class: 'muted' }, `For a ${inv.role}; good once, until ` +
        `${when(inv.expires_at)}. Send it privately: whoever has it can create the account.`),
      note);
      news.textContent = `An invitation for a ${inv.role} is ready.`;
      copy.focus();
    } catch (e) { say(box, why(e)); }
  });
  return form;
}

export async function render(root, ctx) {
  const box = alertBox();
  const news = h('p', { role: 'status', class: 'live' });
  const list = h('div', { class: 'scroll' });
  root.append(h('h1', {}, 'Users'), box, news,
    h('section', { class: 'card', 'aria-labelledby': 'h-users' },
      h('h2', { id: 'h-users' }, 'Accounts'), list),
    h('section', { class: 'card', 'aria-labelledby': 'h-invite' },
      h('h2', { id: 'h-invite' }, 'Invite someone'), invite(news)));

  async function load() {
    const users = await api.get('/api/users');
    clear(list).append(h('table', { class: 'tight', 'aria-label': 'Users' },
      h('thead', {}, h('tr', {}, ['Username', 'Email', 'Role', 'Active', 'Two-step sign-in',
        'Last sign-in', 'Actions'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, users.map((u) => userRow(u, ctx.me, act)))));
  }

  async function act(what, u, body) {
    say(box, '');
    const path = `/api/users/${u.id}`;
    try {
      if (what === 'delete') {
        await api.api('DELETE', path);
        news.textContent = `${u.username} is deleted.`;
      } else {
        await api.api('PUT', path, body);
        news.textContent = what === 'role' ? `${u.username} is now ${body.role}.`
          : `${u.username} is ${body.is_active ? 'enabled' : 'disabled'}.`;
      }
      await load();
      list.querySelector(`#role-${u.id}`)?.focus();
    } catch (e) {
      say(box, why(e));
    }
  }
  await load();
}
