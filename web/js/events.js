// events.js — live events from GET /api/events (Server-Sent Events).
//
// The stream needs the access token, and EventSource cannot send an
// Authorization header (nor should the token go into a URL, where logs
// keep it). So the stream is read with fetch() and parsed here: the same
// wire format, with Last-Event-ID sent on reconnect as EventSource would,
// and the token renewed through api.js when the server says 401.

import { renew, token } from './api.js';

const RETRY_MS = 3000;

// listen(topics, onEvent): onEvent(name, data) for each event (data parsed
// from JSON); "reset" means events were missed: reload what is shown.
// Returns stop().
export function listen(topics, onEvent) {
  let stopped = false;
  let lastId = null;
  let ctl = null;
  let timer = null;

  async function connect() {
    if (stopped) return;
    ctl = new AbortController();
    try {
      const headers = { Accept: 'text/event-stream' };
      if (token()) headers.Authorization = `Bearer ${token()}`;
      if (lastId) headers['Last-Event-ID'] = lastId;
      const res = await fetch(`/api/events?topics=${encodeURIComponent(topics.join(','))}`,
        { headers, signal: ctl.signal, cache: 'no-store' });
      if (res.status === 401) {
        await res.body?.cancel();
        if (await renew()) return connect();
        return;
      }
      if (!res.ok || !res.body) throw new Error(`events: ${res.status}`);
      await read(res.body.getReader());
    } catch (e) {
      if (stopped || e.name === 'AbortError') return;
    }
    if (!stopped) timer = setTimeout(connect, RETRY_MS);
  }

  async function read(reader) {
    const dec = new TextDecoder();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += dec.decode(value, { stream: true });
      let cut;
      while ((cut = buf.search(/\r?\n\r?\n/)) >= 0) {
        const block = buf.slice(0, cut);
        buf = buf.slice(cut).replace(/^\r?\n\r?\n/, '');
        dispatch(block);
      }
    }
  }

  function dispatch(block) {
    let name = 'message';
    const data = [];
    for (const line of block.split(/\r?\n/)) {
      if (!line || line.startsWith(':')) continue;
      const i = line.indexOf(':');
      const field = i < 0 ? line : line.slice(0, i);
      const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
      if (field === 'event') name = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id') lastId = value;
    }
    if (!data.length) return;
    let parsed = null;
    try { parsed = JSON.parse(data.join('\n')); } catch { parsed = data.join('\n'); }
    onEvent(name, parsed);
  }

  connect();
  return () => {
    stopped = true;
    clearTimeout(timer);
    if (ctl) ctl.abort();
  };
}
