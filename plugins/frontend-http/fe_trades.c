/*
 * plugins/frontend-http/fe_trades.c — /api/trades (list, one, summary, CSV
 * export), /api/positions, /api/snapshots and /api/market-data/{symbol}:
 * the trading tables and the bars, over the data API's listing reads.
 *
 * Filters: strategy, symbol and mode are optional (every strategy, both
 * modes); from and to are inclusive dates, taken as UTC days (a US
 * session lies inside its UTC day). Lists are newest first (bars oldest
 * first, as charts draw them), paged with page (1..) and per_page, and
 * answered as {items, page, per_page, total}.
 *
 * The export streams: its reader walks the rows a page at a time by
 * keyset (the last row's timestamp and id), so its memory stays one page
 * whatever the table holds. Each page is one whole query on the session
 * of the thread the reader runs on (no statement stays open between
 * pages), so the export holds no connection of its own.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "jutsu/json.h"
#include "fe.h"

#define TRADES_PER_PAGE     50
#define TRADES_MAX_PER_PAGE 500
#define BARS_PER_PAGE       500
#define BARS_MAX_PER_PAGE   5000
#define POSITIONS_MAX       1000
#define EXPORT_PAGE         500
#define SUMMARY_SYMBOLS     256



/* The filters every trading list shares; -1 after a 400. `symbol` and
 * `range` say whether the route takes them. */
static int read_filter(struct fe_req *r, struct jutsu_query *q, int symbol, int range)
{
    char msg[160];
    jutsu_date_t from = 0, to = 0;
    memset(q, 0, sizeof(*q));
    q->size = sizeof(*q);
    if (fe_query_word(r, "strategy", 50, &q->strategy_id) != 0 ||
        fe_query_word(r, "mode", 16, &q->mode) != 0 ||
        (symbol && fe_query_word(r, "symbol", 10, &q->symbol) != 0))
        return -1;
    if (q->mode && strcmp(q->mode, "offline_mock") != 0 && strcmp(q->mode, "online_live") != 0) {
        snprintf(msg, sizeof(msg), "mode: \"%s\" is not one of offline_mock, online_live",
                 q->mode);
        return fe_bad_param(r, msg);
    }
    if (!range)
        return 0;
    if (fe_query_date(r, "from", 1, &from) != 0 || fe_query_date(r, "to", 1, &to) != 0)
        return -1;
    if (from && to && from > to)
        return fe_bad_param(r, "to: the range ends before from");
    q->from = from ? jutsu_date_to_time(from) : 0;
    q->to = to ? jutsu_date_to_time(to + 1) - 1 : 0;
    return 0;
}

/* --- rows as JSON ---------------------------------------------------------- */

static json_object *trade_json(const struct jutsu_trade_row *t)
{
    json_object *o = json_object_new_object();
    fe_add(o, "id", json_object_new_int64(t->id));
    fe_add(o, "strategy_id", fe_json_text(t->strategy_id));
    fe_add(o, "mode", fe_json_text(t->mode));
    fe_add(o, "symbol", fe_json_text(t->symbol));
    fe_add(o, "timestamp", jutsu_json_time(t->ts));
    fe_add(o, "action", fe_json_text(t->action));
    fe_add(o, "quantity", json_object_new_int(t->quantity));
    fe_add(o, "target_price", jutsu_json_money(t->target_price));
    fe_add(o, "fill_price", jutsu_json_money(t->fill_price));
    fe_add(o, "fill_value", jutsu_json_money(t->fill_value));
    fe_add(o, "slippage_pct", jutsu_json_ratio(t->slippage_pct, 6));
    fe_add(o, "realized_pnl", jutsu_json_money(t->realized_pnl));
    fe_add(o, "schwab_order_id", fe_json_text(t->schwab_order_id));
    fe_add(o, "strategy_cell", fe_json_int(t->strategy_cell));
    fe_add(o, "trend_state", fe_json_text(t->trend_state));
    fe_add(o, "vol_state", fe_json_text(t->vol_state));
    fe_add(o, "t_norm", jutsu_json_ratio(t->t_norm, 6));
    fe_add(o, "z_score", jutsu_json_ratio(t->z_score, 6));
    fe_add(o, "reason", fe_json_text(t->reason));
    fe_add(o, "execution_id", fe_json_text(t->execution_id));
    fe_add(o, "created_at", jutsu_json_time(t->created_at));
    return o;
}

static json_object *position_json(const struct jutsu_position_row *p)
{
    json_object *o = json_object_new_object();
    fe_add(o, "strategy_id", fe_json_text(p->strategy_id));
    fe_add(o, "mode", fe_json_text(p->mode));
    fe_add(o, "symbol", fe_json_text(p->symbol));
    fe_add(o, "quantity", json_object_new_int(p->quantity));
    fe_add(o, "avg_cost", jutsu_json_money(p->avg_cost));
    fe_add(o, "market_value", jutsu_json_money(p->market_value));
    fe_add(o, "unrealized_pnl", jutsu_json_money(p->unrealized_pnl));
    fe_add(o, "last_updated", jutsu_json_time(p->last_updated));
    return o;
}

static json_object *snapshot_json(const struct jutsu_snapshot_row *x)
{
    json_object *o = json_object_new_object();
    fe_add(o, "id", json_object_new_int64(x->id));
    fe_add(o, "strategy_id", fe_json_text(x->strategy_id));
    fe_add(o, "mode", fe_json_text(x->mode));
    fe_add(o, "timestamp", jutsu_json_time(x->ts));
    fe_add(o, "total_equity", jutsu_json_money(x->total_equity));
    fe_add(o, "cash", jutsu_json_money(x->cash));
    fe_add(o, "positions_value", jutsu_json_money(x->positions_value));
    fe_add(o, "daily_return", jutsu_json_ratio(x->daily_return, 6));
    fe_add(o, "cumulative_return", jutsu_json_ratio(x->cumulative_return, 6));
    fe_add(o, "drawdown", jutsu_json_ratio(x->drawdown, 6));
    fe_add(o, "strategy_cell", fe_json_int(x->strategy_cell));
    fe_add(o, "trend_state", fe_json_text(x->trend_state));
    fe_add(o, "vol_state", fe_json_text(x->vol_state));
    fe_add(o, "snapshot_source", fe_json_text(x->snapshot_source));
    fe_add(o, "t_norm", jutsu_json_ratio(x->t_norm, 6));
    fe_add(o, "z_score", jutsu_json_ratio(x->z_score, 6));
    fe_add(o, "sma_fast", jutsu_json_money(x->sma_fast));
    fe_add(o, "sma_slow", jutsu_json_money(x->sma_slow));
    fe_add(o, "positions", x->positions_json && *x->positions_json
                        ? json_tokener_parse(x->positions_json) : NULL);
    fe_add(o, "baseline_value", jutsu_json_money(x->baseline_value));
    fe_add(o, "baseline_return", jutsu_json_ratio(x->baseline_return, 6));
    return o;
}

static int to_array(const void *row, void *arg, json_object *(*conv)(const void *))
{
    json_object_array_add(arg, conv(row));
    return 0;
}

static json_object *trade_conv(const void *r) { return trade_json(r); }
static json_object *position_conv(const void *r) { return position_json(r); }
static json_object *snapshot_conv(const void *r) { return snapshot_json(r); }
static int take_trade(const void *row, void *arg) { return to_array(row, arg, trade_conv); }
static int take_position(const void *row, void *arg) { return to_array(row, arg, position_conv); }
static int take_snapshot(const void *row, void *arg) { return to_array(row, arg, snapshot_conv); }

static json_object *page_json(json_object *items, int64_t page, int64_t per_page, int64_t total)
{
    json_object *o = json_object_new_object();
    fe_add(o, "items", items);
    fe_add(o, "page", json_object_new_int64(page));
    fe_add(o, "per_page", json_object_new_int64(per_page));
    fe_add(o, "total", json_object_new_int64(total));
    return o;
}

/* --- GET /api/trades, /api/snapshots --------------------------------------- */

typedef int (*query_fn)(jutsu_dbs *s, const struct jutsu_query *q, jutsu_row_fn fn, void *arg,
                        int64_t *total);

static int list(struct fe_req *r, int symbol, query_fn fn, jutsu_row_fn take, const char *what)
{
    struct jutsu_query q;
    int64_t page, per_page, total = 0;
    jutsu_dbs *s;
    if (read_filter(r, &q, symbol, 1) != 0 ||
        fe_query_page(r, TRADES_PER_PAGE, TRADES_MAX_PER_PAGE, &page, &per_page) != 0 ||
        (s = fe_dbs(r)) == NULL)
        return 0;
    q.limit = per_page;
    q.offset = (page - 1) * per_page;
    json_object *items = json_object_new_array();
    int rc = fn(s, &q, take, items, &total);
    if (rc < 0) {
        json_object_put(items);
        return fe_db_fail(r, s, rc, what);
    }
    return fe_ok(r, 200, page_json(items, page, per_page, total));
}

int fe_h_trades_list(struct fe_req *r)
{
    const struct jutsu_data *d = fe_data(r);
    return d ? list(r, 1, d->trades_query, take_trade, "live_trades") : 0;
}

int fe_h_snapshots(struct fe_req *r)
{
    const struct jutsu_data *d = fe_data(r);
    return d ? list(r, 0, d->snapshots_query, take_snapshot, "performance_snapshots") : 0;
}

/* --- GET /api/trades/{id} -------------------------------------------------- */

int fe_h_trade_get(struct fe_req *r)
{
    const struct jutsu_data *d;
    jutsu_dbs *s;
    char *end = NULL, msg[160];
    const char *p = r->params[0];
    long long id = (*p >= '1' && *p <= '9') ? strtoll(p, &end, 10) : 0;
    if (id <= 0 || end == NULL || *end != '\0' || strlen(p) > 18) {
        snprintf(msg, sizeof(msg), "id: \"%.24s\" is not a trade id (a whole number from 1)", p);
        return fe_error(r, 400, "bad_parameter", msg, NULL);
    }
    if ((d = fe_data(r)) == NULL || (s = fe_dbs(r)) == NULL)
        return 0;
    struct jutsu_trade_row t;
    int rc = d->trade_get(s, (int64_t)id, &t);
    if (rc == JUTSU_ENOENT) {
        snprintf(msg, sizeof(msg), "no trade %lld", id);
        return fe_error(r, 404, "not_found", msg, NULL);
    }
    if (rc != 0)
        return fe_db_fail(r, s, rc, "live_trades");
    return fe_ok(r, 200, trade_json(&t));
}

/* --- GET /api/trades/summary ----------------------------------------------- */

struct tally {
    char          symbol[16];
    int64_t       trades, buys, sells, winning, losing, quantity_bought, quantity_sold;
    jutsu_money_t realized_pnl, bought, sold;
};

struct summary {
    struct tally all;
    struct tally sym[SUMMARY_SYMBOLS];
    size_t       nsym;
    int          overflow;
};

static void count(struct tally *t, const struct jutsu_trade_row *x, int *overflow)
{
    int sell = x->action && strcmp(x->action, "SELL") == 0;
    jutsu_money_t value = x->fill_value != JUTSU_MONEY_NULL ? x->fill_value : 0;
    t->trades++;
    if (sell) {
        t->sells++;
        t->quantity_sold += x->quantity;
        *overflow |= __builtin_add_overflow(t->sold, value, &t->sold);
    } else {
        t->buys++;
        t->quantity_bought += x->quantity;
        *overflow |= __builtin_add_overflow(t->bought, value, &t->bought);
    }
    if (x->realized_pnl != JUTSU_MONEY_NULL) {
        t->winning += x->realized_pnl > 0;
        t->losing += x->realized_pnl < 0;
        *overflow |= __builtin_add_overflow(t->realized_pnl, x->realized_pnl, &t->realized_pnl);
    }
}

static int take_summary(const void *row, void *arg)
{
    const struct jutsu_trade_row *x = row;
    struct summary *s = arg;
    count(&s->all, x, &s->overflow);
    size_t i = 0;
    while (i < s->nsym && strcmp(s->sym[i].symbol, x->symbol) != 0)
        i++;
    if (i == s->nsym) {
        if (s->nsym == SUMMARY_SYMBOLS)
            return 0;   /* counted in the totals; by_symbol says it is cut */
        snprintf(s->sym[s->nsym++].symbol, sizeof(s->sym[0].symbol), "%s", x->symbol);
    }
    count(&s->sym[i], x, &s->overflow);
    return 0;
}

static json_object *tally_json(const struct tally *t, int with_symbol)
{
    json_object *o = json_object_new_object();
    if (with_symbol)
        fe_add(o, "symbol", json_object_new_string(t->symbol));
    fe_add(o, "total_trades", json_object_new_int64(t->trades));
    fe_add(o, "buys", json_object_new_int64(t->buys));
    fe_add(o, "sells", json_object_new_int64(t->sells));
    fe_add(o, "winning_trades", json_object_new_int64(t->winning));
    fe_add(o, "losing_trades", json_object_new_int64(t->losing));
    int64_t closed = t->winning + t->losing;
    /* a percent like daily_performance.win_rate: of the sells that won or lost */
    fe_add(o, "win_rate", closed ? jutsu_json_ratio(100.0 * (double)t->winning / (double)closed, 2)
                              : NULL);
    fe_add(o, "realized_pnl", jutsu_json_money(t->realized_pnl));
    fe_add(o, "quantity_bought", json_object_new_int64(t->quantity_bought));
    fe_add(o, "quantity_sold", json_object_new_int64(t->quantity_sold));
    fe_add(o, "bought_value", jutsu_json_money(t->bought));
    fe_add(o, "sold_value", jutsu_json_money(t->sold));
    return o;
}

static int by_symbol(const void *a, const void *b)
{
    return strcmp(((const struct tally *)a)->symbol, ((const struct tally *)b)->symbol);
}

int fe_h_trades_summary(struct fe_req *r)
{
    const struct jutsu_data *d;
    struct jutsu_query q;
    jutsu_dbs *s;
    if (read_filter(r, &q, 1, 1) != 0 || (d = fe_data(r)) == NULL || (s = fe_dbs(r)) == NULL)
        return 0;
    struct summary *sum = calloc(1, sizeof(*sum));
    if (sum == NULL)
        return fe_error(r, 500, "internal", "out of memory", NULL);
    int rc = d->trades_query(s, &q, take_summary, sum, NULL);
    if (rc < 0) {
        free(sum);
        return fe_db_fail(r, s, rc, "live_trades");
    }
    if (sum->overflow) {
        free(sum);
        return fe_error(r, 500, "internal", "the sums overflow the money range", NULL);
    }
    qsort(sum->sym, sum->nsym, sizeof(sum->sym[0]), by_symbol);
    json_object *o = tally_json(&sum->all, 0), *bs = json_object_new_array();
    for (size_t i = 0; i < sum->nsym; i++)
        json_object_array_add(bs, tally_json(&sum->sym[i], 1));
    fe_add(o, "by_symbol", bs);
    fe_add(o, "by_symbol_truncated", json_object_new_boolean(sum->nsym == SUMMARY_SYMBOLS));
    free(sum);
    return fe_ok(r, 200, o);
}

/* --- GET /api/trades/export (CSV, RFC 4180, streamed) ---------------------- */

static const char csv_header[] =
    "id,timestamp,strategy_id,mode,symbol,action,quantity,target_price,fill_price,fill_value,"
    "slippage_pct,realized_pnl,strategy_cell,trend_state,vol_state,t_norm,z_score,reason,"
    "execution_id,schwab_order_id\r\n";

struct csv {
    const struct jutsu_data *d;
    struct fe              *fe;
    struct jutsu_query      q;
    char                    strategy[64], mode[16], symbol[16];
    char                   *buf;          /* the page's text, not yet sent */
    size_t                  len, cap, sent;
    int64_t                 rows;         /* in the page being read */
    int                     done, failed;
};

static int csv_put(struct csv *c, const char *p, size_t n)
{
    if (c->len + n + 1 > c->cap) {
        size_t cap = c->cap ? c->cap : 65536;
        while (cap < c->len + n + 1)
            cap *= 2;
        char *b = realloc(c->buf, cap);
        if (b == NULL)
            return -1;
        c->buf = b;
        c->cap = cap;
    }
    memcpy(c->buf + c->len, p, n);
    c->len += n;
    return 0;
}

/* One field: quoted when it holds a comma, a quote or a line break. */
static int csv_field(struct csv *c, const char *v, int last)
{
    int rc = 0;
    if (v && strpbrk(v, ",\"\r\n")) {
        rc |= csv_put(c, "\"", 1);
        for (const char *p = v; *p; p++)
            rc |= *p == '"' ? csv_put(c, "\"\"", 2) : csv_put(c, p, 1);
        rc |= csv_put(c, "\"", 1);
    } else if (v) {
        rc |= csv_put(c, v, strlen(v));
    }
    return rc | csv_put(c, last ? "\r\n" : ",", last ? 2 : 1);
}

static const char *money_text(jutsu_money_t v, char *buf)
{
    return v == JUTSU_MONEY_NULL || jutsu_money_format(v, buf) < 0 ? NULL : buf;
}

static const char *ratio_text(double v, char *buf, size_t n)
{
    json_object *j = jutsu_json_ratio(v, 6);
    if (j == NULL)
        return NULL;
    snprintf(buf, n, "%s", json_object_get_string(j));
    json_object_put(j);
    return buf;
}

static const char *int_text(int64_t v, char *buf, size_t n)
{
    snprintf(buf, n, "%" PRId64, v);
    return buf;
}

static int take_csv(const void *row, void *arg)
{
    const struct jutsu_trade_row *t = row;
    struct csv *c = arg;
    char id[24], ts[40], qty[16], tp[32], fp[32], fv[32], sl[48], pnl[32], cell[16], tn[48],
         zs[48];
    const char *f[] = {
        int_text(t->id, id, sizeof(id)),
        jutsu_time_format(t->ts, ts) < 0 ? NULL : ts,
        t->strategy_id, t->mode, t->symbol, t->action,
        int_text(t->quantity, qty, sizeof(qty)),
        money_text(t->target_price, tp), money_text(t->fill_price, fp),
        money_text(t->fill_value, fv), ratio_text(t->slippage_pct, sl, sizeof(sl)),
        money_text(t->realized_pnl, pnl),
        t->strategy_cell == JUTSU_INT_NULL ? NULL : int_text(t->strategy_cell, cell, sizeof(cell)),
        t->trend_state, t->vol_state, ratio_text(t->t_norm, tn, sizeof(tn)),
        ratio_text(t->z_score, zs, sizeof(zs)), t->reason, t->execution_id, t->schwab_order_id,
    };
    size_t n = sizeof(f) / sizeof(f[0]);
    for (size_t i = 0; i < n; i++)
        if (csv_field(c, f[i], i + 1 == n) != 0) {
            c->failed = 1;
            return 1;
        }
    c->q.before_ts = t->ts;     /* the next page starts after this row */
    c->q.before_id = t->id;
    c->rows++;
    return 0;
}

/* Reads the next page into the buffer: 0, or -1 (logged). */
static int csv_page(struct csv *c)
{
    c->len = c->sent = 0;
    c->rows = 0;
    jutsu_dbs *s = fe_dbs_thread(c->fe);
    int rc = s ? c->d->trades_query(s, &c->q, take_csv, c, NULL) : JUTSU_ETRANSIENT;
    if (rc < 0 || c->failed) {
        c->fe->host->log(c->fe->ctx, JUTSU_LOG_ERROR, "trades export: the stream is cut: %s",
                         s && rc < 0 ? c->d->last_error(s) : jutsu_strerror(rc ? rc
                                                                             : JUTSU_ENOMEM));
        return -1;
    }
    if (c->rows < c->q.limit)
        c->done = 1;
    return 0;
}

static ssize_t csv_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct csv *c = cls;
    (void)pos;
    if (c->sent == c->len) {
        if (c->done)
            return FE_READ_END;
        if (csv_page(c) != 0)
            return FE_READ_ERROR;
        if (c->len == 0)
            return FE_READ_END;
    }
    size_t n = c->len - c->sent < max ? c->len - c->sent : max;
    memcpy(buf, c->buf + c->sent, n);
    c->sent += n;
    return (ssize_t)n;
}

static void csv_free(void *cls)
{
    struct csv *c = cls;
    free(c->buf);
    free(c);
}

int fe_h_trades_export(struct fe_req *r)
{
    const struct jutsu_data *d;
    struct jutsu_query q;
    jutsu_dbs *s;
    if (read_filter(r, &q, 1, 1) != 0 || (d = fe_data(r)) == NULL || (s = fe_dbs(r)) == NULL)
        return 0;
    struct csv *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return fe_error(r, 500, "internal", "out of memory", NULL);
    c->d = d;
    c->fe = r->fe;
    c->q = q;
    /* the filters outlive the request's query string */
    snprintf(c->strategy, sizeof(c->strategy), "%s", q.strategy_id ? q.strategy_id : "");
    snprintf(c->mode, sizeof(c->mode), "%s", q.mode ? q.mode : "");
    snprintf(c->symbol, sizeof(c->symbol), "%s", q.symbol ? q.symbol : "");
    c->q.strategy_id = c->strategy;
    c->q.mode = c->mode;
    c->q.symbol = c->symbol;
    c->q.limit = EXPORT_PAGE;
    /* the first page now, so that a bad filter is a 400, not a cut stream */
    int rc = 0;
    if (csv_put(c, csv_header, sizeof(csv_header) - 1) != 0 ||
        (rc = d->trades_query(s, &c->q, take_csv, c, NULL)) < 0 || c->failed) {
        fe_db_fail(r, s, rc < 0 ? rc : JUTSU_ENOMEM, "live_trades");
        csv_free(c);
        return 0;
    }
    if (c->rows < c->q.limit)
        c->done = 1;
    r->status = 200;
    r->ctype = "text/csv; charset=utf-8";
    r->reader = csv_read;
    r->reader_free = csv_free;
    r->reader_cls = c;
    return 0;
}

/* --- GET /api/positions ---------------------------------------------------- */

int fe_h_positions(struct fe_req *r)
{
    const struct jutsu_data *d;
    struct jutsu_query q;
    jutsu_dbs *s;
    int64_t total = 0;
    if (read_filter(r, &q, 1, 0) != 0 || (d = fe_data(r)) == NULL || (s = fe_dbs(r)) == NULL)
        return 0;
    q.limit = POSITIONS_MAX;
    json_object *items = json_object_new_array();
    int rc = d->positions_query(s, &q, take_position, items, &total);
    if (rc < 0) {
        json_object_put(items);
        return fe_db_fail(r, s, rc, "positions");
    }
    json_object *o = json_object_new_object();
    fe_add(o, "items", items);
    fe_add(o, "total", json_object_new_int64(total));
    return fe_ok(r, 200, o);
}

/* --- GET /api/market-data/{symbol} ----------------------------------------- */

static json_object *bar_json(const struct jutsu_bar_row *b)
{
    json_object *o = json_object_new_object();
    fe_add(o, "timestamp", jutsu_json_time(b->ts));
    fe_add(o, "date", jutsu_json_date(jutsu_time_to_date(b->ts)));
    fe_add(o, "open", jutsu_json_money(b->open));
    fe_add(o, "high", jutsu_json_money(b->high));
    fe_add(o, "low", jutsu_json_money(b->low));
    fe_add(o, "close", jutsu_json_money(b->close));
    fe_add(o, "volume", json_object_new_int64(b->volume));
    fe_add(o, "source", fe_json_text(b->data_source));
    fe_add(o, "is_valid", json_object_new_boolean(b->is_valid != 0));
    return o;
}

static int take_bar(const struct jutsu_bar_row *b, void *arg)
{
    json_object_array_add(arg, bar_json(b));
    return 0;
}

int fe_h_market_bars(struct fe_req *r)
{
    static const char *const tfs[] = { "1D", "1H", "5m", "15m" };
    const struct jutsu_data *d;
    const char *tf = NULL;
    jutsu_date_t from = 0, to = 0;
    int64_t page, per_page, total = 0;
    jutsu_dbs *s;
    char sym[16], msg[160];
    size_t n = strlen(r->params[0]);
    for (size_t i = 0; i < n && i < sizeof(sym) - 1; i++) {
        char ch = r->params[0][i];
        sym[i] = ch >= 'a' && ch <= 'z' ? (char)(ch - 'a' + 'A') : ch;
        if (!((sym[i] >= 'A' && sym[i] <= 'Z') || (sym[i] >= '0' && sym[i] <= '9') ||
              sym[i] == '.' || sym[i] == '^' || sym[i] == '-'))
            n = 0;
    }
    if (n == 0 || n > 10) {
        snprintf(msg, sizeof(msg), "symbol: \"%.24s\" is not a symbol (1 to 10 of A-Z 0-9 . ^ -)",
                 r->params[0]);
        return fe_error(r, 400, "bad_parameter", msg, NULL);
    }
    sym[n] = '\0';
    if (fe_query_word(r, "timeframe", 8, &tf) != 0 || fe_query_date(r, "from", 1, &from) != 0 ||
        fe_query_date(r, "to", 1, &to) != 0 ||
        fe_query_page(r, BARS_PER_PAGE, BARS_MAX_PER_PAGE, &page, &per_page) != 0)
        return 0;
    int known = tf == NULL;
    for (size_t i = 0; tf && i < sizeof(tfs) / sizeof(tfs[0]); i++)
        known |= strcmp(tf, tfs[i]) == 0;
    if (!known) {
        snprintf(msg, sizeof(msg), "timeframe: \"%s\" is not one of 1D, 1H, 5m, 15m", tf);
        return fe_bad_param(r, msg), 0;
    }
    if (from && to && from > to)
        return fe_bad_param(r, "to: the range ends before from"), 0;
    if ((d = fe_data(r)) == NULL || (s = fe_dbs(r)) == NULL)
        return 0;
    jutsu_time_t t0 = jutsu_date_to_time(from ? from : jutsu_date_from_ymd(1900, 1, 1));
    jutsu_time_t t1 = jutsu_date_to_time((to ? to : jutsu_date_from_ymd(2999, 12, 31)) + 1) - 1;
    json_object *items = json_object_new_array();
    int rc = d->bars_page(s, sym, tf ? tf : "1D", t0, t1, (page - 1) * per_page, per_page,
                          take_bar, items, &total);
    if (rc < 0) {
        json_object_put(items);
        return fe_db_fail(r, s, rc, "market_data");
    }
    if (total == 0 && !from && !to) {
        json_object_put(items);
        snprintf(msg, sizeof(msg), "no %s bars of %s", tf ? tf : "1D", sym);
        return fe_error(r, 404, "not_found", msg, "GET /api/market-data lists what is stored");
    }
    json_object *o = page_json(items, page, per_page, total);
    fe_add(o, "symbol", json_object_new_string(sym));
    fe_add(o, "timeframe", json_object_new_string(tf ? tf : "1D"));
    return fe_ok(r, 200, o);
}
