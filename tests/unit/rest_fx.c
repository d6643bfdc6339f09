/*
 * tests/unit/rest_fx.c — see rest_fx.h.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "engine/engine.h"
#include "eod/eod.h"
#include "market/sync.h"
#include "trading/trade.h"
#include "rest_fx.h"

static jutsu_date_t day_of(const char *text)
{
    jutsu_date_t d = 0;
    ck_assert_int_eq(jutsu_date_parse(text, -1, &d), 0);
    return d;
}

/* The fixture's clock to 21:30 UTC of d: after the close, EST or EDT. */
static void clock_after_close(jutsu_date_t d)
{
    hfx_clock_set((int64_t)d * 86400 + 21 * 3600 + 30 * 60);
}

static void sync_sample(struct rfx *x)
{
    struct jutsu_sync_opts o = { .from = day_of(RFX_SYNC_FROM), .to = x->last };
    struct jutsu_sync_report r;
    int rc = jutsu_sync_run(x->h.t.app, &o, &r);
    ck_assert_msg(rc == 0, "sync: %s", jutsu_strerror(rc));
    jutsu_sync_report_free(&r);
}

static void trade_days(struct rfx *x)
{
    for (jutsu_date_t d = x->first; d <= x->last; d++) {
        struct jutsu_trade_report r;
        clock_after_close(d);
        int rc = jutsu_trade_run(x->h.t.app, d, "v3_5b", "manual", &r);
        if (rc == JUTSU_EINVAL) {        /* the exchange is closed that day */
            jutsu_trade_report_free(&r);
            continue;
        }
        ck_assert_msg(rc == 0, "trade run: %s", r.error);
        ck_assert_uint_eq(r.n, 1);
        ck_assert_msg(r.v[0].outcome != JUTSU_TRADE_FAILED, "trade run: %s", r.v[0].error);
        x->traded_days += r.v[0].outcome == JUTSU_TRADE_TRADED;
        jutsu_trade_report_free(&r);
    }
}

static void eod_days(struct rfx *x)
{
    struct jutsu_eod_report r;
    clock_after_close(x->last + 1);
    int rc = jutsu_eod_backfill(x->h.t.app, x->first, x->last, NULL, NULL, &r);
    ck_assert_msg(rc == 0, "eod backfill: %d (%s)", rc, jutsu_strerror(rc));
    jutsu_eod_report_free(&r);
}

void rfx_open(struct rfx *x, int backend, const char *extra_http)
{
    char *top = NULL, *plugins = NULL;
    memset(x, 0, sizeof(*x));
    x->first = day_of(RFX_FIRST);
    x->last = day_of(RFX_LAST);
    ck_assert_int_gt(asprintf(&top,
        "sync:\n  symbols: [QQQ, TQQQ, PSQ, TLT, TMF, TMV]\n  timeframes: [1D]\n"
        "  sources: [sample]\n"
        "eod:\n  baselines:\n    - {id: QQQ, symbol: QQQ, initial_capital: \"10000\"}\n"), 0);
    ck_assert_int_gt(asprintf(&plugins,
        "  - {name: sample, plugin: source-csv, config: {path: \"%s/conf/sample-data\"}}\n"
        "  - {name: kpi, plugin: kpi-standard}\n"
        "  - {name: v3_5b, plugin: strategy-regime, mode: offline_mock,\n"
        "     initial_capital: \"10000\"}\n", tu_source_dir()), 0);
    /* http_fx's one worker: it keeps a PostgreSQL connection of the pool
     * (4 in testdb's config) for good, its sign-in checks borrow another,
     * and the test (x->h.t.s) and the jobs need theirs */
    hfx_open_with(&x->h, backend, extra_http, top, plugins);
    free(top);
    free(plugins);
    if (x->h.t.skipped)
        return;
    clock_after_close(x->last + 3);   /* the sync stores every bar it reads as valid */
    sync_sample(x);
    trade_days(x);
    eod_days(x);
    clock_after_close(x->last + 3);   /* 2024-07-01, a Monday */
    ck_assert_int_eq(jutsu_engine_attach(x->h.t.app), 0);
    hfx_user(&x->h, "ada", "admin", RFX_PASSWORD);
    hfx_user(&x->h, "vic", "viewer", RFX_PASSWORD);
    hfx_login(&x->h, "ada", RFX_PASSWORD, x->admin, sizeof(x->admin), NULL, 0);
    hfx_login(&x->h, "vic", RFX_PASSWORD, x->viewer, sizeof(x->viewer), NULL, 0);
}

void rfx_close(struct rfx *x)
{
    if (!x->h.t.skipped && x->h.t.app)
        jutsu_engine_detach(x->h.t.app);
    hfx_close(&x->h);
}
