/*
 * core/jobs/paper.c — paper history (see paper.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "base/calendar.h"
#include "base/log.h"
#include "eod/eod.h"
#include "store/data_api.h"
#include "trading/trade_int.h"
#include "jobs/paper.h"

/* The newest day on which every symbol of the strategy has a valid bar:
 * a replay never trades a day on which the data simply has not arrived
 * (it would be traded stale, and could not be traded again). */
static int newest_common_day(struct trader *t, jutsu_date_t *out)
{
    jutsu_time_t end = jutsu_date_to_time(jutsu_date_from_ymd(9999, 12, 31)), ts;
    jutsu_money_t close;
    *out = 0;
    for (size_t i = 0; i < t->nsym; i++) {
        int rc = jutsu_data_close_before(t->s, t->needs.symbols[i], t->needs.timeframe, end,
                                         &ts, &close);
        if (rc == JUTSU_ENOENT) {
            *out = 0;
            return 0;
        }
        if (rc != 0)
            return rc;
        jutsu_date_t d = jutsu_time_to_date(ts);
        if (*out == 0 || d < *out)
            *out = d;
    }
    return 0;
}

/* Each day in its own transaction, the record with it: what is committed
 * is whole, and a re-run starts after it. */
static int run_days(struct trader *t, jutsu_prices *p, struct jutsu_paper_result *x)
{
    struct jutsu_trade_result *res = malloc(sizeof(*res));
    if (res == NULL)
        return JUTSU_ENOMEM;
    int rc = 0;
    for (jutsu_date_t d = x->from; rc == 0 && d != JUTSU_CALENDAR_NONE && d <= x->to;
         d = jutsu_calendar_next(t->app->cal, d)) {
        if ((rc = jutsu_dbs_begin(t->s)) != 0) {
            snprintf(x->error, sizeof(x->error), "%s", jutsu_dbs_error_line(t->s));
            break;
        }
        memset(res, 0, sizeof(*res));
        res->ent = t->ent;
        res->date = d;
        rc = jutsu_trader_day(t, p, d, res);
        if (rc == 0 && res->outcome == JUTSU_TRADE_FAILED)
            rc = JUTSU_EPLUGIN;
        if (rc == 0 && (rc = jutsu_dbs_commit(t->s)) == 0) {
            jutsu_trader_publish(t, res);
            x->days++;
            x->last = d;
            size_t filled = 0;
            for (size_t k = 0; k < res->norders; k++)
                filled += res->orders[k].filled > 0;
            x->traded_days += filled > 0;
            x->fills += (int32_t)filled;
            continue;
        }
        char day[JUTSU_DATE_BUFSZ];
        jutsu_date_format(d, day);
        snprintf(x->error, sizeof(x->error), "%s: %.480s", day,
                 rc == JUTSU_EPLUGIN ? res->error : jutsu_dbs_error_line(t->s));
        jutsu_dbs_rollback(t->s);
    }
    free(res);
    return rc;
}

/* Where the replay of one strategy starts and ends; from 0: nothing to do. */
static int plan(struct trader *t, jutsu_date_t before, struct jutsu_paper_result *x)
{
    const jutsu_calendar *cal = t->app->cal;
    jutsu_date_t start = t->ent->paper_since, newest;
    if (t->last_date >= start)
        start = t->last_date + 1;
    if (!jutsu_calendar_is_trading_day(cal, start))
        start = jutsu_calendar_next(cal, start);
    int rc = newest_common_day(t, &newest);
    if (rc != 0) {
        snprintf(x->error, sizeof(x->error), "the newest bars: %s", jutsu_dbs_error_line(t->s));
        return rc;
    }
    jutsu_date_t end = before - 1 < newest ? before - 1 : newest;
    if (end != 0 && !jutsu_calendar_is_trading_day(cal, end))
        end = jutsu_calendar_prev(cal, end);
    if (start == JUTSU_CALENDAR_NONE || end == JUTSU_CALENDAR_NONE || end == 0 || start > end)
        return 0;
    x->from = start;
    x->to = end;
    return 0;
}

static int replay_one(struct jutsu_app *app, jutsu_dbs *s, const struct jutsu_sched_time *when,
                      jutsu_date_t before, struct jutsu_paper_result *x)
{
    struct trader t;
    jutsu_prices *p = NULL;
    int rc = jutsu_trader_open(&t, app, s, when, x->ent, "backtest", 1, x->error,
                               sizeof(x->error));
    if (rc == 0 && (rc = plan(&t, before, x)) == 0 && x->from != 0) {
        if ((rc = jutsu_prices_new(s, jutsu_trader_from(&t, x->from), x->to, &p)) != 0)
            snprintf(x->error, sizeof(x->error), "the price book: %s", jutsu_strerror(rc));
        if (rc == 0)
            rc = jutsu_trader_catch_up(&t, p, x->from, x->error, sizeof(x->error));
        if (rc == 0)
            rc = run_days(&t, p, x);
    }
    jutsu_prices_free(p);
    jutsu_trader_close(&t);
    return rc;
}

static int prepare(struct jutsu_app *app, jutsu_date_t *before, const char *strategy,
                   struct jutsu_sched_time *when, struct jutsu_paper_report *r)
{
    int rc = jutsu_trade_setup(app, &r->ents, when, r->error, sizeof(r->error));
    if (rc != 0)
        return rc;
    if (*before == 0) {   /* through the newest closed session, if its bars are in */
        jutsu_date_t closed;
        if ((rc = jutsu_eod_latest_day(app, jutsu_app_now(app), &closed)) != 0)
            return rc;
        *before = closed + 1;
    }
    if ((r->v = calloc(r->ents.nstrategies + 1, sizeof(*r->v))) == NULL)
        return JUTSU_ENOMEM;
    for (size_t i = 0; i < r->ents.nstrategies; i++) {
        const struct jutsu_entity *e = &r->ents.v[i];
        if (strategy && strcmp(e->id, strategy) != 0)
            continue;
        if (strategy && e->paper_since == 0) {
            snprintf(r->error, sizeof(r->error), "strategy %s has no paper_since: add "
                     "`paper_since: YYYY-MM-DD` to its instance in plugins:", e->id);
            return JUTSU_ENOENT;
        }
        if (e->paper_since != 0)
            r->v[r->n++].ent = e;
    }
    if (strategy && r->n == 0) {
        snprintf(r->error, sizeof(r->error), "no strategy instance \"%s\" in the config",
                 strategy);
        return JUTSU_ENOENT;
    }
    return 0;
}

/* The EOD rows of every entity over the days replayed. */
static int finalise(struct jutsu_app *app, struct jutsu_paper_report *r)
{
    for (size_t i = 0; i < r->n; i++) {
        const struct jutsu_paper_result *x = &r->v[i];
        if (x->days == 0)
            continue;
        if (r->eod_from == 0 || x->from < r->eod_from)
            r->eod_from = x->from;
        if (x->last > r->eod_to)
            r->eod_to = x->last;
    }
    if (r->eod_from == 0)
        return 0;
    struct jutsu_eod_report er;
    int rc = jutsu_eod_backfill(app, r->eod_from, r->eod_to, NULL, NULL, &er);
    for (size_t i = 0; i < er.ndays; i++)
        r->eod_days_completed += strcmp(er.days[i].status, "completed") == 0;
    if (rc != 0) {
        const char *why = er.error;
        for (size_t i = 0; !why[0] && i < er.ndays; i++)
            why = er.days[i].error;
        snprintf(r->error, sizeof(r->error), "the EOD backfill: %.480s",
                 why[0] ? why : jutsu_strerror(rc));
    }
    jutsu_eod_report_free(&er);
    return rc;
}

int jutsu_paper_run(struct jutsu_app *app, jutsu_date_t before, const char *strategy,
                      struct jutsu_paper_report *r)
{
    struct jutsu_sched_time when;
    jutsu_dbs *s = NULL;
    memset(r, 0, sizeof(*r));
    int rc = prepare(app, &before, strategy, &when, r);
    if (rc != 0 || r->n == 0)
        goto done;
    if ((rc = jutsu_app_dbs_open(app, &s)) != 0) {
        snprintf(r->error, sizeof(r->error), "cannot open the database: %s", jutsu_strerror(rc));
        goto done;
    }
    int failed = 0;
    for (size_t i = 0; i < r->n; i++) {
        int one = replay_one(app, s, &when, before, &r->v[i]);
        if (one == JUTSU_ETRANSIENT || one == JUTSU_ENOMEM) {
            rc = one;   /* the database is gone, or memory: the rest would fail too */
            break;
        }
        failed += one != 0;
    }
    jutsu_dbs_close(s);
    /* what was committed is finalised even when a later strategy failed */
    if (rc == 0) {
        int frc = finalise(app, r);
        rc = frc ? frc : failed ? JUTSU_EPLUGIN : 0;
    }
done:
    if (rc != 0 && r->error[0] == '\0') {
        for (size_t i = 0; i < r->n && !r->error[0]; i++)
            if (r->v[i].error[0])
                snprintf(r->error, sizeof(r->error), "%.40s: %.460s", r->v[i].ent->id,
                         r->v[i].error);
        if (!r->error[0])
            snprintf(r->error, sizeof(r->error), "%s", jutsu_strerror(rc));
    }
    return rc;
}

void jutsu_paper_report_free(struct jutsu_paper_report *r)
{
    free(r->v);
    jutsu_entities_free(&r->ents);
    memset(r, 0, sizeof(*r));
}
