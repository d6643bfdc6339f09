/*
 * core/trading/trader_day.c — one trading day of one strategy: the decision, the
 * fills and the books written (see trade.h).
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
#include "trading/trade_int.h"

const char *jutsu_trade_outcome_name(int outcome)
{
    static const char *const names[] = { "traded", "hold", "warming up", "stale prices",
                                         "already ran", "failed" };
    return outcome >= 0 && outcome <= JUTSU_TRADE_FAILED ? names[outcome] : "?";
}

/* One id per strategy, mode and day: a re-run names the same execution,
 * and a backtest's ids are the same on every machine. */
static void execution_id(const struct trader *t, jutsu_date_t d, char out[9])
{
    char key[160];
    uint32_t h = 2166136261u;
    int n = snprintf(key, sizeof(key), "%s|%s|%ld", t->ent->id, t->ent->mode, (long)d);
    for (int i = 0; i < n && i < (int)sizeof(key); i++)
        h = (h ^ (unsigned char)key[i]) * 16777619u;
    snprintf(out, 9, "%08x", h);
}

static jutsu_money_t to_money(double v)
{
    return isfinite(v) && fabs(v) < 1e12 ? (jutsu_money_t)llround(v * 1e6) : JUTSU_MONEY_NULL;
}

/* The price of each held position on d: the day's close, or (for the
 * snapshot's valuation only) its newest earlier close; *stale counts the
 * positions without a bar on d. */
static int held_prices(struct trader *t, jutsu_prices *p, jutsu_date_t d, jutsu_money_t *out,
                       int *stale)
{
    *stale = 0;
    for (size_t k = 0; k < t->books.npos; k++) {
        jutsu_date_t on;
        int rc = jutsu_prices_asof(p, t->books.pos[k].symbol, d, &out[k], &on);
        if (rc == JUTSU_ENOENT) {
            out[k] = t->books.pos[k].avg_cost;   /* never priced: at cost */
            (*stale)++;
            continue;
        }
        if (rc != 0)
            return rc;
        *stale += on != d;
    }
    return 0;
}

/* The strategy's symbols without a bar of d: the one whose newest bar is
 * oldest goes into res (the day was decided without it). A strategy fed
 * an empty day still answers, usually `hold`; said nowhere, months of a
 * stopped feed pass for quiet markets. */
static int note_stale(struct trader *t, jutsu_prices *p, jutsu_date_t d, const uint8_t *has,
                      struct jutsu_trade_result *res)
{
    for (size_t i = 0; i < t->nsym; i++) {
        jutsu_money_t close;
        jutsu_date_t on = 0;
        if (has[i])
            continue;
        int rc = jutsu_prices_asof(p, t->needs.symbols[i], d, &close, &on);
        if (rc == JUTSU_ENOENT)
            on = 0;   /* no bar at all: the stalest there is */
        else if (rc != 0)
            return rc;
        if (res->stale_symbol[0] == '\0' || on < res->stale_newest) {
            snprintf(res->stale_symbol, sizeof(res->stale_symbol), "%s", t->needs.symbols[i]);
            res->stale_newest = on;
        }
    }
    return 0;
}

/* --- writing the day ----------------------------------------------------------- */

static int write_trades(struct trader *t, const struct jutsu_trade_result *res,
                        const struct jutsu_strategy_signal *sig, jutsu_time_t ts)
{
    for (size_t i = 0; i < res->norders; i++) {
        const struct trade_order *o = &res->orders[i];
        if (o->filled <= 0)
            continue;
        struct jutsu_trade_row r = {
            .strategy_id = t->ent->id, .mode = t->ent->mode, .symbol = o->symbol, .ts = ts,
            .action = o->buy ? "BUY" : "SELL", .quantity = o->filled,
            .target_price = o->price, .fill_price = o->fill_price, .fill_value = o->fill_value,
            .slippage_pct = (double)(o->fill_price - o->price) / (double)o->price * 100.0,
            .schwab_order_id = o->order_id[0] ? o->order_id : NULL,
            .strategy_cell = sig->cell ? sig->cell : JUTSU_INT_NULL,
            .trend_state = sig->trend_state, .vol_state = sig->vol_state,
            .t_norm = sig->t_norm, .z_score = sig->z_score,
            .reason = sig->cell != t->last_cell ? "Signal Change" : "Rebalance",
            .execution_id = res->execution_id,
            .realized_pnl = o->buy ? JUTSU_MONEY_NULL : o->realized_pnl,
        };
        int rc = jutsu_data_trade_insert(t->s, &r, NULL);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* The positions table follows the books: upserted where traded, deleted
 * when closed. */
static int write_positions(struct trader *t, const struct jutsu_trade_result *res,
                           const jutsu_money_t *prices, jutsu_time_t ts)
{
    for (size_t i = 0; i < res->norders; i++) {
        const struct trade_order *o = &res->orders[i];
        if (o->filled <= 0)
            continue;
        struct trade_pos *p = jutsu_trade_book_find(&t->books, o->symbol);
        int rc;
        if (p == NULL) {
            rc = jutsu_data_position_delete(t->s, t->ent->id, t->ent->mode, o->symbol);
        } else {
            jutsu_money_t value, cost;
            size_t k = (size_t)(p - t->books.pos);
            if ((rc = jutsu_money_mul_int(p->qty, prices[k], &value)) != 0 ||
                (rc = jutsu_money_mul_int(p->qty, p->avg_cost, &cost)) != 0)
                return jutsu_dbs_fail(t->s, rc, "positions: %s's value is beyond NUMERIC(18,6)",
                                      o->symbol);
            struct jutsu_position_row r = {
                .strategy_id = t->ent->id, .mode = t->ent->mode, .symbol = p->symbol,
                .quantity = p->qty, .avg_cost = p->avg_cost, .market_value = value,
                .unrealized_pnl = value - cost, .last_updated = ts,
            };
            rc = jutsu_data_position_upsert(t->s, &r);
        }
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int write_snapshot(struct trader *t, const struct jutsu_trade_result *res,
                          const struct jutsu_strategy_signal *sig, const jutsu_money_t *prices,
                          jutsu_time_t ts)
{
    /* json-c's PLAIN text, written without building its tree (a tenth of a
     * backtest was the tree) */
    struct jutsu_jw *w = &t->pos;
    jutsu_jw_reset(w);
    jutsu_jw_begin(w, '[');
    for (size_t k = 0; k < t->books.npos; k++) {
        const struct trade_pos *p = &t->books.pos[k];
        jutsu_money_t value = 0;   /* fits: the equity, their sum with cash, did */
        jutsu_money_mul_int(p->qty, prices[k], &value);
        jutsu_jw_begin(w, '{');
        jutsu_jw_key(w, "symbol");
        jutsu_jw_str(w, p->symbol);
        jutsu_jw_key(w, "quantity");
        jutsu_jw_int(w, p->qty);
        jutsu_jw_key(w, "avg_cost");
        jutsu_jw_money(w, p->avg_cost);
        jutsu_jw_key(w, "price");
        jutsu_jw_money(w, prices[k]);
        jutsu_jw_key(w, "value");
        jutsu_jw_money(w, value);
        jutsu_jw_end(w, '}');
    }
    jutsu_jw_end(w, ']');
    const char *text = jutsu_jw_text(w);
    if (text == NULL)
        return jutsu_dbs_fail(t->s, JUTSU_ENOMEM, "performance_snapshots: out of memory");
    jutsu_money_t initial = t->ent->initial_capital;
    struct jutsu_snapshot_row r = {
        .strategy_id = t->ent->id, .mode = t->ent->mode, .ts = ts,
        .total_equity = res->equity, .cash = t->books.cash, .positions_value = res->equity - t->books.cash,
        .daily_return = t->last_equity > 0 ? (double)res->equity / (double)t->last_equity - 1
                                            : NAN,
        .cumulative_return = (double)res->equity / (double)initial - 1, .drawdown = NAN,
        .strategy_cell = sig->cell ? sig->cell : JUTSU_INT_NULL,
        .trend_state = sig->trend_state, .vol_state = sig->vol_state,
        .snapshot_source = t->source, .t_norm = sig->t_norm, .z_score = sig->z_score,
        .sma_fast = to_money(sig->sma_fast), .sma_slow = to_money(sig->sma_slow),
        .positions_json = text,
        .baseline_value = JUTSU_MONEY_NULL, .baseline_return = NAN,
    };
    int rc = t->snaps ? jutsu_data_snapshot_bulk_row(t->s, t->snaps, &r)
                      : jutsu_data_snapshot_upsert(t->s, &r);
    return rc;
}

/* --- deciding and filling ------------------------------------------------------- */

/* The orders of a rebalance, filled and applied to the books; STALE when
 * a price of d is missing for a symbol it holds or wants. */
static int rebalance(struct trader *t, jutsu_prices *p, jutsu_date_t d,
                     const struct jutsu_strategy_signal *sig, const struct jutsu_bar *bars,
                     const uint8_t *has, struct jutsu_trade_result *res)
{
    jutsu_money_t prices[JUTSU_STRATEGY_MAX_SYMBOLS], held[TRADE_MAX_POSITIONS];
    for (size_t i = 0; i < t->nsym; i++) {
        int wanted = sig->weights[i] > 0 || jutsu_trade_book_find(&t->books, t->needs.symbols[i]);
        prices[i] = has[i] ? bars[i].close : 0;
        if (wanted && !has[i]) {
            snprintf(res->error, sizeof(res->error), "no %s bar on that day: not trading on "
                     "a stale price", t->needs.symbols[i]);
            res->outcome = JUTSU_TRADE_STALE;
            return 0;
        }
    }
    for (size_t k = 0; k < t->books.npos; k++) {   /* held, no longer wanted */
        held[k] = 0;
        int rc = jutsu_prices_on(p, t->books.pos[k].symbol, d, &held[k]);
        if (rc == JUTSU_ENOENT) {
            snprintf(res->error, sizeof(res->error), "no %s bar on that day: not trading on "
                     "a stale price", t->books.pos[k].symbol);
            res->outcome = JUTSU_TRADE_STALE;
            return 0;
        }
        if (rc != 0)
            return rc;
    }
    jutsu_money_t equity;
    int n = jutsu_trade_book_orders(&t->books, t->needs.symbols, sig->weights, prices, t->nsym,
                                    held, res->orders, JUTSU_TRADE_MAX_ORDERS, &equity);
    if (n < 0) {
        snprintf(res->error, sizeof(res->error), "cannot size the orders: %s", jutsu_strerror(n));
        res->outcome = JUTSU_TRADE_FAILED;
        return 0;
    }
    res->norders = (size_t)n;
    int rc = 0;
    if (t->ent->broker) {
        rc = jutsu_trade_broker_fill(t, res->orders, res->norders, res->error, sizeof(res->error));
    } else {
        for (size_t i = 0; rc == 0 && i < res->norders; i++)
            if ((rc = jutsu_trade_book_simulate(&res->orders[i], t->books.cash, &t->costs)) == 0)
                rc = jutsu_trade_book_apply(&t->books, &res->orders[i]);
        if (rc != 0)
            snprintf(res->error, sizeof(res->error), "a fill cannot be booked: %s",
                     jutsu_strerror(rc));
    }
    if (rc != 0) {
        res->outcome = JUTSU_TRADE_FAILED;
        return 0;
    }
    size_t filled = 0;
    int complete = res->error[0] == '\0';   /* every order placed and filled in full */
    for (size_t i = 0; i < res->norders; i++) {
        filled += res->orders[i].filled > 0;
        complete &= res->orders[i].filled == res->orders[i].qty;
    }
    res->outcome = filled ? JUTSU_TRADE_TRADED : JUTSU_TRADE_HOLD;
    /* The targets are in effect (or already were): the strategy's threshold
     * measures from them. Not so when a broker order was rejected, filled
     * in part or not placed: then it asks again (a simulated buy cut to the
     * cash left is as near the targets as the books go: in effect). */
    if (complete || t->ent->broker == NULL)
        jutsu_trader_commit(t, sig->weights);
    return 0;
}

int jutsu_trader_day(struct trader *t, jutsu_prices *p, jutsu_date_t d,
                     struct jutsu_trade_result *res)
{
    struct jutsu_bar bars[JUTSU_STRATEGY_MAX_SYMBOLS];
    uint8_t has[JUTSU_STRATEGY_MAX_SYMBOLS];
    struct jutsu_strategy_signal sig;
    /* all but the orders, 90% of its 26 kB and a backtest's biggest memset:
     * each order is zeroed when it is made, and only norders are read */
    memset(res, 0, offsetof(struct jutsu_trade_result, orders));
    memset(&res->equity, 0, sizeof(*res) - offsetof(struct jutsu_trade_result, equity));
    res->ent = t->ent;
    res->date = d;
    res->t_norm = res->z_score = NAN;
    execution_id(t, d, res->execution_id);
    for (size_t i = 0; i < t->nsym; i++)
        res->symbols[i] = t->needs.symbols[i];
    if (t->last_date >= d) {
        char when[JUTSU_DATE_BUFSZ];
        jutsu_date_format(t->last_date, when);
        snprintf(res->error, sizeof(res->error), "it already ran for %s", when);
        res->outcome = JUTSU_TRADE_ALREADY;
        return 0;
    }
    int rc = jutsu_trader_feed(t, p, d, bars, has, &sig, res->error, sizeof(res->error));
    if (rc == JUTSU_EPLUGIN) {
        res->outcome = JUTSU_TRADE_FAILED;
        return 0;
    }
    if (rc != 0)
        return rc;   /* a storage error before the strategy saw the day: sig is unset */
    if ((rc = note_stale(t, p, d, has, res)) != 0) {
        json_object_put(sig.extras);
        return rc;
    }
    res->cell = sig.cell;
    snprintf(res->trend_state, sizeof(res->trend_state), "%s", sig.trend_state);
    snprintf(res->vol_state, sizeof(res->vol_state), "%s", sig.vol_state);
    res->t_norm = sig.t_norm;
    res->z_score = sig.z_score;
    memcpy(res->weights, sig.weights, sizeof(res->weights));
    if (!sig.warm)
        res->outcome = JUTSU_TRADE_WARMING;
    else if (!sig.rebalance)
        res->outcome = JUTSU_TRADE_HOLD;
    else if ((rc = rebalance(t, p, d, &sig, bars, has, res)) != 0)
        goto out;
    if (res->outcome == JUTSU_TRADE_FAILED)
        goto out;

    jutsu_money_t prices[TRADE_MAX_POSITIONS];
    jutsu_time_t ts;
    int stale = 0;
    if ((rc = held_prices(t, p, d, prices, &stale)) != 0 ||
        (rc = jutsu_trade_book_equity(&t->books, prices, &res->equity)) != 0)
        goto out;
    res->cash = t->books.cash;
    if (jutsu_sched_time_on(t->app, t->when, d, &ts) != 0)
        ts = jutsu_date_to_time(d);
    int own;
    if ((rc = jutsu_dbs_tx_enter(t->s, &own)) != 0)
        goto out;
    rc = write_trades(t, res, &sig, ts);
    if (rc == 0)
        rc = write_positions(t, res, prices, ts);
    if (rc == 0)
        rc = write_snapshot(t, res, &sig, prices, ts);
    t->last_date = d;
    t->last_equity = res->equity;
    t->last_cell = sig.cell;
    if (rc == 0 && t->persist)
        rc = jutsu_trader_save(t);
    rc = jutsu_dbs_tx_leave(t->s, own, rc);
out:
    json_object_put(sig.extras);
    return rc;
}
