// tests/browser/pages_admin.mjs — the pages Market data, Config, Operations
// and Users, and the TOTP QR code on Settings, in Debian's Chromium: each
// page's figures equal the API's, each control does what the API would
// (sync, set and reset with the server's refusal shown, history pages, run
// now, pause and resume, EOD days, live events, role, disable, delete with
// its confirm step, an invitation link copied), one flow per page with the
// keyboard alone, a viewer without any of these controls (and refused by
// the server), no console error or failed request, screenshots light and
// dark at a desktop's and a phone's width (375 px, no horizontal overflow).
//
//   node tests/browser/pages_admin.mjs BUILD/jutsu   (ctest: browser_pages_admin)
import {
  PASSWORD, SCREENS, apiGet, apiLogin, apiPost, check, launch, openPage, shot, signIn,
  startServer, step, summary,
} from './lib.mjs';

const noProblems = (page, where) =>
  check(page.problems.length === 0, `${where}: no console error or failed request` +
    (page.problems.length ? `\n  ${page.problems.join('\n  ')}` : ''));

const nf2 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const money = (s) => nf2.format(Number(s));
const show = (v) => (v === null || v === undefined ? '—' : String(v));

async function call(base, tok, method, path, body) {
  const r = await fetch(base + path, { method, headers: { Authorization: `Bearer ${tok}`,
    'Content-Type': 'application/json' }, body: body === undefined ? undefined
    : JSON.stringify(body) });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}

// Presses Tab until the focused element's accessible text is `name` (its
// aria-label, its text, or its label's text); fails after `max` presses.
async function tabTo(page, name, max = 80) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const got = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el) return '';
      const lab = el.id && document.querySelector(`label[for="${el.id}"]`);
      return el.getAttribute('aria-label') || (lab && lab.textContent) || el.textContent || '';
    });
    if (got.trim() === name) return;
  }
  throw new Error(`Tab never reached "${name}"`);
}

const cells = (row) => row.locator('th, td').allTextContents();

async function signedIn(browser, base, user, opts = {}) {
  const { page, context } = await openPage(browser, base, opts);
  await signIn(page, user);
  await page.getByRole('heading', { name: 'Equity and drawdown' }).waitFor();
  return { page, context };
}

async function go(page, base, link, path) {
  await page.getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: link, exact: true }).click();
  await page.waitForURL(base + path);
}

// --- Market data ------------------------------------------------------------------

async function marketData(browser, base, tok) {
  const { page, context } = await signedIn(browser, base, 'ada');
  await go(page, base, 'Market data', '/market-data');
  const list = await apiGet(base, tok, '/api/market-data');
  const today = (await apiGet(base, tok, '/api/v2/performance/eod-status/today')).date;
  const d = new Date(`${today}T12:00:00Z`);
  do d.setUTCDate(d.getUTCDate() - 1); while (d.getUTCDay() === 0 || d.getUTCDay() === 6);
  const expected = d.toISOString().slice(0, 10);
  await page.getByRole('table', { name: 'Bars per symbol and timeframe' }).waitFor();
  for (const m of list) {
    const c = await cells(page.getByRole('row', { name: new RegExp(`^${m.symbol} `) }));
    const last = m.last < expected ? `${m.last} (stale)` : m.last;
    check(c[0] === m.symbol && c[1] === m.timeframe && c[2] === m.first && c[3] === last &&
      c[4] === String(m.count) && c[5] === String(m.gaps) && c[8] === m.source,
    `market data ${m.symbol}: ${c.slice(0, 6).join(' | ')} equals the API`);
  }
  const stale = list.filter((m) => m.last < expected).map((m) => m.symbol);
  if (stale.length)
    check(await page.getByText(`Stale: ${stale.join(', ')}`).count() === 1,
      `stale symbols named: ${stale.join(', ')}`);

  // the bars of QQQ: the newest page, then the one before, with the keyboard
  const qqq = list.find((m) => m.symbol === 'QQQ');
  const pages = Math.ceil(qqq.count / 50);
  await page.getByRole('heading', { name: 'Market data' }).focus();
  await tabTo(page, 'Show bars of QQQ 1D');
  await page.keyboard.press('Enter');
  const status = page.getByRole('status').filter({ hasText: /^Page \d+ of/ });
  await status.filter({ hasText: `Page ${pages} of ${pages}` }).waitFor();
  const bars = async (p) => {
    const api = await apiGet(base, tok, `/api/market-data/QQQ?timeframe=1D&page=${p}&per_page=50`);
    const t = page.getByRole('table', { name: `Bars of QQQ (1D), page ${p}` });
    await t.waitFor();
    const rows = t.getByRole('row');
    const n = (await rows.count()) - 1;
    const first = await cells(rows.nth(1));
    const b = api.items[0];
    check(n === api.items.length && first[0] === b.date && first[1] === money(b.open) &&
      first[4] === money(b.close) && first[5] === String(b.volume),
    `QQQ bars page ${p}: ${n} rows, the first ${first.slice(0, 5).join(' ')} as the API's`);
  };
  await bars(pages);
  await tabTo(page, 'Previous page');
  await page.keyboard.press('Space');
  await status.filter({ hasText: `Page ${pages - 1} of ${pages}` }).waitFor();
  await bars(pages - 1);
  check(true, 'market data: bars shown and paged with the keyboard');

  // Sync now, followed to its end
  await page.getByRole('button', { name: 'Sync now' }).click();
  const done = page.getByRole('status').filter({ hasText: /The sync job \(r-\d+\) finished/ });
  await done.waitFor({ timeout: 20000 });
  const id = (await done.textContent()).match(/\((r-\d+)\)/)[1];
  const run = await apiGet(base, tok, `/api/jobs/${id}`);
  check((await done.textContent()).endsWith(`: ${run.status}.`) && run.job === 'sync',
    `Sync now: the page says how ${id} ended (${run.status}), as the API`);
  await page.waitForTimeout(150);
  noProblems(page, 'market data');
  await context.close();
}

// --- Config -----------------------------------------------------------------------

async function config(browser, base, tok) {
  const { page, context } = await signedIn(browser, base, 'ada');
  await go(page, base, 'Config', '/config');
  const s = await apiGet(base, tok, '/api/strategies/v3_5b');
  const table = page.getByRole('table', { name: 'Parameters of v3_5b' });
  await table.waitFor();
  let same = 0;
  for (const p of s.parameters) {
    const c = await cells(table.getByRole('row', { name: new RegExp(`^${p.name} `) }));
    if (c[1] === show(p.value) && c[2] === show(p.default) && c[4] === p.type) same++;
  }
  check(same === s.parameters.length, `config: ${same} of ${s.parameters.length} parameters ` +
    'show the API\'s value, default and type');

  // Set with the keyboard alone: parameter, value, reason, Enter
  await page.getByRole('heading', { name: 'Config' }).focus();
  await tabTo(page, 'Parameter');
  await page.keyboard.type('sma_fast');
  check(await page.getByLabel('Parameter', { exact: true }).inputValue() === 'sma_fast',
    'the parameter picked by typing its name');
  await tabTo(page, 'Value');
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type('45');
  await page.keyboard.press('Tab');
  await page.keyboard.type('keyboard test');
  await page.keyboard.press('Enter');
  await page.getByRole('status').filter({ hasText: 'sma_fast set to 45' }).waitFor();
  let p = (await apiGet(base, tok, '/api/strategies/v3_5b')).parameters
    .find((x) => x.name === 'sma_fast');
  check(p.value === 45 && p.override?.reason === 'keyboard test',
    'Set (keyboard): the API has sma_fast = 45 with its reason');
  const row = table.getByRole('row', { name: /^sma_fast / });
  check((await cells(row))[1] === '45', 'the row shows the new value');
  let hist = await apiGet(base, tok, '/api/config/history?page=1&per_page=20');
  const top = async () => cells(page.getByRole('table', { name: 'Parameter changes' })
    .getByRole('row').nth(1));
  let c = await top();
  check(c[2] === 'sma_fast' && c[3] === hist.items[0].change_type && c[4] ===
    hist.items[0].old_value && c[5] === '45' && c[7] === 'keyboard test',
  `history shows the change first: ${c.join(' | ')}`);

  // a refusal: the server's words in an alert
  const refused = await call(base, tok, 'PUT', '/api/config/v3_5b/sma_fast', { value: 500 });
  page.allow.push([400, '/api/config/v3_5b/sma_fast']);
  await page.getByLabel('Value', { exact: true }).fill('500');
  await page.getByRole('button', { name: 'Set', exact: true }).click();
  const alert = page.getByRole('alert').filter({ hasText: 'sma_fast' });
  await alert.waitFor();
  check(refused.status === 400 && (await alert.textContent()) === refused.body.error.message,
    'a refused value: the alert says what the server said');

  // Reset with a reason
  await page.getByLabel('Reason', { exact: true }).fill('back to the file');
  await page.getByRole('button', { name: 'Reset' }).click();
  await page.getByRole('status').filter({ hasText: 'override of sma_fast was removed' })
    .waitFor();
  p = (await apiGet(base, tok, '/api/strategies/v3_5b')).parameters
    .find((x) => x.name === 'sma_fast');
  hist = await apiGet(base, tok, '/api/config/history?page=1&per_page=20');
  check(!p.override && hist.items[0].change_type === 'restore' &&
    hist.items[0].reason === 'back to the file', 'Reset: no override left; the reason kept');
  // the history reloads after the reset: wait for its new first row (the
  // pager's "Page 1" is there from before, so it says nothing)
  await page.getByRole('table', { name: 'Parameter changes' }).getByRole('row').nth(1)
    .filter({ hasText: 'back to the file' }).waitFor();
  c = await top();
  check(c[3] === 'restore' && c[7] === 'back to the file', 'history shows the reset first');

  // the history's pages: enough changes for two
  for (let i = 0; i < 20; i++)
    await call(base, tok, 'PUT', '/api/config/v3_5b/t_max', { value: 40 + i, reason: `r${i}` });
  await page.reload();
  await page.getByRole('button', { name: 'Older changes' }).click();
  await page.getByRole('status').filter({ hasText: /^Page 2/ }).waitFor();
  const api2 = await apiGet(base, tok, '/api/config/history?page=2&per_page=20');
  const rows2 = page.getByRole('table', { name: 'Parameter changes' }).getByRole('row');
  c = await cells(rows2.nth(1));
  check((await rows2.count()) - 1 === api2.items.length && c[2] === api2.items[0].parameter &&
    c[7] === show(api2.items[0].reason), `history page 2: ${api2.items.length} rows as the API`);
  noProblems(page, 'config');
  await context.close();
}

// --- Operations -------------------------------------------------------------------

async function operations(browser, base, tok) {
  const { page, context } = await signedIn(browser, base, 'ada');
  await go(page, base, 'Operations', '/operations');
  const s = await apiGet(base, tok, '/api/scheduler');
  await page.getByRole('table', { name: 'Jobs' }).waitFor();
  for (const j of s.jobs) {
    const c = await cells(page.getByRole('row', { name: new RegExp(`^${j.name} `) }));
    check(c[1] === j.at && c[6] === (j.paused ? 'yes' : 'no'),
      `job ${j.name}: at ${c[1]}, paused ${c[6]}, as the API`);
  }
  check(await page.getByRole('button', { name: 'Run prune now' }).count() === 0 &&
    await page.getByRole('button', { name: 'Run eod now' }).count() === 1,
  'Run now only where the API can run the job');

  // Pause and resume with the keyboard alone
  await page.getByRole('heading', { name: 'Operations' }).focus();
  await tabTo(page, 'Pause sync');
  await page.keyboard.press('Space');
  await page.getByRole('status').filter({ hasText: 'sync is paused' }).waitFor();
  check((await apiGet(base, tok, '/api/scheduler')).jobs.find((j) => j.name === 'sync').paused,
    'Pause (keyboard): the API has sync paused');
  check(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')) ===
    'Resume sync', 'the focus stays on the job: Resume sync');
  await page.keyboard.press('Enter');
  await page.getByRole('status').filter({ hasText: 'sync is resumed' }).waitFor();
  check(!(await apiGet(base, tok, '/api/scheduler')).jobs.find((j) => j.name === 'sync').paused,
    'Resume (keyboard): the API has sync running again');

  // EOD days up to a date of the sample history
  await page.getByLabel('Days up to').fill('2024-06-11');
  await page.getByRole('button', { name: 'Show days' }).click();
  const eodT = page.getByRole('table', { name: 'EOD status from 2024-05-13 to 2024-06-11' });
  await eodT.waitFor();
  const eod = await apiGet(base, tok, '/api/eod/status?from=2024-05-13&to=2024-06-11');
  const er = eodT.getByRole('row');
  const newest = eod.days[eod.days.length - 1];
  const c = await cells(er.nth(1));
  check((await er.count()) - 1 === eod.days.length && c[0] === newest.date &&
    c[1] === newest.status, `EOD days: ${eod.days.length} rows, newest ${c[0]} ${c[1]}`);

  // Run now: followed to its end; the events list gets the job's events
  // (the page's event stream taken by the server first)
  await page.locator('html[data-events="open"]').waitFor();
  await page.getByRole('button', { name: 'Run eod now' }).click();
  const done = page.getByRole('status').filter({ hasText: /The eod job \(r-\d+\) finished/ });
  await done.waitFor({ timeout: 20000 });
  const id = (await done.textContent()).match(/\((r-\d+)\)/)[1];
  const run = await apiGet(base, tok, `/api/jobs/${id}`);
  check((await done.textContent()).endsWith(`: ${run.status}.`), `Run now: ${id} ${run.status}`);
  const events = page.getByRole('list', { name: 'Recent events, newest first' });
  await events.getByRole('listitem').filter({ hasText: `job.finished` })
    .filter({ hasText: `run_id=${id}` }).waitFor({ timeout: 10000 });
  const firstTwo = await events.getByRole('listitem').allTextContents();
  check(firstTwo.findIndex((t) => t.includes('job.finished') && t.includes(id)) <
    firstTwo.findIndex((t) => t.includes('job.started') && t.includes(id)),
  'the events list is newest first (job.finished above job.started)');
  noProblems(page, 'operations');
  await context.close();
}

// --- Users ------------------------------------------------------------------------

async function users(browser, base, tok, srv) {
  srv.cli(['user', 'add', 'uma', '--role', 'viewer'], `${PASSWORD}\n`);
  const { page, context } = await signedIn(browser, base, 'ada');
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await go(page, base, 'Users', '/users');
  const list = await apiGet(base, tok, '/api/users');
  await page.getByRole('table', { name: 'Users' }).waitFor();
  for (const u of list) {
    const row = page.getByRole('row', { name: new RegExp(`^${u.username}\\b`) });
    const c = await cells(row);
    const role = await row.getByLabel(`Role of ${u.username}`, { exact: true }).inputValue();
    check(role === u.role && c[3] === (u.is_active ? 'yes' : 'no'),
      `user ${u.username}: ${role}, active ${c[3]}, as the API`);
  }
  const uma = list.find((u) => u.username === 'uma');
  const apiUma = async () => (await apiGet(base, tok, '/api/users')).find((u) => u.id === uma.id);

  await page.getByLabel('Role of uma', { exact: true }).selectOption('admin');
  await page.getByRole('button', { name: 'Save role of uma' }).click();
  await page.getByRole('status').filter({ hasText: 'uma is now admin' }).waitFor();
  check((await apiUma()).role === 'admin', 'Save: the API has uma as admin');
  await page.getByRole('button', { name: 'Disable uma' }).click();
  await page.getByRole('status').filter({ hasText: 'uma is disabled' }).waitFor();
  check((await apiUma()).is_active === false, 'Disable: the API has uma inactive');
  await page.getByRole('button', { name: 'Enable uma' }).click();
  await page.getByRole('status').filter({ hasText: 'uma is enabled' }).waitFor();
  check((await apiUma()).is_active === true, 'Enable: the API has uma active');

  // delete with the keyboard alone: Delete, Cancel, Delete, Confirm
  await page.getByRole('heading', { name: 'Users', level: 1 }).focus();
  await tabTo(page, 'Delete uma');
  await page.keyboard.press('Enter');
  check(await page.evaluate(() => document.activeElement?.textContent) ===
    'Confirm delete of uma', 'Delete asks first, the focus on its confirm button');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');   /* Cancel */
  check(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')) ===
    'Delete uma' && (await apiUma()) !== undefined, 'Cancel keeps uma, the focus back on Delete');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Enter');   /* Confirm */
  await page.getByRole('status').filter({ hasText: 'uma is deleted' }).waitFor();
  check((await apiUma()) === undefined, 'Confirm (keyboard): the API has no uma');

  // a refusal shown: an admin cannot delete themself (the server says so)
  const me = list.find((u) => u.username === 'ada');
  const self = await call(base, tok, 'DELETE', `/api/users/${me.id}`);
  if (self.status >= 400) {
    page.allow.push([self.status, `/api/users/${me.id}`]);
    await page.getByRole('button', { name: 'Delete ada' }).click();
    await page.getByRole('button', { name: 'Confirm delete of ada' }).click();
    const alert = page.getByRole('alert').filter({ hasText: self.body.error.message });
    await alert.waitFor();
    check(true, `deleting oneself is refused, said in an alert (${self.status})`);
  }

  // invite: role, email, Enter; the link; Copy link
  await page.getByLabel('Role', { exact: true }).selectOption('viewer');
  await page.getByLabel('Email').fill('new.viewer@example.com');
  await page.getByLabel('Email').press('Enter');
  const link = page.getByLabel('Invitation link');
  await link.waitFor();
  const url = await link.inputValue();
  const m = url.match(/^(.*)\/invite\/([A-Za-z0-9_-]+)$/);
  check(m && m[1] === base, `the link is this origin + /invite/TOKEN (${url.slice(0, 40)}…)`);
  const inv = await (await fetch(`${base}/api/invitations/${m[2]}`)).json();
  check(inv.role === 'viewer', 'the invitation is for a viewer (the API)');
  await page.getByRole('button', { name: 'Copy link' }).click();
  await page.getByRole('status').filter({ hasText: 'The link is copied.' }).waitFor();
  check(await page.evaluate(() => navigator.clipboard.readText()) === url,
    'Copy link puts the link on the clipboard');
  noProblems(page, 'users');
  await context.close();
}

// --- the TOTP QR code on Settings ---------------------------------------------------

async function qrCode(browser, base, srv) {
  srv.cli(['user', 'add', 'quin', '--role', 'viewer'], `${PASSWORD}\n`);
  const { page, context } = await signedIn(browser, base, 'quin');
  await go(page, base, 'Settings', '/settings');
  const answer = page.waitForResponse((r) => r.url().endsWith('/api/2fa/setup'));
  await page.getByRole('button', { name: 'Set up TOTP' }).click();
  const setup = await (await answer).json();
  const img = page.getByRole('img', { name: /^QR code of the link/ });
  await img.waitFor();
  const drawn = await img.evaluate((svg) => ({ box: svg.getAttribute('viewBox'),
    dark: (svg.querySelector('path').getAttribute('d').match(/M/g) || []).length,
    w: svg.getBoundingClientRect().width }));
  const dark = setup.qr.rows.join('').replace(/0/g, '').length;
  check(drawn.box === `0 0 ${setup.qr.size + 8} ${setup.qr.size + 8}` && drawn.dark === dark &&
    drawn.w >= 150, `the QR code is drawn: ${setup.qr.size} modules a side, ${dark} dark`);
  const secret = (await page.getByRole('definition').nth(1).textContent()).trim();
  check(secret === setup.secret && setup.otpauth_uri.includes(`secret=${secret}`),
    'the secret is still shown as text, the one the QR code carries');
  await shot(page, 'admin-settings-qr-light');
  noProblems(page, 'settings QR');
  await context.close();
  const dk = await signedIn(browser, base, 'quin', { colorScheme: 'dark', width: 375 });
  await go(dk.page, base, 'Settings', '/settings');
  await dk.page.getByRole('button', { name: 'Set up TOTP' }).click();
  await dk.page.getByRole('img', { name: /^QR code of the link/ }).waitFor();
  await shot(dk.page, 'admin-settings-qr-dark-phone');
  await dk.context.close();
}

// --- a viewer ---------------------------------------------------------------------

async function viewer(browser, base) {
  const vt = (await apiLogin(base, 'vic')).access_token;
  const { page, context } = await signedIn(browser, base, 'vic');
  await go(page, base, 'Market data', '/market-data');
  await page.getByRole('table', { name: 'Bars per symbol and timeframe' }).waitFor();
  check(await page.getByRole('button', { name: 'Sync now' }).count() === 0,
    'the viewer sees Market data without Sync now');
  await shot(page, 'admin-viewer-market-data-light');
  for (const path of ['/config', '/operations', '/users']) {
    await page.goto(path);
    await page.getByRole('alert').filter({ hasText: 'for admins' }).waitFor();
    const names = await page.getByRole('main').getByRole('button').count();
    check(names === 0 && await page.getByRole('combobox').count() === 0,
      `the viewer sees no control on ${path}`);
  }
  const refused = [['POST', '/api/control/sync', {}], ['POST', '/api/control/eod', {}],
    ['POST', '/api/control/trade', {}], ['POST', '/api/scheduler/sync/pause'],
    ['POST', '/api/scheduler/sync/resume'], ['PUT', '/api/config/v3_5b/sma_fast', { value: 41 }],
    ['DELETE', '/api/config/v3_5b/sma_fast?reason=x'], ['GET', '/api/users'],
    ['POST', '/api/users/invite', { role: 'admin' }], ['PUT', '/api/users/1', { role: 'viewer' }],
    ['DELETE', '/api/users/1']];
  for (const [method, path, body] of refused) {
    const r = await call(base, vt, method, path, body);
    check(r.status === 403, `the server refuses the viewer ${method} ${path} (${r.status})`);
  }
  noProblems(page, 'viewer');
  await context.close();
}

// --- screenshots: light and dark, desktop and phone ----------------------------------

async function screenshots(browser, base) {
  const pages = [['market-data', '/market-data', 'Market data', 'Symbols'],
    ['config', '/config', 'Config', 'History'], ['operations', '/operations', 'Operations',
      'Recent events'], ['users', '/users', 'Users', 'Invite someone']];
  for (const colorScheme of ['light', 'dark']) {
    for (const width of [1280, 375]) {
      const { page, context } = await signedIn(browser, base, 'ada', { colorScheme, width });
      // the event streams of pages just left count against the user's 8 until
      // the server's heartbeat finds them gone; a page refused one retries
      page.allow.push([429, '/api/events']);
      for (const [name, path, link, heading] of pages) {
        if (width === 375) await page.goto(path);
        else await go(page, base, link, path);
        await page.getByRole('heading', { name: heading, exact: true }).waitFor();
        await page.waitForTimeout(200);
        if (name === 'market-data') {
          await page.getByRole('button', { name: 'Show bars of QQQ 1D' }).click();
          await page.getByRole('status').filter({ hasText: /^Page \d+ of/ }).waitFor();
        }
        const over = await page.evaluate(() => document.documentElement.scrollWidth -
          document.documentElement.clientWidth);
        if (width === 375) check(over <= 0, `${name} (${colorScheme}) at 375 px: no ` +
          `horizontal overflow (${over} px)`);
        await shot(page, `admin-${name}-${colorScheme}${width === 375 ? '-phone' : ''}`);
      }
      noProblems(page, `screenshots ${colorScheme} ${width}`);
      await context.close();
    }
  }
}

async function main() {
  const srv = await startServer();
  const { base } = srv;
  const browser = await launch();
  try {
    const tok = (await apiLogin(base, 'ada')).access_token;
    await step('market data', () => marketData(browser, base, tok));
    await step('config', () => config(browser, base, tok));
    await step('operations', () => operations(browser, base, tok));
    await step('users', () => users(browser, base, tok, srv));
    await step('settings: the TOTP QR code', () => qrCode(browser, base, srv));
    await step('viewer: no admin control, and the server refuses', () => viewer(browser, base));
    await step('screenshots', () => screenshots(browser, base));
    void apiPost;
  } finally {
    await browser.close();
    await srv.stop();
  }
  console.log(`# screenshots: ${SCREENS}`);
  process.exitCode = summary();
}

main().catch((e) => { console.log(`FAIL - ${e.stack || e}`); process.exitCode = 1; });
