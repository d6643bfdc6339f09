/*
 * core/jobs/backtest_json.c — a backtest's run as JSON (see backtest.h):
 * built as a json-c tree for the REST answer, or written as text with
 * the JSON writer, the same bytes, for the CLI, where building the tree
 * of 3,600 days and printing it was a twentieth of the command.
 */
#include <json-c/json.h>
#include <string.h>

#include "jutsu/json.h"
#include "jobs/backtest.h"
#include "base/json_writer.h"

/* --- the run as JSON -------------------------------------------------------------- */

static void put(json_object *o, const char *key, json_object *v)
{
    /* json-c's null is a NULL value: a member whose value is null is kept */
    if (v == NULL)
        json_object_object_add(o, key, NULL);
    else
        jutsu_json_add(o, key, v);
}

static json_object *side_json(const struct jutsu_backtest_side *x)
{
    json_object *o = json_object_new_object();
    if (o == NULL)
        return NULL;
    put(o, "id", json_object_new_string(x->id));
    put(o, "initial_capital", jutsu_json_money(x->initial));
    put(o, "final_equity", jutsu_json_money(x->final_equity));
    put(o, "total_return", jutsu_json_ratio(x->total_return, 6));
    put(o, "cagr", jutsu_json_ratio(x->cagr, 6));
    put(o, "sharpe", jutsu_json_ratio(x->sharpe, 6));
    put(o, "sortino", jutsu_json_ratio(x->sortino, 6));
    put(o, "calmar", jutsu_json_ratio(x->calmar, 6));
    put(o, "max_drawdown", jutsu_json_ratio(x->max_drawdown, 6));
    put(o, "volatility", jutsu_json_ratio(x->volatility, 6));
    put(o, "trades", json_object_new_int(x->trades));
    put(o, "win_rate", jutsu_json_ratio(x->win_rate, 2));
    put(o, "days", json_object_new_int(x->days));
    put(o, "final_allocation", json_object_new_string(x->allocation));
    return o;
}

static json_object *years_json(const struct jutsu_backtest *r)
{
    json_object *a = json_object_new_array();
    for (size_t i = 0; a && i < r->nyears; i++) {
        const struct jutsu_backtest_year *y = &r->years[i];
        json_object *o = json_object_new_object();
        if (o == NULL || json_object_array_add(a, o) != 0) {
            json_object_put(o);
            break;
        }
        put(o, "year", json_object_new_int(y->year));
        put(o, "strategy_return", jutsu_json_ratio(y->strategy_return, 6));
        put(o, "baseline_return", jutsu_json_ratio(y->baseline_return, 6));
        put(o, "difference", jutsu_json_ratio(y->strategy_return - y->baseline_return, 6));
    }
    return a;
}

static json_object *daily_json(const struct jutsu_backtest *r)
{
    json_object *a = json_object_new_array();
    for (size_t i = 0; a && i < r->ndays; i++) {
        const struct jutsu_backtest_day *d = &r->days[i];
        json_object *o = json_object_new_object();
        if (o == NULL || json_object_array_add(a, o) != 0) {
            json_object_put(o);
            break;
        }
        put(o, "date", jutsu_json_date(d->date));
        put(o, "equity", jutsu_json_money(d->equity));
        put(o, "baseline_equity", jutsu_json_money(d->baseline_equity));
        put(o, "drawdown", jutsu_json_ratio(d->drawdown, 6));
        put(o, "baseline_drawdown", jutsu_json_ratio(d->baseline_drawdown, 6));
    }
    return a;
}

static json_object *trades_json(const struct jutsu_backtest *r)
{
    json_object *a = json_object_new_array();
    for (size_t i = 0; a && i < r->ntrades; i++) {
        const struct jutsu_backtest_trade *t = &r->trades[i];
        json_object *o = json_object_new_object();
        if (o == NULL || json_object_array_add(a, o) != 0) {
            json_object_put(o);
            break;
        }
        put(o, "date", jutsu_json_date(t->date));
        put(o, "symbol", json_object_new_string(t->symbol));
        put(o, "action", json_object_new_string(t->action));
        put(o, "quantity", json_object_new_int(t->quantity));
        put(o, "fill_price", jutsu_json_money(t->fill_price));
        put(o, "value", jutsu_json_money(t->value));
        put(o, "realized_pnl", jutsu_json_money(t->realized_pnl));
        put(o, "reason", t->reason[0] ? json_object_new_string(t->reason) : NULL);
    }
    return a;
}

json_object *jutsu_backtest_json(const struct jutsu_backtest *r, const struct jutsu_param *params,
                                 size_t nparams)
{
    json_object *o = json_object_new_object(), *p = json_object_new_object();
    if (o == NULL || p == NULL) {
        json_object_put(o);
        json_object_put(p);
        return NULL;
    }
    for (size_t i = 0; i < nparams; i++)
        put(p, params[i].name, json_object_new_string(params[i].value));
    put(o, "from", jutsu_json_date(r->from));
    put(o, "to", jutsu_json_date(r->to));
    put(o, "capital", jutsu_json_money(r->capital));
    put(o, "parameters", p);
    put(o, "strategy", side_json(&r->strategy));
    put(o, "baseline", r->has_baseline ? side_json(&r->baseline) : NULL);
    put(o, "years", years_json(r));
    put(o, "daily", daily_json(r));
    put(o, "trades", trades_json(r));
    return o;
}

/* --- the same, written -------------------------------------------------------- */

static void w_ratio(struct jutsu_jw *w, const char *key, double v, int decimals)
{
    char buf[JUTSU_JSON_RATIO_BUFSZ];
    jutsu_jw_key(w, key);
    jutsu_jw_raw(w, jutsu_json_ratio_text(v, decimals, buf) < 0 ? "null" : buf);
}

static void w_money(struct jutsu_jw *w, const char *key, jutsu_money_t v)
{
    jutsu_jw_key(w, key);
    if (v == JUTSU_MONEY_NULL)
        jutsu_jw_raw(w, "null");
    else
        jutsu_jw_money(w, v);
}

static void w_str(struct jutsu_jw *w, const char *key, const char *v)
{
    jutsu_jw_key(w, key);
    jutsu_jw_str(w, v);
}

static void w_int(struct jutsu_jw *w, const char *key, int64_t v)
{
    jutsu_jw_key(w, key);
    jutsu_jw_int(w, v);
}

static void w_date(struct jutsu_jw *w, const char *key, jutsu_date_t d)
{
    jutsu_jw_key(w, key);
    jutsu_jw_date(w, d);
}

static void side_write(struct jutsu_jw *w, const char *key, const struct jutsu_backtest_side *x)
{
    jutsu_jw_key(w, key);
    jutsu_jw_begin(w, '{');
    w_str(w, "id", x->id);
    w_money(w, "initial_capital", x->initial);
    w_money(w, "final_equity", x->final_equity);
    w_ratio(w, "total_return", x->total_return, 6);
    w_ratio(w, "cagr", x->cagr, 6);
    w_ratio(w, "sharpe", x->sharpe, 6);
    w_ratio(w, "sortino", x->sortino, 6);
    w_ratio(w, "calmar", x->calmar, 6);
    w_ratio(w, "max_drawdown", x->max_drawdown, 6);
    w_ratio(w, "volatility", x->volatility, 6);
    w_int(w, "trades", x->trades);
    w_ratio(w, "win_rate", x->win_rate, 2);
    w_int(w, "days", x->days);
    w_str(w, "final_allocation", x->allocation);
    jutsu_jw_end(w, '}');
}

/* The parameters as json-c keeps them: a name given twice stands where it
 * came first, with the value it was given last. */
static void params_write(struct jutsu_jw *w, const struct jutsu_param *params, size_t n)
{
    jutsu_jw_key(w, "parameters");
    jutsu_jw_begin(w, '{');
    for (size_t i = 0; i < n; i++) {
        size_t first = 0, last = i;
        while (strcmp(params[first].name, params[i].name) != 0)
            first++;
        if (first != i)
            continue;
        for (size_t j = i + 1; j < n; j++)
            if (strcmp(params[j].name, params[i].name) == 0)
                last = j;
        w_str(w, params[i].name, params[last].value);
    }
    jutsu_jw_end(w, '}');
}

void jutsu_backtest_write(struct jutsu_jw *w, const struct jutsu_backtest *r,
                          const struct jutsu_param *params, size_t nparams)
{
    jutsu_jw_begin(w, '{');
    w_date(w, "from", r->from);
    w_date(w, "to", r->to);
    w_money(w, "capital", r->capital);
    params_write(w, params, nparams);
    side_write(w, "strategy", &r->strategy);
    if (r->has_baseline) {
        side_write(w, "baseline", &r->baseline);
    } else {
        jutsu_jw_key(w, "baseline");
        jutsu_jw_raw(w, "null");
    }
    jutsu_jw_key(w, "years");
    jutsu_jw_begin(w, '[');
    for (size_t i = 0; i < r->nyears; i++) {
        const struct jutsu_backtest_year *y = &r->years[i];
        jutsu_jw_begin(w, '{');
        w_int(w, "year", y->year);
        w_ratio(w, "strategy_return", y->strategy_return, 6);
        w_ratio(w, "baseline_return", y->baseline_return, 6);
        w_ratio(w, "difference", y->strategy_return - y->baseline_return, 6);
        jutsu_jw_end(w, '}');
    }
    jutsu_jw_end(w, ']');
    jutsu_jw_key(w, "daily");
    jutsu_jw_begin(w, '[');
    for (size_t i = 0; i < r->ndays; i++) {
        const struct jutsu_backtest_day *d = &r->days[i];
        jutsu_jw_begin(w, '{');
        w_date(w, "date", d->date);
        w_money(w, "equity", d->equity);
        w_money(w, "baseline_equity", d->baseline_equity);
        w_ratio(w, "drawdown", d->drawdown, 6);
        w_ratio(w, "baseline_drawdown", d->baseline_drawdown, 6);
        jutsu_jw_end(w, '}');
    }
    jutsu_jw_end(w, ']');
    jutsu_jw_key(w, "trades");
    jutsu_jw_begin(w, '[');
    for (size_t i = 0; i < r->ntrades; i++) {
        const struct jutsu_backtest_trade *t = &r->trades[i];
        jutsu_jw_begin(w, '{');
        w_date(w, "date", t->date);
        w_str(w, "symbol", t->symbol);
        w_str(w, "action", t->action);
        w_int(w, "quantity", t->quantity);
        w_money(w, "fill_price", t->fill_price);
        w_money(w, "value", t->value);
        w_money(w, "realized_pnl", t->realized_pnl);
        w_str(w, "reason", t->reason[0] ? t->reason : NULL);
        jutsu_jw_end(w, '}');
    }
    jutsu_jw_end(w, ']');
    jutsu_jw_end(w, '}');
}
