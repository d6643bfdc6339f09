// pages/operations.js — (admin) the scheduler's jobs with "Run now",
// "Pause" and "Resume"; the EOD job's status by day; the bus's events as
// they come (newest first, the last 200, text only).

import * as api from '../api.js';
import { h, clear, alertBox, say, when, whenShort } from '../dom.js';
import { runJob, runnable, outcome, lastRun, errorRow, statusCell } from '../jobs.js';
import { listen } from '../events.js';

const KEEP = 200;
const DAYS = 30;

const why = (e) => (e.hint ? `${e.message} (${e.hint})` : e.message);
const iso = (d) => d.toISOString().slice(0, 10);

function jobsTable(s, act) {
  const jobs = s?.jobs || [];
  return h('div', {},
    h('p', { class: 'muted' }, s?.enabled ? 'The scheduler runs the jobs in this process.'
      : 'The scheduler is off in this process: jobs run on request only.'),
    h('div', { class: 'scroll' }, h('table', { class: 'tight', 'aria-label': 'Jobs' },
      h('thead', {}, h('tr', {}, ['Job', 'At', 'Days', 'Next run', 'Last run', 'Status',
        'Paused', 'Actions'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, jobs.flatMap((j) => {
        const l = lastRun(j);
        const acts = [];
        if (runnable(j.name)) {
          acts.push(h('button', { type: 'button', 'aria-label': `Run ${j.name} now`,
            onclick: (e) => act('run', j, e.currentTarget) }, 'Run now'));
        }
        acts.push(j.paused
          ? h('button', { type: 'button', 'aria-label': `Resume ${j.name}`,
            onclick: (e) => act('resume', j, e.currentTarget) }, 'Resume')
          : h('button', { type: 'button', class: 'danger', 'aria-label': `Pause ${j.name}`,
            onclick: (e) => act('pause', j, e.currentTarget) }, 'Pause'));
        return [h('tr', {}, h('th', { scope: 'row' }, j.name), h('td', {}, j.at),
          h('td', {}, j.days ? j.days.replace(/_/g, ' ') : '—'),
          h('td', {}, j.paused ? 'paused' : whenShort(j.next?.at)), h('td', {}, l.at),
          statusCell(j), h('td', {}, j.paused ? 'yes' : 'no'),
          h('td', {}, h('div', { class: 'row' }, acts))), errorRow(j, 8)];
      })))));
}

function eodTable(d) {
  if (!d.days.length) {
    return h('p', {}, `No EOD run recorded from ${d.from} to ${d.to}.`);
  }
  const days = [...d.days].reverse();
  const part = (a, b) => (b === undefined || b === null ? '—' : `${a ?? 0} of ${b}`);
  return h('div', { class: 'scroll' }, h('table',
    { class: 'tight', 'aria-label': `EOD status from ${d.from} to ${d.to}` },
    h('thead', {}, h('tr', {}, ['Date', 'Status', 'Final', 'Strategies', 'Baselines',
      'Completed', 'Retries', 'Error'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, days.map((r) => h('tr', {}, h('th', { scope: 'row' }, r.date),
      h('td', { class: r.status === 'failed' ? 'neg' : '' }, r.status),
      h('td', {}, r.finalized ? 'yes' : 'no'),
      h('td', {}, part(r.strategies_processed, r.strategies_total)),
      h('td', {}, part(r.baselines_processed, r.baselines_total)),
      h('td', {}, when(r.completed_at)), h('td', {}, String(r.retry_count ?? 0)),
      h('td', { class: 'help' }, r.error_message || '—'))))));
}

// What an event says, in one line of text.
function line(name, data) {
  if (data && typeof data === 'object') {
    const parts = Object.entries(data).filter(([k]) => k !== 'ts')
      .map(([k, v]) => `${k}=${typeof v === 'object' && v !== null ? JSON.stringify(v) : v}`);
    const text = parts.join(' ');
    return text.length > 300 ? `${text.slice(0, 299)}…` : text;
  }
  return String(data ?? '');
}

export async function render(root) {
  const box = alertBox();
  const news = h('p', { role: 'status', class: 'live' });
  const jobs = h('div', {});
  const eod = h('div', {});
  const upto = h('input', { id: 'eod-to', type: 'date' });
  const pick = h('form', { class: 'row' }, h('label', { for: upto.id }, 'Days up to'), upto,
    h('button', { type: 'submit' }, 'Show days'));
  const evList = h('ol', { class: 'events', 'aria-label': 'Recent events, newest first' });
  const evNote = h('p', { class: 'muted' }, 'Waiting for events…');
  let alive = true;

  // A reload replaces the table (an event may ask for one at any time): the
  // focus, if it was on a job's button, goes to that job's button again
  // (Pause and Resume are one control that changes its name).
  async function loadJobs() {
    const s = await api.get('/api/scheduler');
    if (!alive) return;
    const had = jobs.contains(document.activeElement) ?
      document.activeElement.getAttribute('aria-label') : null;
    clear(jobs).append(jobsTable(s, act));
    if (!had) return;
    const job = had.replace(/^(Pause|Resume|Run) /, '').replace(/ now$/, '');
    const names = [had, `Pause ${job}`, `Resume ${job}`];
    const again = [...jobs.querySelectorAll('button')]
      .find((b) => names.includes(b.getAttribute('aria-label')));
    if (again) again.focus();
  }
  async function loadEod() {
    const to = upto.value || upto.max;
    const from = new Date(`${to}T12:00:00Z`);
    from.setUTCDate(from.getUTCDate() - (DAYS - 1));
    const d = await api.get(`/api/eod/status?from=${iso(from)}&to=${to}`);
    if (alive) clear(eod).append(eodTable(d));
  }

  async function act(what, j, button) {
    say(box, '');
    button.disabled = true;
    try {
      if (what === 'run') {
        const run = await runJob(j.name, { alive: () => alive,
          onQueued: (q) => { news.textContent = `The ${j.name} job is queued (${q.id})…`; } });
        if (!alive) return;
        news.textContent = outcome(j.name, run);
        await Promise.all([loadJobs(), loadEod()]);
      } else {
        await api.post(`/api/scheduler/${encodeURIComponent(j.name)}/${what}`);
        news.textContent = `${j.name} is ${what === 'pause' ? 'paused' : 'resumed'}.`;
        await loadJobs();
        // the pressed button was disabled, so the focus left it: onto the
        // job's new button (Resume after Pause, Pause after Resume)
        jobs.querySelector(`button[aria-label="${what === 'pause' ? 'Resume' : 'Pause'} ` +
          `${j.name}"]`)?.focus();
      }
    } catch (e) {
      say(box, why(e));
      button.disabled = false;
    }
  }

  pick.addEventListener('submit', (ev) => {
    ev.preventDefault();
    loadEod().catch((e) => say(box, why(e)));
  });

  root.append(h('h1', {}, 'Operations'), box, news,
    h('section', { class: 'card', 'aria-labelledby': 'h-jobs' }, h('h2', { id: 'h-jobs' }, 'Jobs'),
      jobs),
    h('div', { class: 'grid' },
      h('section', { class: 'card', 'aria-labelledby': 'h-eod' },
        h('h2', { id: 'h-eod' }, `EOD status by day (${DAYS} days)`), pick, eod),
      h('section', { class: 'card', 'aria-labelledby': 'h-ev' },
        h('h2', { id: 'h-ev' }, 'Recent events'), evNote, evList)));

  const today = await api.get('/api/v2/performance/eod-status/today');
  upto.max = today.date;
  upto.value = today.date;
  await Promise.all([loadJobs(), loadEod()]);

  let soon = null;
  const stop = listen(['>'], (name, data) => {
    if (name === 'reset') {
      evNote.textContent = 'Some events were missed (the stream was away): the list ' +
        'restarts here.';
    } else {
      evNote.textContent = `The last ${KEEP} events, newest first.`;
    }
    evList.prepend(h('li', {}, h('time', {}, new Date().toLocaleTimeString()), ' ',
      h('strong', {}, name), ' ', h('span', { class: 'wrap' }, line(name, data))));
    while (evList.childElementCount > KEEP) evList.lastElementChild.remove();
    if (/^(job|scheduler)\./.test(name) || name === 'eod.finalized') {
      clearTimeout(soon);
      soon = setTimeout(() => {
        loadJobs().catch(() => {});
        loadEod().catch(() => {});
      }, 200);
    }
  });
  return () => { alive = false; clearTimeout(soon); stop(); };
}
