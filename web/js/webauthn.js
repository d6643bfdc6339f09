// webauthn.js — passkeys in the browser: the server's options (base64url
// members) into what navigator.credentials wants (ArrayBuffers), and the
// credential back into JSON (base64url), as plugins/auth-passkey reads it.

export function fromB64url(s) {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out.buffer;
}

export function toB64url(buf) {
  const bytes = new Uint8Array(buf);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const ids = (list) => (list || []).map((c) => ({ ...c, id: fromB64url(c.id) }));

export function supported() {
  return typeof window.PublicKeyCredential === 'function' && !!navigator.credentials;
}

// POST /api/passkey/register-options' answer → the credential as JSON
export async function create(options) {
  const pk = options.publicKey;
  const cred = await navigator.credentials.create({
    publicKey: {
      ...pk,
      challenge: fromB64url(pk.challenge),
      user: { ...pk.user, id: fromB64url(pk.user.id) },
      excludeCredentials: ids(pk.excludeCredentials),
    },
  });
  return {
    id: cred.id, rawId: toB64url(cred.rawId), type: cred.type,
    response: {
      clientDataJSON: toB64url(cred.response.clientDataJSON),
      attestationObject: toB64url(cred.response.attestationObject),
    },
  };
}

// POST /api/passkey/authenticate-options' answer → the assertion as JSON
export async function get(options) {
  const pk = options.publicKey;
  const cred = await navigator.credentials.get({
    publicKey: { ...pk, challenge: fromB64url(pk.challenge),
      allowCredentials: ids(pk.allowCredentials) },
  });
  const r = cred.response;
  return {
    id: cred.id, rawId: toB64url(cred.rawId), type: cred.type,
    response: {
      clientDataJSON: toB64url(r.clientDataJSON),
      authenticatorData: toB64url(r.authenticatorData),
      signature: toB64url(r.signature),
      userHandle: r.userHandle ? toB64url(r.userHandle) : null,
    },
  };
}
