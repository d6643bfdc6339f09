/*
 * core/trading/trade_job.c — the trading job as the scheduler runs it:
 * jutsu_trade_run for the slot's date, each strategy's outcome logged.
 */
#include <stdio.h>

#include "jutsu/error.h"
#include "base/log.h"
#include "trading/trade.h"

/* Each strategy's day: its signal, orders and books. */
static int run(struct jutsu_app *app, jutsu_date_t date, void *arg, char *err, size_t errsz)
{
    (void)arg;
    struct jutsu_trade_report r;
    int rc = jutsu_trade_run(app, date, NULL, "scheduler", &r);
    const struct jutsu_trade_result *bad = NULL;
    for (size_t i = 0; i < r.n; i++) {
        const struct jutsu_trade_result *x = &r.v[i];
        size_t filled = 0;
        for (size_t k = 0; k < x->norders; k++)
            filled += x->orders[k].filled > 0;
        if (x->outcome == JUTSU_TRADE_FAILED && bad == NULL)
            bad = x;
        jutsu_log("trade", x->outcome == JUTSU_TRADE_FAILED ? JUTSU_LOG_ERROR : JUTSU_LOG_INFO,
                  "%s (%s): %s, %zu fill%s, cell %d%s%s", x->ent->id, x->ent->mode,
                  jutsu_trade_outcome_name(x->outcome), filled, filled == 1 ? "" : "s",
                  (int)x->cell, x->error[0] ? "; " : "", x->error);
        if (x->stale_symbol[0] && x->outcome != JUTSU_TRADE_ALREADY) {
            char day[JUTSU_DATE_BUFSZ], newest[JUTSU_DATE_BUFSZ] = "never";
            jutsu_date_format(x->date, day);
            if (x->stale_newest)
                jutsu_date_format(x->stale_newest, newest);
            jutsu_log("trade", JUTSU_LOG_WARN, "%s (%s): decided without a %s bar of %s (the "
                      "newest stored: %s)", x->ent->id, x->ent->mode, x->stale_symbol, day,
                      newest);
        }
    }
    if (rc != 0)
        snprintf(err, errsz, "%s", bad ? bad->error : r.error[0] ? r.error : jutsu_strerror(rc));
    jutsu_trade_report_free(&r);
    return rc;
}

/* Before the close; never late beyond the grace: a signal is not traded
 * on a later price. Its time is also what the day's trades and snapshot
 * are stamped with (jutsu_sched_time_of). */
const struct jutsu_sched_job jutsu_trade_job = {
    "trading", run, NULL, "15:55", "12:55", JUTSU_SCHED_TRADING_DAYS, 0
};
