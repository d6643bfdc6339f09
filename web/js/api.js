// api.js — the REST API. The access token lives in this module's memory
// only; it is renewed through POST /api/auth/refresh, which reads the
// HttpOnly refresh cookie the page's script never sees. A request that gets
// 401 renews once and is sent once more.
//
// localStorage holds one flag, "a session may exist" (no secret): without
// it a fresh visit would ask /api/auth/refresh only to be told 401.

const HINT = 'jutsu.session';
let access = null;
let renewing = null;
let signedOut = () => {};

export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || `the server answered ${status}`);
    this.status = status;
    this.code = e.code || 'http_' + status;
    this.hint = e.hint || '';
    this.lockedUntil = body && body.locked_until;
  }
}

export function onSignedOut(fn) { signedOut = fn; }

export function setTokens(answer) {
  access = answer.access_token;
  localStorage.setItem(HINT, '1');
}

export function forget() {
  access = null;
  localStorage.removeItem(HINT);
}

export function token() { return access; }

async function send(method, path, body, signal) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (access) headers.Authorization = `Bearer ${access}`;
  const res = await fetch(path, {
    method, headers, signal, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = { text }; }
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

// One renewal at a time: the server rotates the refresh token and takes a
// second use of the old one as theft (it ends the login).
export function renew() {
  if (!renewing) {
    renewing = (async () => {
      if (!localStorage.getItem(HINT)) return false;
      try {
        const prev = access;
        access = null;
        const t = await send('POST', '/api/auth/refresh', undefined);
        if (!t || !t.access_token) { access = prev; return false; }
        setTokens(t);
        return true;
      } catch {
        forget();
        return false;
      }
    })().finally(() => { renewing = null; });
  }
  return renewing;
}

export async function api(method, path, body, signal) {
  if (!access && !(await renew())) {
    signedOut();
    throw new ApiError(401, { error: { code: 'unauthenticated', message: 'please sign in' } });
  }
  try {
    return await send(method, path, body, signal);
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 401) throw e;
    if (!(await renew())) {
      signedOut();
      throw e;
    }
    return send(method, path, body, signal);
  }
}

// For the routes that need no token (signing in, invitations).
export function pub(method, path, body) {
  return send(method, path, body);
}

export const get = (path, signal) => api('GET', path, undefined, signal);
export const post = (path, body) => api('POST', path, body === undefined ? {} : body);
