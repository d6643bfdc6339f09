// events.js — live events from GET /api/events (Server-Sent Events).
//
// The stream needs the access token, and EventSource cannot send an
// Authorization header (nor should the token go into a URL, where logs
// keep it). So the stream is read with fetch() and parsed here: the same
// wire format, with Last-Event-ID sent on reconnect as EventSource would,
// and the token renewed through api.js when the server says 401.

import { renew, token } from './api.js';

const RETRY_MS = 3000;
const IDLE_MS = 5000;

// One stream per tab, shared by every page that listens. A stream a page
// left is only found closed by the server at its next heartbeat (a
// browser's abort sends nothing it reads), so a stream per page made a few
// quick page changes reach the per-user limit (sse_max_streams_per_user,
// 429). The stream takes every topic and each listener gets the ones its
// patterns match; it stays IDLE_MS after the last listener stops, since
// the next page usually listens at once.
const subs = new Set();
let stopStream = null;
let openedWith = null;   // the token the stream was opened with
let idle = null;

// listen(topics, onEvent): onEvent(name, data) for each event whose topic
// one of the patterns matches (data parsed from JSON); "reset" (to every
// listener) means events were missed: reload what is shown. Returns stop().
export function listen(topics, onEvent) {
  const sub = { topics, onEvent };
  subs.add(sub);
  clearTimeout(idle);
  idle = null;
  // another sign-in (or a renewed token) since: a stream of its own, so
  // that nothing opened for one user goes on for the next
  if (stopStream && openedWith !== token()) {
    stopStream();
    stopStream = null;
  }
  if (!stopStream) {
    openedWith = token();
    stopStream = stream(['>'], fan);
  }
  return () => {
    if (!subs.delete(sub) || subs.size) return;
    idle = setTimeout(() => {
      if (subs.size || !stopStream) return;
      stopStream();
      stopStream = null;
    }, IDLE_MS);
  };
}

function fan(name, data) {
  for (const s of [...subs])
    if (name === 'reset' || s.topics.some((p) => matches(p, name))) s.onEvent(name, data);
}

// The bus's pattern rule (include/jutsu/bus.h): segments split by dots,
// "*" one segment, ">" one or more to the end.
export function matches(pattern, topic) {
  const p = pattern.split('.');
  const t = topic.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return t.length > i;
    if (i >= t.length || (p[i] !== '*' && p[i] !== t[i])) return false;
  }
  return p.length === t.length;
}

// Whether the stream is open, on the root element (data-events="open" or
// "closed"): an event published before the server took the stream is not
// sent on it, so what waits for a page to follow one (the browser tests)
// waits for "open" first.
// Only the newest stream marks: one being replaced ends after it opened.
let streams = 0;

// One stream of `topics`: onEvent(name, data) for each event. Returns stop().
function stream(topics, onEvent) {
  const me = ++streams;
  const mark = (state) => { if (me === streams) document.documentElement.dataset.events = state; };
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
      mark('open');
      await read(res.body.getReader());
    } catch (e) {
      mark('closed');
      if (stopped || e.name === 'AbortError') return;
    }
    mark('closed');
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
    mark('closed');
  };
}
