// jobs.js — a job run started over the API (POST /api/control/sync|eod|
// trade), followed through GET /api/jobs/{id} until it ends, so that a
// page can say how it went (Market data's "Sync now", Operations' "Run now").

import * as api from './api.js';
import { h, whenShort } from './dom.js';

const POLL_MS = 500;
const ROUTE = { sync: 'sync', eod: 'eod', trading: 'trade' };

// The scheduler's job names that can be run now, and the control route of each.
export const runnable = (job) => ROUTE[job] || null;

// A job's last scheduled run as the job tables show it: when, its status,
// its error.
export function lastRun(j) {
  const l = j.last || j.last_run || null;
  if (!l) return { at: '—', status: '—', error: '' };
  return { at: whenShort(l.finished_at || l.started_at || l.at), status: l.status,
    error: l.error || '' };
}

// The row under a job's row that holds its last run's error, across the
// table (null when there is none). An error is a sentence: in the status
// cell, which does not wrap, it pushed the table past its card.
export function errorRow(j, span) {
  const { status, error } = lastRun(j);
  return error ? h('tr', { class: 'why' },
    h('td', { colspan: span }, `The last ${j.name} run ${status}: ${error}`)) : null;
}

// The status cell: a failure in red.
export const statusCell = (j) => {
  const { status } = lastRun(j);
  return h('td', { class: !j.running && status === 'failed' ? 'neg' : null },
    j.running ? 'running' : status);
};

const pause = (ms) => new Promise((r) => setTimeout(r, ms));

// Starts `job` (a scheduler name: sync, eod, trading) and resolves with the
// finished run ({status: "ok"|"failed", error?, result?}); onQueued(run) is
// told the run's id first. `alive()` false stops following (the page left).
export async function runJob(job, { body = {}, onQueued = () => {}, alive = () => true } = {}) {
  const route = runnable(job);
  if (!route) throw new Error(`the ${job} job cannot be run from here`);
  const queued = await api.post(`/api/control/${route}`, body);
  onQueued(queued);
  let run = queued;
  while (alive() && run.status !== 'ok' && run.status !== 'failed') {
    await pause(POLL_MS);
    run = await api.get(`/api/jobs/${encodeURIComponent(queued.id)}`);
  }
  return run;
}

// One sentence on a finished run, for a role="status" line.
export function outcome(job, run) {
  if (run.status === 'ok') return `The ${job} job (${run.id}) finished: ok.`;
  if (run.status === 'failed') {
    return `The ${job} job (${run.id}) failed: ${run.error || 'no reason given'}.`;
  }
  return `The ${job} job (${run.id}) is ${run.status}.`;
}
