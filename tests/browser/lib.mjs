// tests/browser/lib.mjs — what the browser tests share: a real `jutsu serve`
// on a temporary SQLite database filled from the bundled sample data, users
// made with the CLI, Debian's Chromium driven by playwright-core, and a
// watch for console errors and failed requests.
import { execFileSync, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

export const SRC = process.env.JUTSU_SOURCE_DIR || resolve(import.meta.dirname, '../..');
export const BUILD = process.env.JUTSU_BUILD_DIR || join(SRC, 'build');
export const JUTSU = process.argv[2] || join(BUILD, 'jutsu');
export const SCREENS = join(process.env.JUTSU_SCREENS || join(BUILD, 'tests/browser/screens'));
export const PASSWORD = 'orange-kettle-sunrise-42';

let failures = 0;
let passes = 0;
export function check(ok, what) {
  if (ok) passes++;
  else failures++;
  console.log(`${ok ? 'ok' : 'FAIL'} - ${what}`);
}
export async function step(name, fn) {
  try {
    await fn();
  } catch (e) {
    failures++;
    console.log(`FAIL - ${name}: ${e.stack || e}`);
  }
}
export function summary() {
  console.log(`${passes} passed, ${failures} failed`);
  return failures === 0 ? 0 : 1;
}

function freePort() {
  return new Promise((ok, bad) => {
    const s = createServer();
    s.on('error', bad);
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => ok(p)); });
  });
}

// The server: sample data synced, the strategies traded on a few days, EOD
// backfilled (baseline and strategies), an admin and a viewer.
export async function startServer() {
  const dir = mkdtempSync(join(tmpdir(), 'jutsu-browser-'));
  const port = await freePort();
  const base = `http://localhost:${port}`;
  // one address signs in far more often here than a person would: the
  // per-address sign-in limit (where this build has it) is off
  const describe = execFileSync(JUTSU, ['plugins', 'describe', 'frontend-http'],
    { encoding: 'utf8' });
  const noLimit = describe.includes('login_rate_per_min') ? ', login_rate_per_min: 0' : '';
  const http = `{listen: "127.0.0.1:${port}", access_log: false${noLimit}}`;
  const yaml = `log: {format: text}
database:
  type: sqlite
  sqlite: {path: "${dir}/var/jutsu.db"}
  backup_dir: "${dir}/var/backups"
auth: {secret_key_file: "${dir}/var/jutsu.key"}
scheduler: {enabled: false}
sync: {symbols: [QQQ, TQQQ, PSQ, TLT, TMF, TMV], sources: [sample], history_start: "2023-01-03"}
eod: {baselines: [{id: QQQ, symbol: QQQ, initial_capital: "10000"}]}
plugins:
  - {name: sample, plugin: source-csv, config: {path: "${SRC}/conf/sample-data"}}
  - {name: kpi, plugin: kpi-standard}
  - {name: v3_5b, plugin: strategy-regime, mode: offline_mock, initial_capital: "10000"}
  - {name: password, plugin: auth-password, config: {opslimit: 1, memlimit_kib: 8192}}
  - {name: totp, plugin: auth-totp}
  - {name: passkey, plugin: auth-passkey, config: {rp_id: localhost, origins: ["${base}"]}}
  - {name: http, plugin: frontend-http, config: ${http}}
`;
  mkdirSync(join(dir, 'var'));
  const conf = join(dir, 'j.yaml');
  writeFileSync(conf, yaml);
  const cli = (args, input) => execFileSync(JUTSU, ['-c', conf, ...args],
    { input, stdio: ['pipe', 'pipe', 'pipe'], encoding: 'utf8' });
  cli(['sync']);
  for (const d of ['2024-06-03', '2024-06-04', '2024-06-05', '2024-06-06', '2024-06-07',
                   '2024-06-10', '2024-06-11'])
    cli(['trade', 'run', '--date', d]);
  cli(['eod', 'backfill', '--from', '2024-01-02', '--to', '2024-06-11']);
  cli(['user', 'add', 'ada', '--role', 'admin'], `${PASSWORD}\n`);
  cli(['user', 'add', 'vic', '--role', 'viewer'], `${PASSWORD}\n`);
  const proc = spawn(JUTSU, ['-c', conf, 'serve'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr.on('data', (b) => { log += b; });
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(`${base}/api/health`)).ok) break; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base, dir, cli, log: () => log,
    async stop() {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.exitCode !== null ? r() : proc.on('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// The API as the test sees it (to compare the page's figures with).
export async function apiLogin(base, username) {
  const r = await fetch(`${base}/api/auth/login`, { method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }) });
  return r.json();
}
export async function apiGet(base, token, path) {
  const r = await fetch(base + path, { headers: { Authorization: `Bearer ${token}` } });
  if (!r.ok) throw new Error(`GET ${path}: ${r.status}`);
  return r.json();
}
export async function apiPost(base, token, path, body) {
  const r = await fetch(base + path, { method: 'POST', body: JSON.stringify(body || {}),
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' } });
  return { status: r.status, body: await r.json() };
}

// RFC 6238 with HMAC-SHA1, 30 s, 6 digits, from a base32 secret.
export function totp(secret, t = Date.now()) {
  const alpha = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/=+$/, '').toUpperCase())
    bits += alpha.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.alloc(Math.floor(bits.length / 8));
  for (let i = 0; i < key.length; i++) key[i] = parseInt(bits.slice(i * 8, i * 8 + 8), 2);
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(Math.floor(t / 1000 / 30)));
  const mac = createHmac('sha1', key).update(msg).digest();
  const off = mac[19] & 15;
  return String((mac.readUInt32BE(off) & 0x7fffffff) % 1000000).padStart(6, '0');
}

export async function launch() {
  return chromium.launch({ executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu'] });
}

// A fresh context and page that record console errors and failed requests.
// A fetch the page itself aborts (the event stream when it leaves) is not a
// failure; nor are the statuses a test expects (allow: [[status, path], ...]).
export async function openPage(browser, base, { colorScheme = 'light', width = 1280 } = {}) {
  const context = await browser.newContext({ baseURL: base, colorScheme,
    viewport: { width, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  page.allow = [];
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const text = m.text();
    if (page.allow.some(([st]) => text.includes(`status of ${st}`))) return;
    problems.push(`console: ${text}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    const f = r.failure()?.errorText || '';
    // left behind by a navigation: the event stream, the browser's own favicon fetch
    if (f.includes('ERR_ABORTED') && /\/api\/events|\/favicon\.svg/.test(r.url())) return;
    problems.push(`request failed: ${r.method()} ${r.url()} ${f}`);
  });
  page.on('response', (r) => {
    if (r.status() < 400) return;
    const path = new URL(r.url()).pathname;
    if (page.allow.some(([st, p]) => st === r.status() && path.startsWith(p))) return;
    problems.push(`HTTP ${r.status()}: ${r.request().method()} ${path}`);
  });
  page.problems = problems;
  return { context, page };
}

export async function signIn(page, username, password = PASSWORD) {
  await page.goto('/login');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export async function shot(page, name) {
  mkdirSync(SCREENS, { recursive: true });
  await page.screenshot({ path: join(SCREENS, `${name}.png`), fullPage: true });
}
