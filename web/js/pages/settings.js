// pages/settings.js — my account: password, TOTP and backup codes, passkeys.

import * as api from '../api.js';
import { h, field, alertBox, say, clear, when } from '../dom.js';
import * as webauthn from '../webauthn.js';

function section(title, ...body) {
  const id = `h-${title.toLowerCase().replace(/[^a-z]+/g, '-')}`;
  return h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id }, title), ...body);
}

const why = (e) => (e.hint ? `${e.message} (${e.hint})` : e.message);

function password(ctx) {
  const box = alertBox();
  const cur = field('current-password', 'Current password', { type: 'password', required: true,
    autocomplete: 'current-password' });
  const neu = field('new-password', 'New password', { type: 'password', required: true,
    autocomplete: 'new-password', minlength: 12 });
  const form = h('form', {}, cur.row, neu.row, h('button', { type: 'submit' }, 'Change password'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    say(box, '');
    try {
      await api.api('PUT', '/api/users/me/password',
        { current_password: cur.input.value, new_password: neu.input.value });
      api.forget();   /* every session of mine ended, this one too */
      ctx.navigate('/login', { replace: true });
    } catch (e) {
      say(box, why(e));
    }
  });
  return section('Password', box, form);
}

// The QR code of the otpauth:// link (the server's modules, '1' dark) as
// SVG: one path of unit squares, dark on light whatever the theme (scanners
// want that), with the quiet zone of four modules the standard asks for.
const SVG = 'http://www.w3.org/2000/svg';
function qrCode(qr) {
  if (!qr || !Array.isArray(qr.rows) || !qr.size) return null;
  const n = qr.size + 8;
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${n} ${n}`);
  svg.setAttribute('class', 'qr');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', 'QR code of the link: scan it with your authenticator app');
  svg.setAttribute('shape-rendering', 'crispEdges');
  const bg = document.createElementNS(SVG, 'rect');
  bg.setAttribute('width', n);
  bg.setAttribute('height', n);
  bg.setAttribute('fill', '#fff');
  let d = '';
  qr.rows.forEach((row, y) => {
    for (let x = 0; x < row.length; x++) if (row[x] === '1') d += `M${x + 4} ${y + 4}h1v1h-1z`;
  });
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', d);
  path.setAttribute('fill', '#000');
  svg.append(bg, path);
  return svg;
}

function showCodes(codes) {
  return h('div', { class: 'codes' },
    h('p', { class: 'warn' }, 'Your backup codes, shown this once: keep them somewhere safe. ' +
      'Each signs you in once when your authenticator app is not at hand.'),
    h('ul', { 'aria-label': 'Backup codes' }, codes.map((c) => h('li', {}, h('code', {}, c)))));
}

async function totp(body) {
  const box = alertBox();
  const st = await api.get('/api/2fa/status');
  clear(body).append(box);
  if (!st.enabled) {
    const start = h('button', { type: 'button' }, 'Set up TOTP');
    body.append(h('p', {}, 'Two-step sign-in with an authenticator app is off.'), start);
    start.addEventListener('click', async () => {
      say(box, '');
      try {
        const s = await api.post('/api/2fa/setup');
        const code = field('totp-code', 'Code from your app', { autocomplete: 'one-time-code',
          inputmode: 'numeric', required: true });
        const form = h('form', {}, code.row, h('button', { type: 'submit' }, 'Enable TOTP'));
        clear(body).append(box,
          h('p', {}, 'Scan the QR code with your authenticator app (or add the account with ' +
            'the link or the secret), then enter the code it shows.'),
          qrCode(s.qr),
          h('dl', {}, h('dt', {}, 'Link'), h('dd', {}, h('code', { class: 'wrap' },
            s.otpauth_uri)), h('dt', {}, 'Secret'), h('dd', {}, h('code', {}, s.secret))),
          form);
        form.addEventListener('submit', async (ev) => {
          ev.preventDefault();
          say(box, '');
          try {
            const v = await api.post('/api/2fa/verify', { code: code.input.value.trim() });
            await totp(body);
            body.append(showCodes(v.backup_codes || []));
          } catch (e) {
            say(box, why(e));
          }
        });
        code.input.focus();
      } catch (e) {
        say(box, why(e));
      }
    });
    return;
  }
  const code = field('totp-current', 'Current code', { autocomplete: 'one-time-code',
    required: true });
  const off = h('button', { type: 'button' }, 'Turn off TOTP');
  const fresh = h('button', { type: 'button' }, 'New backup codes');
  body.append(h('p', {}, `Two-step sign-in is on; ${st.backup_codes_left} backup codes left.`),
    code.row, h('div', { class: 'row' }, fresh, off));
  off.addEventListener('click', async () => {
    try {
      await api.post('/api/2fa/disable', { code: code.input.value.trim() });
      await totp(body);
    } catch (e) { say(box, why(e)); }
  });
  fresh.addEventListener('click', async () => {
    try {
      const v = await api.post('/api/2fa/backup-codes', { code: code.input.value.trim() });
      await totp(body);
      body.append(showCodes(v.backup_codes || []));
    } catch (e) { say(box, why(e)); }
  });
}

async function passkeys(body) {
  const box = alertBox();
  const list = await api.get('/api/passkey/list');
  const name = field('passkey-name', 'Passkey name', { maxlength: 100,
    placeholder: 'e.g. laptop' });
  const add = h('button', { type: 'submit' }, 'Register a passkey');
  const form = h('form', {}, name.row, add);
  const rows = list.map((p) => {
    const label = p.device_name || `passkey ${p.id}`;
    const del = h('button', { type: 'button', class: 'danger' }, `Delete ${label}`);
    del.addEventListener('click', async () => {
      try {
        await api.api('DELETE', `/api/passkey/${p.id}`);
        await passkeys(body);
      } catch (e) { say(box, why(e)); }
    });
    return h('tr', {}, h('td', {}, label), h('td', {}, when(p.created_at)),
      h('td', {}, when(p.last_used_at)), h('td', {}, del));
  });
  clear(body).append(box, list.length
    ? h('div', { class: 'scroll' }, h('table', {}, h('caption', {}, 'My passkeys'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Name'),
        h('th', { scope: 'col' }, 'Added'), h('th', { scope: 'col' }, 'Last used'),
        h('th', { scope: 'col' }, h('span', { class: 'sr' }, 'Actions')))),
      h('tbody', {}, rows)))
    : h('p', {}, 'No passkey yet.'), form);
  if (!webauthn.supported()) {
    add.disabled = true;
    say(box, 'This browser cannot use passkeys.');
  }
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    say(box, '');
    try {
      const opts = await api.post('/api/passkey/register-options');
      const credential = await webauthn.create(opts);
      const device_name = name.input.value.trim() || undefined;
      await api.post('/api/passkey/register', { credential, device_name });
      await passkeys(body);
    } catch (e) {
      say(box, e instanceof api.ApiError ? why(e)
        : `The passkey was not registered (${e.message}).`);
    }
  });
}

export async function render(root, ctx) {
  const tbody = h('div', {});
  const pbody = h('div', {});
  root.append(h('h1', {}, 'Settings'),
    h('p', { class: 'muted' }, `Signed in as ${ctx.me.username}, ${ctx.me.role}.`),
    password(ctx), section('Two-step sign-in (TOTP)', tbody), section('Passkeys', pbody));
  await Promise.all([totp(tbody), passkeys(pbody)]);
}
