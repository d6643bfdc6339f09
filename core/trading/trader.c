/*
 * core/trading/trader.c — one strategy being traded: its record, its parameters,
 * feeding it day by day, and one day's decision, fills and books (see
 * trade.h for the rules, trade_int.h for the contract).
 */
#include <json-c/json.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "base/calendar.h"
#include "store/data_api.h"
#include "base/log.h"
#include "trading/params.h"
#include "trading/trade_int.h"

#define RECORD_VERSION 1

/* --- the record: system_state "strategy.<id>.<mode>" ------------------------- */

static int json_date(json_object *o, const char *key, jutsu_date_t *d)
{
    json_object *v;
    *d = 0;
    if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
        return 0;
    return json_object_is_type(v, json_type_string) &&
           jutsu_date_parse(json_object_get_string(v), -1, d) == 0 ? 0 : JUTSU_EMALFORMED;
}

static int json_money(json_object *o, const char *key, jutsu_money_t *m)
{
    json_object *v;
    *m = JUTSU_MONEY_NULL;
    if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
        return 0;
    return json_object_is_type(v, json_type_string) &&
           jutsu_money_parse(json_object_get_string(v), -1, JUTSU_MONEY_EXACT, m) == 0
           ? 0 : JUTSU_EMALFORMED;
}

static void put_date(json_object *o, const char *key, jutsu_date_t d)
{
    char buf[JUTSU_DATE_BUFSZ];
    if (d == 0) {
        json_object_object_add(o, key, NULL);
        return;
    }
    jutsu_date_format(d, buf);
    json_object_object_add(o, key, json_object_new_string(buf));
}

static void put_money(json_object *o, const char *key, jutsu_money_t m)
{
    char buf[JUTSU_MONEY_BUFSZ];
    if (m == JUTSU_MONEY_NULL) {
        json_object_object_add(o, key, NULL);
        return;
    }
    jutsu_money_format(m, buf);
    json_object_object_add(o, key, json_object_new_string(buf));
}

int jutsu_trader_save(struct trader *t)
{
    json_object *rec = json_object_new_object(), *state = NULL;
    int rc = t->ops->save(t->inst->state, &state);
    if (rc != 0) {
        json_object_put(rec);
        return jutsu_dbs_fail(t->s, JUTSU_EPLUGIN, "strategy %s could not save its state: %s",
                              t->ent->id, t->inst->error[0] ? t->inst->error : jutsu_strerror(rc));
    }
    json_object_object_add(rec, "version", json_object_new_int(RECORD_VERSION));
    put_date(rec, "first_date", t->first_date);
    put_date(rec, "fed_date", t->fed_date);
    put_date(rec, "last_date", t->last_date);
    put_money(rec, "cash", t->books.cash);
    put_money(rec, "last_equity", t->last_equity);
    json_object_object_add(rec, "last_cell", json_object_new_int(t->last_cell));
    json_object_object_add(rec, "params", t->params ? json_tokener_parse(t->params) : NULL);
    json_object_object_add(rec, "state", state);
    rc = jutsu_data_state_set(t->s, t->record_key, JUTSU_STATE_JSON,
                              json_object_to_json_string_ext(rec, JSON_C_TO_STRING_PLAIN));
    json_object_put(rec);
    return rc;
}

/* The positions table is the books' authority for what is held. */
static int take_position(const void *row, void *arg)
{
    const struct jutsu_position_row *p = row;
    struct trade_books *b = arg;
    if (p->quantity <= 0)
        return 0;
    if (b->npos == TRADE_MAX_POSITIONS)
        return JUTSU_ERANGE;
    struct trade_pos *x = &b->pos[b->npos++];
    snprintf(x->symbol, sizeof(x->symbol), "%s", p->symbol);
    x->qty = p->quantity;
    x->avg_cost = p->avg_cost == JUTSU_MONEY_NULL ? 0 : p->avg_cost;
    return 0;
}

/* Reads the record; restores the state when it belongs to the parameters
 * the instance runs with now, else leaves it for a replay from the first
 * day. Returns 0 when there is no record (a new strategy). */
static int load_record(struct trader *t, char *err, size_t errsz)
{
    int type;
    const char *text;
    int rc = jutsu_data_state_get(t->s, t->record_key, &type, &text);
    if (rc == JUTSU_ENOENT) {   /* a new strategy: from nothing, whatever ran before */
        if (JUTSU_OPS_HAS(t->ops, jutsu_strategy_ops, reset))
            t->ops->reset(t->inst->state);
        return 0;
    }
    if (rc != 0) {
        snprintf(err, errsz, "%s", jutsu_dbs_error_line(t->s));
        return rc;
    }
    json_object *rec = json_tokener_parse(text), *v, *params = NULL, *state = NULL;
    rc = rec && json_object_is_type(rec, json_type_object) ? 0 : JUTSU_EMALFORMED;
    if (rc == 0)
        rc = json_date(rec, "first_date", &t->first_date);
    if (rc == 0)
        rc = json_date(rec, "fed_date", &t->fed_date);
    if (rc == 0)
        rc = json_date(rec, "last_date", &t->last_date);
    if (rc == 0)
        rc = json_money(rec, "cash", &t->books.cash);
    if (rc == 0)
        rc = json_money(rec, "last_equity", &t->last_equity);
    if (rc == 0 && t->books.cash == JUTSU_MONEY_NULL)
        rc = JUTSU_EMALFORMED;
    if (rc == 0 && json_object_object_get_ex(rec, "last_cell", &v))
        t->last_cell = json_object_get_int(v);
    json_object_object_get_ex(rec, "params", &params);
    json_object_object_get_ex(rec, "state", &state);
    if (rc != 0) {
        snprintf(err, errsz, "system_state %s cannot be read (its cash, dates or JSON): repair "
                 "or delete it (deleting starts the strategy afresh)", t->record_key);
        json_object_put(rec);
        return rc;
    }
    const char *was = params ? json_object_to_json_string_ext(params, JSON_C_TO_STRING_PLAIN)
                             : "";
    if (t->params && strcmp(was, t->params) == 0 && state) {
        t->inst->error[0] = '\0';
        rc = t->ops->restore(t->inst->state, state);
        if (rc != 0)
            snprintf(err, errsz, "strategy %s could not restore its saved state: %s", t->ent->id,
                     t->inst->error[0] ? t->inst->error : jutsu_strerror(rc));
    } else {
        /* new parameters: the state is rebuilt from the strategy's first day */
        jutsu_log("trade", JUTSU_LOG_INFO, "%s (%s): its parameters changed; replaying its "
                  "history from its first day to rebuild its state", t->ent->id, t->ent->mode);
        if (JUTSU_OPS_HAS(t->ops, jutsu_strategy_ops, reset))
            t->ops->reset(t->inst->state);
        t->fed_date = t->first_date ? jutsu_calendar_prev(t->app->cal, t->first_date) : 0;
    }
    json_object_put(rec);
    if (rc == 0)
        rc = jutsu_data_positions_list(t->s, t->ent->id, t->ent->mode, take_position, &t->books);
    return rc;
}

/* The active overrides over the YAML, applied to the instance when they
 * differ from what it runs with. */
static int apply_params(struct trader *t, char *err, size_t errsz)
{
    struct jutsu_param *over = NULL;
    size_t n = 0;
    jutsu_cfg *cfg = NULL;
    jutsu_cfg_node *root = NULL;
    /* the instance's overrides: a backtest's entity borrows the instance */
    int rc = jutsu_params_active(t->s, t->inst->name, &over, &n);
    if (rc != 0) {
        snprintf(err, errsz, "%s", jutsu_dbs_error_line(t->s));
        return rc;
    }
    rc = jutsu_params_merge(t->inst, over, n, &cfg, &root, err, errsz);
    jutsu_params_free(over, n);
    if (rc != 0)
        return rc;
    char *want = jutsu_params_json(root), *have = jutsu_params_json(t->inst->config);
    if (want == NULL || have == NULL) {
        rc = JUTSU_ENOMEM;
    } else if (strcmp(want, have) != 0) {
        jutsu_log("trade", JUTSU_LOG_INFO, "%s: applying its parameters %s", t->ent->id, want);
        rc = jutsu_params_reinit(t->inst, cfg, root, err, errsz);
        cfg = NULL;   /* the instance's now, or freed */
    }
    jutsu_cfg_free(cfg);
    free(have);
    t->params = want;
    return rc;
}

int jutsu_trader_open(struct trader *t, struct jutsu_app *app, jutsu_dbs *s,
                      const struct jutsu_sched_time *when, const struct jutsu_entity *ent,
                      const char *source, int persist, char *err, size_t errsz)
{
    memset(t, 0, sizeof(*t));
    jutsu_jw_init_plain(&t->pos, 1);   /* json-c's PLAIN text, '/' escaped, as before */
    t->app = app;
    t->s = s;
    t->when = when;
    t->ent = ent;
    t->inst = ent->inst;
    t->source = source;
    t->persist = persist;
    t->last_equity = JUTSU_MONEY_NULL;
    t->books.cash = ent->initial_capital;
    snprintf(t->record_key, sizeof(t->record_key), "strategy.%s.%s", ent->id, ent->mode);
    if (t->inst == NULL || !t->inst->inited) {
        snprintf(err, errsz, "strategy %s is not running (its init failed?)", ent->id);
        return JUTSU_ESTATE;
    }
    t->ops = jutsu_ctx_strategy(t->inst);
    const struct jutsu_settings_trading *set = &jutsu_app_settings(app)->trading;
    t->costs.commission_per_share = set->commission_per_share;
    t->costs.slippage = set->slippage;
    int rc = apply_params(t, err, errsz);
    if (rc == 0) {
        t->needs.size = sizeof(t->needs);
        t->inst->error[0] = '\0';
        rc = t->ops->needs(t->inst->state, &t->needs);
        if (rc != 0)
            snprintf(err, errsz, "strategy %s: needs() failed: %s", ent->id,
                     t->inst->error[0] ? t->inst->error : jutsu_strerror(rc));
    }
    while (rc == 0 && t->nsym < JUTSU_STRATEGY_MAX_SYMBOLS && t->needs.symbols[t->nsym])
        t->nsym++;
    if (rc == 0 && t->nsym == 0) {
        snprintf(err, errsz, "strategy %s needs no symbol", ent->id);
        rc = JUTSU_EPLUGIN;
    }
    if (rc == 0)
        rc = load_record(t, err, errsz);
    return rc;
}

void jutsu_trader_close(struct trader *t)
{
    free(t->params);
    t->params = NULL;
    jutsu_jw_free(&t->pos);
}

/* --- feeding ----------------------------------------------------------------- */

jutsu_date_t jutsu_trader_from(const struct trader *t, jutsu_date_t d)
{
    if (t->fed_date)
        return t->fed_date + 1 < d ? t->fed_date + 1 : d;
    if (t->first_date)
        return t->first_date;
    /* a new strategy warms up on the trading days before d */
    jutsu_date_t from = d;
    for (int32_t k = 0; k < t->needs.warmup_bars; k++) {
        jutsu_date_t p = jutsu_calendar_prev(t->app->cal, from);
        if (p == JUTSU_CALENDAR_NONE)
            break;
        from = p;
    }
    return from;
}

static void blank_signal(struct jutsu_strategy_signal *sig)
{
    memset(sig, 0, sizeof(*sig));
    sig->size = sizeof(*sig);
    for (size_t i = 0; i < JUTSU_STRATEGY_MAX_SYMBOLS; i++)
        sig->weights[i] = NAN;
    sig->t_norm = sig->z_score = sig->sma_fast = sig->sma_slow = NAN;
}

int jutsu_trader_feed(struct trader *t, jutsu_prices *p, jutsu_date_t d, struct jutsu_bar *bars,
                      uint8_t *has, struct jutsu_strategy_signal *sig, char *err, size_t errsz)
{
    for (size_t i = 0; i < t->nsym; i++) {
        int rc = jutsu_prices_bar(p, t->needs.symbols[i], d, &bars[i]);
        if (rc != 0 && rc != JUTSU_ENOENT) {
            snprintf(err, errsz, "%s", jutsu_dbs_error_line(t->s));
            return rc;
        }
        has[i] = rc == 0;
        if (!has[i])
            memset(&bars[i], 0, sizeof(bars[i]));
    }
    struct jutsu_strategy_day day = { .size = sizeof(day), .date = d, .bars = bars, .has = has,
                                      .n = t->nsym };
    blank_signal(sig);
    t->inst->error[0] = '\0';
    int rc = t->ops->on_day(t->inst->state, &day, sig);
    if (rc != 0) {
        char when[JUTSU_DATE_BUFSZ];
        jutsu_date_format(d, when);
        snprintf(err, errsz, "strategy %s failed on %s: %s", t->ent->id, when,
                 t->inst->error[0] ? t->inst->error : jutsu_strerror(rc));
        json_object_put(sig->extras);
        sig->extras = NULL;
        return JUTSU_EPLUGIN;
    }
    if (t->first_date == 0)
        t->first_date = d;
    t->fed_date = d;
    return 0;
}

void jutsu_trader_commit(struct trader *t, const double *weights)
{
    /* an older plugin's table may end before the slot */
    if (!JUTSU_OPS_HAS(t->ops, jutsu_strategy_ops, committed))
        return;
    t->inst->error[0] = '\0';
    if (t->ops->committed(t->inst->state, weights, t->nsym) != 0)
        jutsu_log("trade", JUTSU_LOG_WARN, "%s: the strategy refused the committed targets: %s",
                  t->ent->id, t->inst->error[0] ? t->inst->error : "(no reason given)");
}

/* The exchange dates the strategy's books show trades on, ascending. */
struct traded {
    const jutsu_calendar *cal;
    jutsu_date_t         *v;
    size_t                n, cap;
};

static int take_traded(const void *row, void *arg)
{
    const struct jutsu_trade_row *r = row;
    struct traded *x = arg;
    jutsu_date_t d;
    if (jutsu_calendar_local_date(x->cal, r->ts, &d) != 0 || (x->n && x->v[x->n - 1] == d))
        return 0;
    if (x->n == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 64;
        jutsu_date_t *v = realloc(x->v, cap * sizeof(*v));
        if (v == NULL)
            return JUTSU_ENOMEM;
        x->v = v;
        x->cap = cap;
    }
    x->v[x->n++] = d;
    return 0;
}

int jutsu_trader_catch_up(struct trader *t, jutsu_prices *p, jutsu_date_t d, char *err,
                          size_t errsz)
{
    struct jutsu_bar bars[JUTSU_STRATEGY_MAX_SYMBOLS];
    uint8_t has[JUTSU_STRATEGY_MAX_SYMBOLS];
    struct jutsu_strategy_signal sig;
    struct traded td = { .cal = t->app->cal };
    jutsu_date_t x = jutsu_trader_from(t, d);
    if (!jutsu_calendar_is_trading_day(t->app->cal, x))
        x = jutsu_calendar_next(t->app->cal, x);
    /* a replay tells the strategy again which days' targets were traded
     * (strategy.h: committed), so that it reaches the state it had */
    int rc = x < d ? jutsu_data_trades_range(t->s, t->ent->id, t->ent->mode,
                                             jutsu_date_to_time(x), jutsu_date_to_time(d) - 1,
                                             take_traded, &td) : 0;
    if (rc != 0)
        snprintf(err, errsz, "%s", jutsu_dbs_error_line(t->s));
    size_t k = 0;
    for (; rc == 0 && x != JUTSU_CALENDAR_NONE && x < d; x = jutsu_calendar_next(t->app->cal, x)) {
        rc = jutsu_trader_feed(t, p, x, bars, has, &sig, err, errsz);
        while (k < td.n && td.v[k] < x)
            k++;
        if (rc == 0 && k < td.n && td.v[k] == x && sig.warm)
            jutsu_trader_commit(t, sig.weights);
        json_object_put(sig.extras);
    }
    free(td.v);
    return rc;
}
