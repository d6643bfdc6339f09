// pages/invite.js — /invite/TOKEN: accept an invitation (the first admin's
// link that `jutsu serve` logs, or one an admin made), then signed in.

import * as api from '../api.js';
import { h, field, alertBox, say } from '../dom.js';
import { explain } from './login.js';

export async function render(root, ctx) {
  const token = ctx.path.split('/')[2];
  const box = alertBox();
  const wrap = h('div', { class: 'narrow' }, h('h1', {}, 'Create your account'), box);
  root.append(wrap);
  let inv;
  try {
    inv = await api.pub('GET', `/api/invitations/${encodeURIComponent(token)}`);
  } catch (e) {
    say(box, e.status === 404 ? 'This invitation link is not valid: it was used, it ' +
      'expired, or it was mistyped. Ask an admin for a new one.' : explain(e));
    wrap.append(h('p', {}, h('a', { href: '/login' }, 'Sign in instead')));
    return;
  }
  const user = field('username', 'Username', { autocomplete: 'username', required: true,
    autocapitalize: 'none', spellcheck: 'false' });
  const pass = field('password', 'Password', { type: 'password', required: true,
    autocomplete: 'new-password', minlength: 12, 'aria-describedby': 'password-rule' });
  const form = h('form', { class: 'card' }, user.row, pass.row,
    h('p', { id: 'password-rule', class: 'muted' }, 'At least 12 characters; not the ' +
      'username, not a common word or password.'),
    h('button', { type: 'submit' }, 'Create account'));
  wrap.append(h('p', {}, `You are invited as ${inv.role}` +
    (inv.expires_at ? `; the link is good until ${new Date(inv.expires_at).toLocaleString()}.`
      : '.')), form);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    say(box, '');
    const username = user.input.value.trim();
    try {
      await api.pub('POST', `/api/invitations/${encodeURIComponent(token)}/accept`,
        { username, password: pass.input.value });
      const t = await api.pub('POST', '/api/auth/login', { username, password: pass.input.value });
      api.setTokens(t);
      await ctx.signedIn();
      ctx.navigate('/', { replace: true });
    } catch (e) {
      say(box, explain(e));
    }
  });
  user.input.focus();
}
