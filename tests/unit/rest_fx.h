/*
 * tests/unit/rest_fx.h — a served app with something to serve, for the
 * tests of the REST API (test_rest_read, test_rest_control, test_rest_live).
 *
 * rfx_open(x, backend, extra_http) gives, on backend 0 (SQLite) or 1
 * (PostgreSQL):
 *   - the app of http_fx.h (auth plugins, frontend-http on 127.0.0.1:0
 *     with 1 worker thread, which keeps a connection of testdb's pool of
 *     4 while its sign-in checks borrow another; `extra_http` is more
 *     YAML for the frontend's config map, "" or NULL, and may set its own
 *     `threads:`)
 *     plus source-csv over conf/sample-data ("sample"), kpi-standard, one
 *     strategy-regime instance "v3_5b" (offline_mock, 10,000) and the
 *     baseline QQQ (eod.baselines, offline_mock, 10,000);
 *   - the sample's six symbols (QQQ TQQQ PSQ TLT TMF TMV) synced for
 *     RFX_SYNC_FROM..RFX_LAST (1D bars);
 *   - the trading job run as the CLI runs it ("manual") for v3_5b on every
 *     trading day of RFX_FIRST..RFX_LAST (the strategy warms up on the bars
 *     before RFX_FIRST), so live_trades, positions and
 *     performance_snapshots hold its rows;
 *   - the EOD job backfilled over RFX_FIRST..RFX_LAST: daily_performance
 *     rows for v3_5b and QQQ, eod_job_status rows for those days;
 *   - the clock (http_fx's settable clock) at 21:30 UTC of the day after
 *     RFX_LAST, after the close;
 *   - the engine attached (host->engine answers);
 *   - users "ada" (admin) and "vic" (viewer), password RFX_PASSWORD,
 *     signed in: x->admin and x->viewer are their access tokens.
 * On PostgreSQL without the test cluster (JUTSU_TEST_NO_PG=1) x->h.t.skipped
 * is set and nothing else is: return early. rfx_close detaches the engine
 * and closes everything, also after a skip.
 */
#ifndef JUTSU_TEST_REST_FX_H
#define JUTSU_TEST_REST_FX_H

#include "http_fx.h"

#define RFX_PASSWORD "correct horse battery staple"
#define RFX_SYNC_FROM "2023-01-03"
#define RFX_FIRST     "2024-01-02"
#define RFX_LAST      "2024-06-28"

struct rfx {
    struct hfx   h;
    char         admin[2048], viewer[2048];
    jutsu_date_t first, last;    /* RFX_FIRST, RFX_LAST as dates */
    int          traded_days;    /* days the trading job traded on */
};

void rfx_open(struct rfx *x, int backend, const char *extra_http);
void rfx_close(struct rfx *x);

#endif
