// tests/browser/dashboard.mjs — the dashboard in Debian's Chromium
// (playwright-core, no browser download): served files and their limits,
// sign-in with a password, TOTP and a passkey (Chromium's virtual
// authenticator), an invitation, the locked-account message, a viewer
// without admin links, the overview's figures equal to the API's, a live
// EOD run that moves it without a reload, no console error or failed
// request on any page, screenshots of each page in light and dark, and the
// overview's first paint from a cold browser.
//
//   node tests/browser/dashboard.mjs BUILD/jutsu   (ctest: browser_dashboard)
import { execFileSync } from 'node:child_process';
import { request } from 'node:http';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  SRC, SCREENS, PASSWORD, apiGet, apiLogin, apiPost, check, launch, openPage, shot, signIn,
  startServer, step, summary, totp,
} from './lib.mjs';

// [screenshot name, path, the nav link's name]
const PAGES = [['overview', '/', 'Overview'], ['performance', '/performance', 'Performance'],
  ['trades', '/trades', 'Trades'], ['backtest', '/backtest', 'Backtest'],
  ['market-data', '/market-data', 'Market data'], ['config', '/config', 'Config'],
  ['operations', '/operations', 'Operations'], ['settings', '/settings', 'Settings'],
  ['users', '/users', 'Users']];

// A raw GET: the path exactly as given (fetch() would resolve the dots).
function raw(base, path, headers = {}) {
  const u = new URL(base);
  return new Promise((ok, bad) => {
    const req = request({ host: '127.0.0.1', port: u.port, path, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode, headers: res.headers,
        body: Buffer.concat(chunks) }));
    });
    req.on('error', bad);
    req.end();
  });
}

const noProblems = (page, where) =>
  check(page.problems.length === 0, `${where}: no console error or failed request` +
    (page.problems.length ? `\n  ${page.problems.join('\n  ')}` : ''));

const near = (a, b, tol) => Math.abs(a - b) <= tol;
const parseShown = (t) => Number(t.replace(/[,%]/g, ''));

async function servedFiles(base) {
  const index = (await raw(base, '/')).body;
  check(index.includes('<main id="main"'), 'GET / is the dashboard');
  const app = await raw(base, '/js/app.js');
  check(app.status === 200 && app.headers['content-type'].startsWith('text/javascript') &&
    app.headers['cache-control'] === 'no-cache' && /^"[0-9a-f]{32}"$/.test(app.headers.etag),
  '/js/app.js: 200, text/javascript, no-cache, a strong ETag');
  check(!/<script>|\bon[a-z]+=|\bstyle=/i.test(index.toString()),
    'index.html has no inline script, handler or style');
  const again = await raw(base, '/js/app.js', { 'If-None-Match': app.headers.etag });
  check(again.status === 304 && again.body.length === 0, 'If-None-Match: 304, no body');
  const gz = await raw(base, '/vendor/uPlot.esm.js', { 'Accept-Encoding': 'gzip' });
  check(gz.headers['content-encoding'] === 'gzip' && gz.body.length < 60000,
    `uPlot gzipped for a client that asks (${gz.body.length} bytes)`);
  check((await raw(base, '/settings')).body.equals(index) &&
    (await raw(base, '/invite/abc-_DEF')).body.equals(index), 'a page URL gets index.html');
  // the table is the only source: these can only miss (or, for a page, be it)
  const evil = ['/../etc/passwd', '/%2e%2e/etc/passwd', '/%2E%2E/%2e%2e/etc/passwd', '//etc/passwd',
    '/js/../../etc/passwd', '/js/..%2f..%2fetc/passwd', '/js/app.js%00.txt', '/%00',
    '/index.html%00', '/invite/..%2f..%2fetc%2fpasswd', '/css//app.css', '/js/app.js/',
    `/${'a'.repeat(900)}`, `/${'a/'.repeat(3000)}`, '/favicon.ico', '/.git/config',
    '/node_modules/uplot/package.json', '/web/index.html', '/CMakeLists.txt'];
  for (const p of evil) {
    const r = await raw(base, p);
    const ok = r.status === 404 || r.status === 414 || r.status === 431 || r.status === 400 ||
      (r.status === 200 && r.body.equals(index));
    check(ok && !r.body.toString().includes('root:'), `GET ${p.slice(0, 40)}: ${r.status}, ` +
      'a miss or the page');
  }
}

async function ownSize() {
  let total = 0;
  const walk = (d) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(js|css)$/.test(f)) total += gzipSync(readFileSync(p), { level: 9 }).length;
    }
  };
  walk(join(SRC, 'web'));
  console.log(`# measure: the dashboard's own js+css, gzipped one by one: ${total} bytes`);
  check(total < 150 * 1024, 'own script and style < 150 KiB compressed');
}

async function figures(page, base, token) {
  const ents = await apiGet(base, token, '/api/strategies');
  for (const e of ents) {
    const d = await apiGet(base, token, `/api/v2/performance/${e.id}/daily`);
    const row = page.getByRole('row', { name: new RegExp(`^${e.id}\\b`) });
    const cells = await row.getByRole('cell').allTextContents();
    // Equity, Today's, Cumulative, Drawdown, Sharpe, Sortino, Calmar, CAGR, Max dd, Win, As of
    const want = [[Number(d.total_equity), 0.005], [d.daily_return * 100, 0.005],
      [d.cumulative_return * 100, 0.005], [d.drawdown * 100, 0.005], [d.sharpe_ratio, 0.005],
      [d.sortino_ratio, 0.005], [d.calmar_ratio, 0.005], [d.cagr * 100, 0.005],
      [d.max_drawdown * 100, 0.005]];
    const bad = want.map(([w, tol], i) => [i, w, parseShown(cells[i]), tol])
      .filter(([, w, s, tol]) => !near(w, s, tol + 1e-9));
    check(bad.length === 0 && cells[10] === d.trading_date,
      `overview figures of ${e.id} equal the API's` +
      (bad.length ? ` ${JSON.stringify(bad)}` : ''));
  }
}

async function main() {
  const srv = await startServer();
  const { base } = srv;
  const browser = await launch();
  const adminTok = (await apiLogin(base, 'ada')).access_token;
  try {
    await step('served files', () => servedFiles(base));
    await step('size', ownSize);

    // Reported, not asserted (no timing assertions: the machine is shared).
    await step('first paint from a cold browser', async () => {
      const cold = await launch();
      const ctx = await cold.newContext({ baseURL: base });
      const page = await ctx.newPage();
      await page.goto('about:blank');   /* the browser's own start is not the page's */
      const login = await fetch(`${base}/api/auth/login`, { method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: 'ada', password: PASSWORD }) });
      const refresh = (await login.json()).refresh_token;
      await ctx.addCookies([{ name: 'jutsu_refresh', value: refresh, url: `${base}/api/auth` }]);
      await ctx.addInitScript(() => localStorage.setItem('jutsu.session', '1'));
      await page.goto('/');
      await page.getByRole('heading', { name: 'Equity and drawdown' }).waitFor();
      const t = await page.evaluate(() => ({
        fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime,
        ready: performance.now(),
      }));
      console.log(`# measure: overview from a cold browser (empty cache, signed in by the ` +
        `refresh cookie): first contentful paint ${t.fcp?.toFixed(0)} ms, figures and chart ` +
        `drawn by ${t.ready.toFixed(0)} ms`);
      check(t.fcp !== undefined, 'the overview paints');
      await cold.close();
    });

    await step('admin: password sign-in, every page, light and dark', async () => {
      for (const colorScheme of ['light', 'dark']) {
        const { page, context } = await openPage(browser, base, { colorScheme });
        await page.goto('/login');
        await shot(page, `login-${colorScheme}`);
        await signIn(page, 'ada');
        await page.getByRole('heading', { name: 'Equity and drawdown' }).waitFor();
        const nav = page.getByRole('navigation', { name: 'Main' });
        for (const [, , n] of PAGES)
          check(await nav.getByRole('link', { name: n, exact: true }).count() === 1,
            `${colorScheme}: the admin's nav has ${n}`);
        for (const [name, path, link] of PAGES) {
          if (path !== '/') {
            await nav.getByRole('link', { name: link, exact: true }).click();
            await page.waitForURL(base + path);
            await page.getByRole('heading', { level: 1 }).waitFor();
            if (path === '/settings')
              await page.getByRole('heading', { name: 'Passkeys' }).waitFor();
          }
          await page.waitForTimeout(150);
          await shot(page, `${name}-${colorScheme}`);
        }
        await page.goBack();
        check(page.url() === `${base}/settings`, 'the back button goes to the previous page');
        noProblems(page, `admin pages (${colorScheme})`);
        await context.close();
      }
      const { page, context } = await openPage(browser, base, { width: 390 });
      await signIn(page, 'ada');
      await page.getByRole('heading', { name: 'Equity and drawdown' }).waitFor();
      await shot(page, 'overview-phone');
      noProblems(page, 'overview on a phone');
      await context.close();
    });

    await step('keyboard only', async () => {
      const { page, context } = await openPage(browser, base);
      await page.goto('/login');
      await page.waitForFunction(() => document.activeElement?.id === 'username');
      await page.keyboard.type('ada');
      await page.keyboard.press('Tab');
      await page.keyboard.type(PASSWORD);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Equity and drawdown' }).waitFor();
      check(true, 'sign-in with the keyboard alone');
      noProblems(page, 'keyboard sign-in');
      await context.close();
    });

    await step('figures equal the API, and a live EOD run moves the overview', async () => {
      const { page, context } = await openPage(browser, base);
      await signIn(page, 'ada');
      await page.getByRole('heading', { name: 'Equity and drawdown' }).waitFor();
      await figures(page, base, adminTok);
      await page.evaluate(() => { window.notReloaded = true; });
      // the page's event stream taken by the server before the run: an
      // event published before that is not sent on it
      await page.locator('html[data-events="open"]').waitFor();
      const run = await apiPost(base, adminTok, '/api/control/eod', { date: '2024-06-12' });
      check(run.status === 202, `POST /api/control/eod: ${run.status}`);
      const row = page.getByRole('row', { name: /^QQQ\b/ });
      await row.getByRole('cell', { name: '2024-06-12' }).waitFor({ timeout: 15000 });
      check(await page.evaluate(() => window.notReloaded === true),
        'the overview took the new EOD row without a reload');
      const cap = await page.getByRole('img', { name: /^Equity:/ }).getAttribute('aria-label');
      check(cap.includes('2024-06-12'), 'the curve (and its text) reach the new day');
      await figures(page, base, adminTok);
      noProblems(page, 'live overview');
      await context.close();
    });

    // A failed scheduled run's error is a sentence: it goes on a row of its
    // own under the job, and the Jobs table stays inside its half-width card
    // (in the status cell it pushed the table 880 px past it). The records
    // are the scheduler's own (system_state), written as a past run left them.
    await step('a job\'s last error shows under it, inside the card', async () => {
      const err = 'storage: database is locked (SQLITE_BUSY) after 5000 ms; another ' +
        'process holds the write lock: see jutsu db status';
      const rec = (status, error) => JSON.stringify({ date: '2024-06-11',
        at: '2024-06-11T20:15:00Z', status, finished_at: '2024-06-11T20:15:03Z',
        ...(error ? { error } : {}) });
      execFileSync('sqlite3', [`${srv.dir}/var/jutsu.db`, 'INSERT INTO system_state (key, ' +
        `value, value_type) VALUES ('scheduler.eod', '${rec('failed', err)}', 'json'), ` +
        `('scheduler.sync', '${rec('ok')}', 'json')`]);
      for (const colorScheme of ['light', 'dark']) {
        const { page, context } = await openPage(browser, base, { colorScheme });
        await signIn(page, 'ada');
        const card = page.locator('section[aria-labelledby="h-jobs"]');
        const why = card.getByRole('row', { name: `The last eod run failed: ${err}` });
        await why.waitFor();
        const cellsOf = (job) => card.getByRole('row', { name: new RegExp(`^${job} `) })
          .getByRole('cell').allTextContents();
        const eod = await cellsOf('eod');
        check(eod[4] === 'failed' && (await cellsOf('sync'))[4] === 'ok',
          `${colorScheme}: the Jobs table has eod failed, sync ok (${eod.join(' | ')})`);
        const [sw, cw] = await card.locator('.scroll').evaluate((d) => [d.scrollWidth,
          d.clientWidth]);
        check(sw <= cw, `${colorScheme}: the Jobs table fits its card (${sw} <= ${cw} px)`);
        await card.screenshot({ path: join(SCREENS, `overview-jobs-${colorScheme}.png`) });
        noProblems(page, `jobs with an error (${colorScheme})`);
        await context.close();
      }
    });

    await step('viewer: no admin link or control', async () => {
      const { page, context } = await openPage(browser, base);
      await signIn(page, 'vic');
      await page.getByRole('heading', { name: 'Equity and drawdown' }).waitFor();   /* loaded */
      const nav = page.getByRole('navigation', { name: 'Main' });
      for (const n of ['Config', 'Operations', 'Users'])
        check(await nav.getByRole('link', { name: n }).count() === 0,
          `the viewer's nav lacks ${n}`);
      check(await nav.getByRole('link', { name: 'Overview' }).count() === 1,
        'the viewer has Overview');
      await page.goto('/config');
      await page.getByRole('alert').filter({ hasText: 'for admins' }).waitFor();
      check(await page.getByRole('button').count() === 1, 'the viewer sees no control on /config');
      await shot(page, 'viewer-config-light');
      const vt = (await apiLogin(base, 'vic')).access_token;
      const r = await apiPost(base, vt, '/api/control/eod', {});
      check(r.status === 403, 'the server refuses a viewer control (403)');
      noProblems(page, 'viewer pages');
      await context.close();
    });

    await step('TOTP: enable in Settings, sign in with a code', async () => {
      srv.cli(['user', 'add', 'tom', '--role', 'viewer'], `${PASSWORD}\n`);
      const { page, context } = await openPage(browser, base);
      await signIn(page, 'tom');
      await page.getByRole('link', { name: 'Settings' }).click();
      await page.getByRole('button', { name: 'Set up TOTP' }).click();
      const secret = (await page.getByRole('definition').nth(1).textContent()).trim();
      await page.getByLabel('Code from your app').fill(totp(secret));
      await page.getByRole('button', { name: 'Enable TOTP' }).click();
      await page.getByRole('list', { name: 'Backup codes' }).waitFor();
      check(await page.getByRole('list', { name: 'Backup codes' }).getByRole('listitem').count()
        === 10, 'ten backup codes shown once');
      await shot(page, 'settings-totp-light');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('button', { name: 'Sign in' }).waitFor();   /* logged out */
      await signIn(page, 'tom');
      // the enabling code's step is spent: the next step's code (±1 step is accepted)
      await page.getByLabel('Code from your authenticator app, or a backup code')
        .fill(totp(secret, Date.now() + 30000));
      await shot(page, 'login-2fa-light');
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.getByRole('heading', { name: 'Equity and drawdown' }).waitFor();
      check(true, 'signed in with a TOTP code');
      noProblems(page, 'TOTP');
      await context.close();
    });

    await step('passkey: register in Settings, sign in with it, delete it', async () => {
      srv.cli(['user', 'add', 'pam', '--role', 'viewer'], `${PASSWORD}\n`);
      const { page, context } = await openPage(browser, base);
      const cdp = await context.newCDPSession(page);
      await cdp.send('WebAuthn.enable');
      await cdp.send('WebAuthn.addVirtualAuthenticator', { options: { protocol: 'ctap2',
        transport: 'internal', hasResidentKey: true, hasUserVerification: true,
        isUserVerified: true } });
      await signIn(page, 'pam');
      await page.getByRole('link', { name: 'Settings' }).click();
      await page.getByLabel('Passkey name').fill('test laptop');
      await page.getByRole('button', { name: 'Register a passkey' }).click();
      await page.getByRole('button', { name: 'Delete test laptop' }).waitFor();
      check(true, 'the passkey is listed with its name');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('button', { name: 'Sign in' }).waitFor();   /* logged out */
      await signIn(page, 'pam');
      await page.getByRole('button', { name: 'Use a passkey' }).click();
      await page.getByRole('heading', { name: 'Equity and drawdown' }).waitFor();
      check(true, 'signed in with the passkey');
      await page.getByRole('link', { name: 'Settings' }).click();
      await page.getByRole('button', { name: 'Delete test laptop' }).click();
      await page.getByText('No passkey yet.').waitFor();
      check(true, 'the passkey is deleted');
      noProblems(page, 'passkey');
      await context.close();
    });

    await step('an invitation makes an account and signs it in', async () => {
      const inv = await apiPost(base, adminTok, '/api/users/invite', { role: 'viewer' });
      const { page, context } = await openPage(browser, base);
      await page.goto(new URL(inv.body.url).pathname);
      await page.getByLabel('Username').fill('ivy');
      await page.getByLabel('Password').fill(PASSWORD);
      await shot(page, 'invite-light');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByRole('heading', { name: 'Equity and drawdown' }).waitFor();
      check(true, 'the invited user is signed in');
      noProblems(page, 'invitation');
      await context.close();
    });

    await step('a locked account says until when', async () => {
      srv.cli(['user', 'add', 'lou', '--role', 'viewer'], `${PASSWORD}\n`);
      for (let i = 0; i < 10; i++)
        await fetch(`${base}/api/auth/login`, { method: 'POST', headers: {
          'Content-Type': 'application/json' }, body: '{"username":"lou","password":"wrong"}' });
      const { page, context } = await openPage(browser, base);
      page.allow.push([423, '/api/auth/login']);
      await signIn(page, 'lou');
      const alert = page.getByRole('alert').filter({ hasText: 'locked until' });
      await alert.waitFor();
      check(true, 'the locked-account message with its time');
      await shot(page, 'login-locked-light');
      noProblems(page, 'locked');
      await context.close();
    });
  } finally {
    await browser.close();
    await srv.stop();
  }
  console.log(`# screenshots: ${SCREENS}`);
  process.exitCode = summary();
}

main().catch((e) => { console.log(`FAIL - ${e.stack || e}`); process.exitCode = 1; });
