// pages/login.js — signing in: a password, then a TOTP or backup code, or a
// passkey (docs/auth.md, "Logging in").

import * as api from '../api.js';
import { h, field, alertBox, say, clear } from '../dom.js';
import * as webauthn from '../webauthn.js';

function lockedText(e) {
  const until = e.lockedUntil ? new Date(e.lockedUntil).toLocaleString() : 'later';
  return `This account is locked until ${until} after too many failed sign-ins. ` +
         'Wait until then, or ask an admin to unlock it.';
}

export function explain(e) {
  if (e.status === 423) return lockedText(e);
  if (e.code === 'bad_credentials') return 'The username or password is wrong.';
  return e.hint ? `${e.message} (${e.hint})` : e.message;
}

async function finish(tokens, ctx) {
  api.setTokens(tokens);
  await ctx.signedIn();
  const next = new URLSearchParams(location.search).get('next');
  ctx.navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/',
    { replace: true });
}

function secondStep(root, ctx, answer) {
  const box = alertBox();
  const methods = answer.methods || [];
  const parts = [h('h1', {}, 'Second step'), box];
  if (methods.includes('totp') || methods.includes('backup_code')) {
    const code = field('code', 'Code from your authenticator app, or a backup code',
      { autocomplete: 'one-time-code', required: true, spellcheck: 'false' });
    const form = h('form', { class: 'card' }, code.row, h('button', { type: 'submit' }, 'Verify'));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      say(box, '');
      try {
        await finish(await api.pub('POST', '/api/auth/login-2fa',
          { challenge_token: answer.challenge_token, code: code.input.value.trim() }), ctx);
      } catch (e) {
        say(box, e.code === 'bad_credentials' ? 'That code is not right (or was used).'
          : explain(e));
      }
    });
    parts.push(form);
  }
  if (methods.includes('passkey')) {
    const btn = h('button', { type: 'button' }, 'Use a passkey');
    btn.addEventListener('click', async () => {
      say(box, '');
      try {
        const opts = await api.pub('POST', '/api/passkey/authenticate-options',
          { challenge_token: answer.challenge_token });
        const credential = await webauthn.get(opts);
        await finish(await api.pub('POST', '/api/passkey/authenticate',
          { challenge_token: answer.challenge_token, credential }), ctx);
      } catch (e) {
        say(box, e instanceof api.ApiError ? explain(e)
          : `The passkey did not sign you in (${e.message}).`);
      }
    });
    parts.push(h('div', { class: 'card' }, btn));
  }
  parts.push(h('p', {}, h('a', { href: '/login' }, 'Start again')));
  clear(root).append(h('div', { class: 'narrow' }, ...parts));
  root.querySelector('input, button')?.focus();
}

export function render(root, ctx) {
  const box = alertBox();
  const user = field('username', 'Username', { autocomplete: 'username', required: true,
    autocapitalize: 'none', spellcheck: 'false' });
  const pass = field('password', 'Password', { type: 'password', required: true,
    autocomplete: 'current-password' });
  const form = h('form', { class: 'card' }, user.row, pass.row,
    h('button', { type: 'submit' }, 'Sign in'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    say(box, '');
    try {
      const a = await api.pub('POST', '/api/auth/login',
        { username: user.input.value.trim(), password: pass.input.value });
      if (a.requires_2fa) return secondStep(root, ctx, a);
      await finish(a, ctx);
    } catch (e) {
      say(box, explain(e));
    }
  });
  root.append(h('div', { class: 'narrow' }, h('h1', {}, 'Sign in to Jutsu'), box, form));
  user.input.focus();
}
