// tests/browser/pages_trader.mjs — the trader's pages in Debian's Chromium:
// Performance (range presets, entity, daily rows, returns heat map,
// comparison checkboxes, a live EOD row), Trades (filters in the URL, Back,
// paging, summary, CSV export), Backtest (a run beside the live parameters
// and the baseline; a viewer without the form). Figures are compared with
// the API's answers as exact strings; each page is used with the keyboard
// alone once; no console error or failed request; screenshots in light and
// dark at a desktop's and a phone's width.
//
//   node tests/browser/pages_trader.mjs BUILD/jutsu   (ctest: browser_pages_trader)
import {
  SCREENS, apiGet, apiLogin, apiPost, check, launch, openPage, shot, signIn, startServer, step,
  summary,
} from './lib.mjs';

// dom.js's formats, to compare the page's text with the API's numbers
const nf2 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const money = (s) => (s == null || s === '' ? '—' : nf2.format(Number(s)));
const pct = (x) => (x == null ? '—' : `${(x * 100).toFixed(2)}%`);
const num = (x) => (x == null ? '—' : Number(x).toFixed(2));

const noProblems = (page, where) =>
  check(page.problems.length === 0, `${where}: no console error or failed request` +
    (page.problems.length ? `\n  ${page.problems.join('\n  ')}` : ''));

async function signedIn(browser, base, user, opts = {}) {
  const { page, context } = await openPage(browser, base, opts);
  await signIn(page, user);
  await page.getByRole('heading', { name: 'Equity and drawdown' }).waitFor();
  return { page, context };
}

const rowsOf = (region) => region.locator('tbody tr');

// Presses Tab until the element matching `is` has the focus (at most n).
async function tabTo(page, is, n = 60) {
  for (let i = 0; i < n; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(is)) return true;
  }
  return false;
}

async function performance(browser, base, tok) {
  const { page, context } = await signedIn(browser, base, 'ada');
  await page.getByRole('link', { name: 'Performance', exact: true }).click();
  await page.getByRole('heading', { name: 'Daily history' }).waitFor();
  const entity = await page.getByLabel('Strategy', { exact: true }).inputValue();
  check(entity === 'v3_5b', `the entity is the first strategy (${entity})`);

  // The daily rows: all by default, newest first, 25 to a page.
  const hist = await apiGet(base, tok, `/api/v2/performance/${entity}/daily/history?days=5000`);
  const daily = page.getByRole('region', { name: /^Daily history of v3_5b/ });
  const first = await rowsOf(daily).first().locator('th, td').allTextContents();
  const d = hist.rows[hist.rows.length - 1];
  const want = [d.trading_date, money(d.total_equity), money(d.cash), pct(d.daily_return),
    pct(d.cumulative_return), pct(d.drawdown), pct(d.max_drawdown), num(d.sharpe_ratio),
    num(d.sortino_ratio), num(d.calmar_ratio), pct(d.volatility)];
  check(JSON.stringify(first) === JSON.stringify(want),
    `the newest daily row equals the API's: ${JSON.stringify(first)} vs ${JSON.stringify(want)}`);
  check(await rowsOf(daily).count() === Math.min(25, hist.rows.length),
    `the daily table shows ${Math.min(25, hist.rows.length)} rows`);

  // The heat map and the years: the API's returns as the cells' text.
  const ret = await apiGet(base, tok, `/api/v2/performance/${entity}/returns`);
  const heat = page.getByRole('table', { name: /^Monthly returns of v3_5b/ });
  let same = true;
  for (const m of ret.months) {
    const row = heat.getByRole('row', { name: new RegExp(`^${m.year}\\b`) });
    const cells = await row.getByRole('cell').allTextContents();
    if (cells[m.month - 1] !== pct(m.return)) same = false;
  }
  check(same && ret.months.length > 0,
    `the heat map's ${ret.months.length} months equal the API's`);
  const cls = await heat.getByRole('cell', { name: pct(ret.months[0].return) }).first()
    .getAttribute('class');
  check(/\bheat (up|down)[1-4]\b/.test(cls), `a month's cell is shaded by a class (${cls})`);
  const years = page.getByRole('table', { name: 'Returns per year' });
  check((await years.getByRole('row').nth(1).locator('th, td').allTextContents())
    .join('|') === [String(ret.years[0].year), pct(ret.years[0].return),
    money(ret.years[0].start_equity), money(ret.years[0].end_equity)].join('|'),
  'the year row equals the API\'s');

  // Another entity: the baseline's rows (and a link that says so).
  await page.getByLabel('Strategy', { exact: true }).selectOption('QQQ');
  await page.getByRole('region', { name: /^Daily history of QQQ/ }).waitFor();
  check(new URL(page.url()).searchParams.get('entity') === 'QQQ', 'the URL names the entity');
  const qh = await apiGet(base, tok, '/api/v2/performance/QQQ/daily/history?days=5000');
  const qd = page.getByRole('region', { name: /^Daily history of QQQ/ });
  check(await page.getByText(`Page 1 of ${Math.ceil(qh.rows.length / 25)}`).count() === 1,
    `the baseline's ${qh.rows.length} rows are paged`);
  await page.getByRole('navigation', { name: /^Pages of Daily history/ })
    .getByRole('button', { name: 'Next' }).click();
  const second = qh.rows[qh.rows.length - 26];
  check(await rowsOf(qd).first().locator('th').textContent() === second.trading_date,
    `Next shows the 26th newest row (${second.trading_date})`);

  // A preset, with the keyboard: 1M from the newest day; the rows the API gives for it.
  await page.getByLabel('To', { exact: true }).focus();
  check(await tabTo(page, () => document.activeElement?.textContent === '1M'),
    'Tab reaches the 1M preset');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('from'));
  const from = await page.getByLabel('From', { exact: true }).inputValue();
  const last = qh.rows[qh.rows.length - 1].trading_date;
  const wantFrom = (() => {
    const [y, m, dd] = last.split('-').map(Number);
    return new Date(Date.UTC(y, m - 2, dd)).toISOString().slice(0, 10);
  })();
  check(from === wantFrom, `1M starts a month before the newest day (${from}, ${wantFrom})`);
  const r1 = await apiGet(base, tok, `/api/v2/performance/QQQ/daily/history?from=${from}`);
  await page.waitForFunction((n) => document.querySelectorAll(
    '[aria-label^="Daily history of QQQ"] tbody tr').length === n, Math.min(25, r1.count));
  check(true, `1M shows the API's ${r1.count} rows of that range`);
  check(await page.getByRole('button', { name: '1M' }).getAttribute('aria-pressed') === 'true',
    'the 1M preset is marked pressed');
  await page.keyboard.press('Space');   /* still on the button: Space works too */

  // The comparison: a checkbox takes an entity off the chart (and its text).
  const img = page.getByRole('img', { name: /^Equity:/ });
  check((await img.getAttribute('aria-label')).includes('QQQ'), 'the chart names QQQ');
  await page.getByLabel('QQQ', { exact: true }).uncheck();
  await page.waitForFunction(() => !document.querySelector('[role="img"][aria-label^="Equity:"]')
    ?.getAttribute('aria-label').includes('QQQ'));
  const cmp = page.getByRole('table', { name: 'The chart in figures' });
  /* the table is redrawn after the chart's label: give it a moment (bounded) */
  for (let i = 0; i < 50 && await cmp.getByRole('row').count() !== 2; i++)
    await page.waitForTimeout(100);
  check(await cmp.getByRole('row').count() === 2, 'the figures table lists v3_5b alone');
  await page.getByLabel('QQQ', { exact: true }).check();
  await page.getByRole('button', { name: 'All' }).click();
  await cmp.getByRole('row', { name: /^QQQ/ }).waitFor();
  const c = await apiGet(base, tok, '/api/v2/performance/comparison?entities=v3_5b,QQQ');
  const lastQ = [...c.rows].reverse().find((r) => r.QQQ);
  check((await cmp.getByRole('row', { name: /^QQQ/ }).locator('td').nth(3).textContent()) ===
    money(lastQ.QQQ.equity), 'the comparison figures equal the API\'s');

  // A shared link restores the entity and the range.
  await page.goto('/performance?entity=QQQ&from=2024-05-01&to=2024-05-31');
  await page.getByRole('region', { name: /^Daily history of QQQ/ }).waitFor();
  const may = await apiGet(base, tok,
    '/api/v2/performance/QQQ/daily/history?from=2024-05-01&to=2024-05-31');
  check(await rowsOf(page.getByRole('region', { name: /^Daily history of QQQ/ })).count() ===
    Math.min(25, may.count) &&
    await page.getByLabel('From', { exact: true }).inputValue() === '2024-05-01',
  'a shared link restores the entity and range');
  noProblems(page, 'performance');
  await context.close();
}

// A run started over the API, followed to its end (bounded).
async function runEnd(base, tok, id) {
  for (let i = 0; i < 300; i++) {
    const r = await apiGet(base, tok, `/api/jobs/${id}`);
    if (r.status === 'ok' || r.status === 'failed') return r;
    await new Promise((ok) => setTimeout(ok, 50));
  }
  return { status: 'still running after 15 s' };
}

async function performanceLive(browser, base, tok) {
  const { page, context } = await signedIn(browser, base, 'ada');
  await page.getByRole('link', { name: 'Performance', exact: true }).click();
  const daily = page.getByRole('region', { name: /^Daily history of v3_5b/ });
  await daily.waitFor();
  await page.evaluate(() => { window.notReloaded = true; });
  const hist = await apiGet(base, tok, '/api/v2/performance/QQQ/daily');
  const next = new Date(Date.parse(`${hist.trading_date}T00:00:00Z`) + 86400000);
  while ([0, 6].includes(next.getUTCDay())) next.setUTCDate(next.getUTCDate() + 1);
  const day = next.toISOString().slice(0, 10);
  // the page's event stream taken by the server first: an event published
  // before that is not sent on it (CI once ran the EOD in between)
  await page.locator('html[data-events="open"]').waitFor();
  const run = await apiPost(base, tok, '/api/control/eod', { date: day });
  check(run.status === 202, `POST /api/control/eod ${day}: ${run.status}`);
  const ended = await runEnd(base, tok, run.body.id);
  check(ended.status === 'ok',
    `the EOD run of ${day} ended ${ended.status}${ended.error ? `: ${ended.error}` : ''}`);
  await daily.getByRole('rowheader', { name: day }).waitFor({ timeout: 15000 });
  check(await page.evaluate(() => window.notReloaded === true),
    `a new EOD row (${day}) shows without a reload`);
  noProblems(page, 'performance live');
  await context.close();
}

async function trades(browser, base, tok) {
  const { page, context } = await signedIn(browser, base, 'ada');
  await page.getByRole('link', { name: 'Trades', exact: true }).click();
  const list = page.getByRole('region', { name: /^Trades, newest first/ });
  await list.waitFor();
  const all = await apiGet(base, tok, '/api/trades?per_page=500');
  check(await rowsOf(list).count() === Math.min(25, all.total), `${all.total} trades listed`);
  const t = all.items[0];
  const cells = await rowsOf(list).first().locator('td').allTextContents();
  check(cells[1] === t.strategy_id && cells[3] === t.symbol && cells[4] === t.action &&
    cells[5] === String(t.quantity) && cells[6] === money(t.fill_price) &&
    cells[7] === money(t.fill_value), `the newest trade's cells equal the API's (${cells})`);
  const sum = await apiGet(base, tok, '/api/trades/summary');
  check((await page.locator('p.summary').textContent()).startsWith(
    `${sum.total_trades} trades (${sum.buys} buys, ${sum.sells} sells)`),
  'the summary line is the API\'s');

  // A filter with the keyboard alone: the symbol, Tab to Apply, Enter.
  const sym = all.items[all.items.length - 1].symbol;
  await page.getByLabel('Symbol', { exact: true }).focus();
  await page.keyboard.type(sym.toLowerCase());
  check(await tabTo(page, () => document.activeElement?.textContent === 'Apply filters'),
    'Tab reaches Apply filters');
  await page.keyboard.press('Enter');
  await page.waitForURL(`${base}/trades?symbol=${sym}`);
  const only = await apiGet(base, tok, `/api/trades?symbol=${sym}`);
  await page.waitForFunction((n) => document.querySelector('caption')?.textContent
    .includes(`(${n} in all)`), only.total);
  const syms = await rowsOf(page.getByRole('region', { name: /^Trades, newest first/ }))
    .locator('td:nth-child(4)').allTextContents();
  check(syms.length === only.total && syms.every((s) => s === sym),
    `the symbol filter shows the API's ${only.total} ${sym} trades`);
  const s2 = await apiGet(base, tok, `/api/trades/summary?symbol=${sym}`);
  check((await page.locator('p.summary').textContent()).startsWith(`${s2.total_trades} trades`),
    'the summary follows the filter');

  // Export with the same filter: the API's CSV, through a download.
  const [dl] = await Promise.all([page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export CSV' }).click()]);
  const chunks = [];
  for await (const c of await dl.createReadStream()) chunks.push(c);
  const csv = Buffer.concat(chunks).toString();
  const apiCsv = await (await fetch(`${base}/api/trades/export?symbol=${sym}`,
    { headers: { Authorization: `Bearer ${tok}` } })).text();
  check(csv === apiCsv && csv.split('\n').filter(Boolean).length === only.total + 1,
    `Export CSV downloads the API's CSV of the filter (${dl.suggestedFilename()})`);

  // Back returns to the unfiltered list; the link restores a filter.
  await page.goBack();
  await page.waitForURL(`${base}/trades`);
  await page.waitForFunction((n) => document.querySelector('caption')?.textContent
    .includes(`(${n} in all)`), all.total);
  check(await page.getByLabel('Symbol', { exact: true }).inputValue() === '',
    'Back restores the unfiltered list');

  // Paging: one a page (per_page in the link), Next and Previous.
  await page.goto('/trades?per_page=1');
  await page.getByText(`Page 1 of ${all.total}`).waitFor();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByText(`Page 2 of ${all.total}`).waitFor();
  check(new URL(page.url()).searchParams.get('page') === '2', 'the page is in the URL');
  const p2 = await rowsOf(page.getByRole('region', { name: /^Trades, newest first/ }))
    .first().locator('td').allTextContents();
  check(p2[6] === money(all.items[1].fill_price), 'page 2 shows the second trade');
  check(await page.getByRole('button', { name: 'Next' }).isDisabled() === (all.total === 2),
    'Next is disabled on the last page');
  await page.getByRole('button', { name: 'Previous' }).click();
  await page.getByText(`Page 1 of ${all.total}`).waitFor();

  // A bad filter is said in an alert, not thrown.
  page.allow.push([400, '/api/trades']);
  await page.goto('/trades?from=2024-02-30');
  const alert = page.getByRole('alert').filter({ hasText: 'from' });
  await alert.waitFor();
  check(true, `a bad filter is named: ${await alert.textContent()}`);
  noProblems(page, 'trades');
  await context.close();
}

async function backtest(browser, base, tok) {
  const { page, context } = await signedIn(browser, base, 'ada');
  await page.getByRole('link', { name: 'Backtest', exact: true }).click();
  await page.getByRole('button', { name: 'Run backtest' }).waitFor();
  await page.getByText(/^Parameters \(/).click();   /* unfold them */
  const s = await apiGet(base, tok, '/api/strategies/v3_5b');
  const p = s.parameters.find((x) => x.name === 'sma_fast');
  check(await page.getByLabel('sma_fast', { exact: true }).inputValue() === String(p.value),
    `sma_fast shows its live value ${p.value}`);
  await page.getByLabel('From', { exact: true }).fill('2024-01-02');
  await page.getByLabel('To', { exact: true }).fill('2024-06-11');
  await page.getByLabel('bull_threshold', { exact: true }).fill('0.5');
  // the keyboard: from the last input to Run backtest, Enter
  check(await tabTo(page, () => document.activeElement?.textContent === 'Run backtest'),
    'Tab reaches Run backtest');
  await page.keyboard.press('Enter');
  await page.getByRole('status').filter({ hasText: 'Running' }).waitFor();
  check(await page.getByRole('button', { name: 'Run backtest' }).isDisabled(),
    'the button is disabled while it runs');
  await page.getByRole('heading', { name: 'Results' }).waitFor({ timeout: 60000 });
  const body = { strategy: 'v3_5b', from: '2024-01-02', to: '2024-06-11', capital: '10000' };
  const mine = (await apiPost(base, tok, '/api/backtest',
    { ...body, parameters: { bull_threshold: '0.5' } })).body;
  const live = (await apiPost(base, tok, '/api/backtest', body)).body;
  const kpi = page.getByRole('table', { name: 'Key figures' });
  const heads = await kpi.locator('thead th').allTextContents();
  check(heads.join('|') === `Figure|This run|Live parameters|Baseline ${live.baseline.id}`,
    `the KPIs side by side: ${heads.join(', ')}`);
  const rowOf = async (name) => kpi.getByRole('row', { name: new RegExp(`^${name}`) })
    .locator('td').allTextContents();
  const eq = await rowOf('Final equity');
  check(JSON.stringify(eq) === JSON.stringify([money(mine.strategy.final_equity),
    money(live.strategy.final_equity), money(live.baseline.final_equity)]),
  `final equity equals the API's runs: ${eq}`);
  const sh = await rowOf('Sharpe');
  check(JSON.stringify(sh) === JSON.stringify([num(mine.strategy.sharpe),
    num(live.strategy.sharpe), num(live.baseline.sharpe)]), `Sharpe equals the API's: ${sh}`);
  check(mine.strategy.final_equity !== live.strategy.final_equity,
    'the changed parameter changed the run');
  const cap = await page.getByRole('img', { name: /^Equity:/ }).getAttribute('aria-label');
  check(cap.includes('This run') && cap.includes('Live parameters') && cap.includes('QQQ'),
    'the curve has the three series, in words');
  const yr = await page.getByRole('table', { name: 'Returns per year' }).getByRole('row')
    .nth(1).locator('td').allTextContents();
  check(yr[0] === pct(mine.years[0].strategy_return) &&
    yr[1] === pct(live.years[0].strategy_return), `the per-year row equals the API's: ${yr}`);
  const tr = page.getByRole('region', { name: /^Trades of this run/ });
  check((await tr.getAttribute('aria-label')).includes(`(${mine.trades.length})`) &&
    await rowsOf(tr).count() === Math.min(25, mine.trades.length),
  `the run's ${mine.trades.length} trades are listed`);
  await page.waitForTimeout(150);
  await shot(page, 'backtest-run-light');

  // An error is said in an alert.
  page.allow.push([400, '/api/backtest']);
  await page.getByLabel('From', { exact: true }).fill('2024-06-11');
  await page.getByLabel('To', { exact: true }).fill('2024-01-02');
  await page.getByRole('button', { name: 'Run backtest' }).click();
  const alert = page.getByRole('alert').filter({ hasText: 'did not run' });
  await alert.waitFor();
  check(true, `a refused run is announced: ${await alert.textContent()}`);
  noProblems(page, 'backtest');
  await context.close();

  // A viewer: the note and the live parameters, no form.
  const v = await signedIn(browser, base, 'vic');
  await v.page.getByRole('link', { name: 'Backtest', exact: true }).click();
  await v.page.getByRole('table', { name: 'Live parameters of v3_5b' }).waitFor();
  check(await v.page.getByRole('button', { name: 'Run backtest' }).count() === 0 &&
    await v.page.getByText('needs the admin role').count() === 1,
  'a viewer sees the note and no Run backtest');
  const vt = (await apiLogin(base, 'vic')).access_token;
  check((await apiPost(base, vt, '/api/backtest', body)).status === 403,
    'the server refuses a viewer\'s backtest (403)');
  await shot(v.page, 'backtest-viewer-light');
  noProblems(v.page, 'backtest viewer');
  await v.context.close();
}

async function screens(browser, base) {
  for (const colorScheme of ['light', 'dark']) {
    for (const width of [1280, 375]) {
      const { page, context } = await signedIn(browser, base, 'ada', { colorScheme, width });
      const tag = `${colorScheme}${width < 500 ? '-phone' : ''}`;
      for (const [name, wait] of [['performance', /^Daily history of/],
        ['trades', /^Trades, newest first/], ['backtest', null]]) {
        await page.goto(`/${name}`);
        if (wait) await page.getByRole('region', { name: wait }).waitFor();
        else await page.getByRole('button', { name: 'Run backtest' }).waitFor();
        if (name === 'backtest') {
          await page.getByLabel('From', { exact: true }).fill('2024-01-02');
          await page.getByLabel('To', { exact: true }).fill('2024-06-11');
          await page.getByRole('button', { name: 'Run backtest' }).click();
          await page.getByRole('heading', { name: 'Results' }).waitFor({ timeout: 60000 });
        }
        await page.waitForTimeout(200);
        const over = await page.evaluate(() =>
          document.documentElement.scrollWidth - document.documentElement.clientWidth);
        check(over <= 0, `${name} ${tag}: no horizontal overflow (${over} px)`);
        await shot(page, `trader-${name}-${tag}`);
      }
      noProblems(page, `screens ${tag}`);
      await context.close();
    }
  }
}

async function main() {
  const srv = await startServer();
  const { base } = srv;
  const browser = await launch();
  const tok = (await apiLogin(base, 'ada')).access_token;
  try {
    await step('performance', () => performance(browser, base, tok));
    await step('trades', () => trades(browser, base, tok));
    await step('backtest', () => backtest(browser, base, tok));
    await step('screenshots', () => screens(browser, base));
    await step('performance live', () => performanceLive(browser, base, tok));
  } finally {
    await browser.close();
    await srv.stop();
  }
  console.log(`# screenshots: ${SCREENS}`);
  process.exitCode = summary();
}

main().catch((e) => { console.log(`FAIL - ${e.stack || e}`); process.exitCode = 1; });
