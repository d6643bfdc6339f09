/*
 * core/trading/trade.c — the trading job over every strategy instance (see
 * trade.h; one strategy's day is core/trading/trader_day.c).
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "base/calendar.h"
#include "base/log.h"
#include "market/sync.h"
#include "trading/trade_int.h"

void jutsu_trade_report_free(struct jutsu_trade_report *r)
{
    jutsu_entities_free(&r->ents);
    free(r->v);
    memset(r, 0, sizeof(*r));
}

void jutsu_trader_publish(const struct trader *t, const struct jutsu_trade_result *res)
{
    struct jutsu_bus *bus = t->app->bus;
    if (bus == NULL || res->outcome == JUTSU_TRADE_ALREADY || res->outcome == JUTSU_TRADE_FAILED)
        return;
    char buf[JUTSU_MONEY_BUFSZ], when[JUTSU_TIME_BUFSZ];
    for (size_t i = 0; i < res->norders; i++) {
        const struct trade_order *o = &res->orders[i];
        if (o->filled <= 0)
            continue;
        json_object *p = json_object_new_object();
        json_object_object_add(p, "strategy_id", json_object_new_string(t->ent->id));
        json_object_object_add(p, "mode", json_object_new_string(t->ent->mode));
        json_object_object_add(p, "symbol", json_object_new_string(o->symbol));
        json_object_object_add(p, "action", json_object_new_string(o->buy ? "BUY" : "SELL"));
        json_object_object_add(p, "quantity", json_object_new_int(o->filled));
        jutsu_money_format(o->fill_price, buf);
        json_object_object_add(p, "fill_price", json_object_new_string(buf));
        json_object_object_add(p, "execution_id", json_object_new_string(res->execution_id));
        jutsu_bus_publish(bus, "host", "trade.filled", p);
    }
    jutsu_time_t ts;
    if (jutsu_sched_time_on(t->app, t->when, res->date, &ts) != 0)
        ts = jutsu_date_to_time(res->date);
    jutsu_time_format(ts, when);
    jutsu_money_format(res->equity, buf);
    json_object *p = json_object_new_object();
    json_object_object_add(p, "strategy_id", json_object_new_string(t->ent->id));
    json_object_object_add(p, "mode", json_object_new_string(t->ent->mode));
    json_object_object_add(p, "timestamp", json_object_new_string(when));
    json_object_object_add(p, "total_equity", json_object_new_string(buf));
    jutsu_bus_publish(bus, "host", "snapshot.recorded", p);
}

/* Today's run comes before the sync after the close has stored the day:
 * each symbol without a stored bar of today gets a source's live bar, in
 * the book only (the sync stores the final one). */
static void live_bars(struct jutsu_app *app, struct trader *t, jutsu_prices *p, jutsu_date_t d)
{
    jutsu_date_t today;
    if (jutsu_calendar_local_date(app->cal, jutsu_app_now(app), &today) != 0 || d != today)
        return;
    for (size_t i = 0; i < t->nsym; i++) {
        struct jutsu_bar b;
        char source[64];
        if (jutsu_prices_bar(p, t->needs.symbols[i], d, &b) != JUTSU_ENOENT)
            continue;
        char close[JUTSU_MONEY_BUFSZ];
        if (jutsu_sync_live_bar(app, t->needs.symbols[i], d, &b, source, sizeof(source)) == 0 &&
            jutsu_prices_put(p, t->needs.symbols[i], d, &b) == 0) {
            jutsu_money_format(b.close, close);
            jutsu_log("trade", JUTSU_LOG_INFO, "%s: %s's bar of today from %s (live, not "
                      "stored): close %s", t->ent->id, t->needs.symbols[i], source, close);
        }
    }
}

/* A day rolled back after a broker filled orders: the account holds what
 * the books do not. Each fill is logged for the person who reconciles. */
static void unbooked_fills(const struct jutsu_entity *ent, const struct jutsu_trade_result *res)
{
    for (size_t i = 0; ent->broker && i < res->norders; i++) {
        const struct trade_order *o = &res->orders[i];
        char price[JUTSU_MONEY_BUFSZ];
        if (o->filled <= 0)
            continue;
        jutsu_money_format(o->fill_price, price);
        jutsu_log("trade", JUTSU_LOG_ERROR, "%s (%s): broker order %s filled %s %d %s at %s, but "
                  "the day was rolled back and it is not in the books: record it by hand",
                  ent->id, ent->mode, o->order_id[0] ? o->order_id : "(no id)",
                  o->buy ? "BUY" : "SELL", (int)o->filled, o->symbol, price);
    }
}

/* One strategy's day: caught up, run, committed, published. */
static int run_one(struct jutsu_app *app, jutsu_dbs *s, const struct jutsu_sched_time *when,
                   const struct jutsu_entity *ent, jutsu_date_t d, const char *source,
                   struct jutsu_trade_result *res)
{
    struct trader t;
    jutsu_prices *p = NULL;
    memset(res, 0, sizeof(*res));
    res->ent = ent;
    res->date = d;
    int rc = jutsu_trader_open(&t, app, s, when, ent, source, 1, res->error, sizeof(res->error));
    if (rc == 0 && (rc = jutsu_prices_new(s, jutsu_trader_from(&t, d), d, &p)) != 0)
        snprintf(res->error, sizeof(res->error), "the price book: %s", jutsu_strerror(rc));
    if (rc == 0)
        rc = jutsu_trader_catch_up(&t, p, d, res->error, sizeof(res->error));
    if (rc == 0)
        live_bars(app, &t, p, d);
    if (rc == 0 && (rc = jutsu_dbs_begin(s)) != 0)
        snprintf(res->error, sizeof(res->error), "%s", jutsu_dbs_error_line(s));
    if (rc == 0) {
        rc = jutsu_trader_day(&t, p, d, res);
        if (rc == 0 && res->outcome != JUTSU_TRADE_FAILED && (rc = jutsu_dbs_commit(s)) == 0) {
            jutsu_trader_publish(&t, res);
        } else {
            if (rc != 0)   /* a storage error: its text, before the rollback */
                snprintf(res->error, sizeof(res->error), "%s", jutsu_dbs_error_line(s));
            jutsu_dbs_rollback(s);
            res->outcome = JUTSU_TRADE_FAILED;
            unbooked_fills(ent, res);
        }
    }
    if (rc != 0)
        res->outcome = JUTSU_TRADE_FAILED;
    if (res->outcome == JUTSU_TRADE_FAILED)
        jutsu_log("trade", JUTSU_LOG_ERROR, "%s (%s): %s", ent->id, ent->mode, res->error);
    jutsu_prices_free(p);
    jutsu_trader_close(&t);
    return rc;
}

int jutsu_trade_setup(struct jutsu_app *app, struct jutsu_entities *ents,
                      struct jutsu_sched_time *when, char *err, size_t errsz)
{
    struct jutsu_diag diag;
    int rc = jutsu_entities_load(app, ents, err, errsz);
    if (rc != 0)
        return rc;
    jutsu_diag_init(&diag);
    if ((rc = jutsu_sched_time_of(app, &jutsu_trade_job, when, &diag)) != 0)
        snprintf(err, errsz, "%s", jutsu_diag_line(&diag, 0));
    jutsu_diag_free(&diag);
    return rc;
}

/* What a run needs before it touches the database: the strategies, the
 * trading job's time of day, a trading day (today's by default), and how
 * many strategies it runs. */
static int prepare(struct jutsu_app *app, jutsu_date_t *date, const char *strategy,
                   struct jutsu_sched_time *when, struct jutsu_trade_report *r, size_t *want)
{
    int rc = jutsu_trade_setup(app, &r->ents, when, r->error, sizeof(r->error));
    if (rc != 0)
        return rc;
    if (*date == 0 && jutsu_calendar_local_date(app->cal, jutsu_app_now(app), date) != 0)
        return JUTSU_ESTATE;
    if (!jutsu_calendar_is_trading_day(app->cal, *date)) {
        char day[JUTSU_DATE_BUFSZ];
        jutsu_date_format(*date, day);
        snprintf(r->error, sizeof(r->error), "%s is not a trading day (%s)", day,
                 jutsu_calendar_closed_reason(app->cal, *date));
        return JUTSU_EINVAL;
    }
    *want = 0;
    for (size_t i = 0; i < r->ents.nstrategies; i++)
        *want += strategy == NULL || strcmp(r->ents.v[i].id, strategy) == 0;
    if (*want > 0)
        return 0;
    snprintf(r->error, sizeof(r->error), strategy ? "no strategy instance \"%s\" in the "
             "config" : "no strategy instance is configured%s", strategy ? strategy : "");
    return strategy ? JUTSU_ENOENT : 0;
}

int jutsu_trade_run(struct jutsu_app *app, jutsu_date_t date, const char *strategy,
                    const char *source, struct jutsu_trade_report *r)
{
    struct jutsu_sched_time when;
    jutsu_dbs *s = NULL;
    size_t want = 0;
    memset(r, 0, sizeof(*r));
    int rc = prepare(app, &date, strategy, &when, r, &want);
    if (rc != 0 || want == 0)
        goto done;
    if ((r->v = calloc(want, sizeof(*r->v))) == NULL) {
        rc = JUTSU_ENOMEM;
        goto done;
    }
    if ((rc = jutsu_app_dbs_open(app, &s)) != 0) {
        snprintf(r->error, sizeof(r->error), "cannot open the database: %s", jutsu_strerror(rc));
        goto done;
    }
    for (size_t i = 0; rc == 0 && i < r->ents.nstrategies; i++) {
        const struct jutsu_entity *e = &r->ents.v[i];
        if (strategy && strcmp(e->id, strategy) != 0)
            continue;
        struct jutsu_trade_result *res = &r->v[r->n++];
        int src = run_one(app, s, &when, e, date, source, res);
        r->failed += res->outcome == JUTSU_TRADE_FAILED;
        if (src == JUTSU_ETRANSIENT)   /* the database is gone: the rest would fail too */
            rc = src;
    }
    jutsu_dbs_close(s);
done:
    if (rc != 0 && r->error[0] == '\0')
        snprintf(r->error, sizeof(r->error), "%s", jutsu_strerror(rc));
    return rc ? rc : r->failed ? JUTSU_EPLUGIN : 0;
}
