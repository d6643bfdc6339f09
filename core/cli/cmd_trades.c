/*
 * core/cli/cmd_trades.c — `jutsu trades list` and `jutsu positions`: the
 * stored books (live_trades, positions) of the config's strategy
 * instances, as a table for a person or every column as CSV or JSON.
 *
 * Both read the configured strategies, each in its configured mode unless
 * --mode says otherwise: the data API reads a book per (strategy, mode).
 * A strategy the config does not name is "not found" (exit 1, with the
 * nearest name), as everywhere; a filter that matches nothing is an empty
 * answer (exit 0), said on stderr under the table.
 */
#include <getopt.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "jutsu/json.h"
#include "cli/cli.h"
#include "cli/cli_suggest.h"
#include "host/entities.h"
#include "store/data_api.h"
#include "store/store.h"

struct books_args {
    const char  *strategy, *symbol, *mode;
    jutsu_date_t from, to;
    long         limit;
};

static int books_opt(struct jutsu_cli *cli, int c, const char *arg, void *ud)
{
    struct books_args *a = ud;
    char *end;
    switch (c) {
    case 's': a->strategy = arg; return 0;
    case 'y': a->symbol = arg; return 0;
    case 'm':
        if (strcmp(arg, "offline_mock") != 0 && strcmp(arg, "online_live") != 0)
            return jutsu_cli_usage(cli, "--mode %s: use offline_mock or online_live", arg);
        a->mode = arg;
        return 0;
    case 'f': return jutsu_cli_date_arg(cli, "from", arg, &a->from);
    case 'T': return jutsu_cli_date_arg(cli, "to", arg, &a->to);
    case 'n':
        a->limit = strtol(arg, &end, 10);
        if (*arg == '\0' || *end != '\0' || a->limit < 0 || a->limit > 100000000)
            return jutsu_cli_usage(cli, "--limit %s: a number of trades, 0 for all", arg);
        return 0;
    }
    return jutsu_cli_usage(cli, "unknown option");
}

static const struct option trades_opts[] = {
    { "strategy", required_argument, NULL, 's' },
    { "symbol",   required_argument, NULL, 'y' },
    { "mode",     required_argument, NULL, 'm' },
    { "from",     required_argument, NULL, 'f' },
    { "to",       required_argument, NULL, 'T' },
    { "limit",    required_argument, NULL, 'n' },
    { NULL, 0, NULL, 0 }
};

static const struct option positions_opts[] = {
    { "strategy", required_argument, NULL, 's' },
    { "mode",     required_argument, NULL, 'm' },
    { NULL, 0, NULL, 0 }
};

/* The strategies to read: --strategy (which must be configured) or all.
 * 0, or the exit code (the problem printed). */
static int pick(struct jutsu_cli *cli, const struct books_args *a, struct jutsu_entities *ents,
                const struct jutsu_entity **one)
{
    char err[512] = "", hint[256];
    int rc = jutsu_entities_load(cli->app, ents, err, sizeof(err));
    *one = NULL;
    if (rc != 0) {
        jutsu_cli_error("%s", err[0] ? err : jutsu_strerror(rc));
        return JUTSU_EXIT_CONFIG;
    }
    if (a->strategy == NULL)
        return 0;
    if ((*one = jutsu_entities_find(ents, a->strategy, "strategy", NULL)) != NULL)
        return 0;
    jutsu_cli_entity_hint(ents, "strategy", a->strategy, hint, sizeof(hint));
    jutsu_cli_error("no strategy instance \"%s\" in the config; %s", a->strategy, hint);
    jutsu_entities_free(ents);
    return JUTSU_EXIT_FAILURE;
}

/* --- trades list --------------------------------------------------------------- */

/* A row kept past its callback: the strings copied into one block. */
struct trade {
    struct jutsu_trade_row r;
    jutsu_date_t           date;     /* the exchange's date of the fill */
    char                  *text;
};

struct trades {
    struct trade      *v;
    size_t             n, cap;
    const jutsu_tz    *tz;
    const struct books_args *a;
    int                oom;
};

static char *keep(char **p, const char *s)
{
    if (s == NULL)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = memcpy(*p, s, n);
    *p += n;
    return d;
}

static int copy_trade(const struct jutsu_trade_row *r, struct trade *t)
{
    const char *const s[] = { r->strategy_id, r->mode, r->symbol, r->action, r->schwab_order_id,
                              r->trend_state, r->vol_state, r->reason, r->execution_id };
    size_t n = 0;
    for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
        n += s[i] ? strlen(s[i]) + 1 : 0;
    if ((t->text = malloc(n ? n : 1)) == NULL)
        return JUTSU_ENOMEM;
    char *p = t->text;
    t->r = *r;
    t->r.strategy_id = keep(&p, r->strategy_id);
    t->r.mode = keep(&p, r->mode);
    t->r.symbol = keep(&p, r->symbol);
    t->r.action = keep(&p, r->action);
    t->r.schwab_order_id = keep(&p, r->schwab_order_id);
    t->r.trend_state = keep(&p, r->trend_state);
    t->r.vol_state = keep(&p, r->vol_state);
    t->r.reason = keep(&p, r->reason);
    t->r.execution_id = keep(&p, r->execution_id);
    return 0;
}

static int take_trade(const void *row, void *arg)
{
    const struct jutsu_trade_row *r = row;
    struct trades *x = arg;
    jutsu_date_t d;
    if (jutsu_tz_local_date(x->tz, r->ts, &d, NULL) != 0)
        return JUTSU_EINVAL;
    if ((x->a->from && d < x->a->from) || (x->a->to && d > x->a->to) ||
        (x->a->symbol && strcmp(x->a->symbol, r->symbol) != 0))
        return 0;
    if (x->n == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 64;
        struct trade *v = realloc(x->v, cap * sizeof(*v));
        if (v == NULL) {
            x->oom = 1;
            return JUTSU_ENOMEM;
        }
        x->v = v;
        x->cap = cap;
    }
    if (copy_trade(r, &x->v[x->n]) != 0) {
        x->oom = 1;
        return JUTSU_ENOMEM;
    }
    x->v[x->n++].date = d;
    return 0;
}

static int by_time(const void *a, const void *b)
{
    const struct trade *x = a, *y = b;
    if (x->r.ts != y->r.ts)
        return x->r.ts < y->r.ts ? -1 : 1;
    return x->r.id < y->r.id ? -1 : x->r.id > y->r.id;
}

static void trades_free(struct trades *x)
{
    for (size_t i = 0; i < x->n; i++)
        free(x->v[i].text);
    free(x->v);
}

static json_object *money_or_null(jutsu_money_t m)
{
    return m == JUTSU_MONEY_NULL ? NULL : jutsu_json_money(m);
}

static json_object *text_or_null(const char *s)
{
    return s ? json_object_new_string(s) : NULL;
}

static json_object *trade_json(const struct jutsu_trade_row *r)
{
    json_object *o = json_object_new_object();
    if (o == NULL)
        return NULL;
    json_object_object_add(o, "id", json_object_new_int64(r->id));
    json_object_object_add(o, "strategy_id", text_or_null(r->strategy_id));
    json_object_object_add(o, "mode", text_or_null(r->mode));
    json_object_object_add(o, "symbol", text_or_null(r->symbol));
    json_object_object_add(o, "timestamp", jutsu_json_time(r->ts));
    json_object_object_add(o, "action", text_or_null(r->action));
    json_object_object_add(o, "quantity", json_object_new_int(r->quantity));
    json_object_object_add(o, "target_price", money_or_null(r->target_price));
    json_object_object_add(o, "fill_price", money_or_null(r->fill_price));
    json_object_object_add(o, "fill_value", money_or_null(r->fill_value));
    json_object_object_add(o, "slippage_pct", jutsu_json_ratio(r->slippage_pct, 6));
    json_object_object_add(o, "schwab_order_id", text_or_null(r->schwab_order_id));
    json_object_object_add(o, "strategy_cell", r->strategy_cell == JUTSU_INT_NULL ? NULL
                           : json_object_new_int(r->strategy_cell));
    json_object_object_add(o, "trend_state", text_or_null(r->trend_state));
    json_object_object_add(o, "vol_state", text_or_null(r->vol_state));
    json_object_object_add(o, "t_norm", jutsu_json_ratio(r->t_norm, 6));
    json_object_object_add(o, "z_score", jutsu_json_ratio(r->z_score, 6));
    json_object_object_add(o, "reason", text_or_null(r->reason));
    json_object_object_add(o, "execution_id", text_or_null(r->execution_id));
    json_object_object_add(o, "created_at", jutsu_json_time(r->created_at));
    json_object_object_add(o, "realized_pnl", money_or_null(r->realized_pnl));
    return o;
}

#define TRADE_COLUMNS "id,strategy_id,mode,symbol,timestamp,action,quantity,target_price," \
    "fill_price,fill_value,slippage_pct,schwab_order_id,strategy_cell,trend_state,vol_state," \
    "t_norm,z_score,reason,execution_id,created_at,realized_pnl"
#define POSITION_COLUMNS "strategy_id,mode,symbol,quantity,avg_cost,market_value," \
    "unrealized_pnl,last_updated"

/* A JSON object's values as one CSV line (RFC 4180), in the object's
 * order, which is the header's: the JSON and the CSV are one builder. */
static void csv_line(json_object *o)
{
    int first = 1;
    json_object_object_foreach(o, key, v) {
        (void)key;
        if (!first)
            putchar(',');
        first = 0;
        jutsu_cli_csv_field(stdout, v ? json_object_get_string(v) : "");
    }
    fputs("\r\n", stdout);
}

static void print_list(const struct jutsu_cli *cli, json_object *arr, const char *header)
{
    if (cli->format == JUTSU_FMT_JSON) {
        puts(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY |
                                                 JSON_C_TO_STRING_NOSLASHESCAPE));
        return;
    }
    printf("%s\r\n", header);
    for (size_t i = 0; i < json_object_array_length(arr); i++)
        csv_line(json_object_array_get_idx(arr, i));
}

static void print_trades_table(const struct jutsu_cli *cli, const struct trades *x, size_t from)
{
    static const struct jutsu_tbl_col cols[] = {
        { "DATE", 0 }, { "STRATEGY", 0 }, { "MODE", 0 }, { "SYMBOL", 0 }, { "ACTION", 0 },
        { "QUANTITY", 1 }, { "FILL PRICE", 1 }, { "VALUE", 1 }, { "REALIZED P&L", 1 },
        { "REASON", 0 } };
    struct jutsu_tbl t;
    jutsu_tbl_init(&t, cols, 10);
    for (size_t i = from; i < x->n; i++) {
        const struct jutsu_trade_row *r = &x->v[i].r;
        char day[JUTSU_DATE_BUFSZ], q[16], px[40], val[40], pnl[40];
        jutsu_date_format(x->v[i].date, day);
        snprintf(q, sizeof(q), "%d", (int)r->quantity);
        const char *cells[10] = { day, r->strategy_id, r->mode, r->symbol, r->action, q,
                                  jutsu_cli_money(r->fill_price, 2, px, sizeof(px)),
                                  jutsu_cli_money(r->fill_value, 2, val, sizeof(val)),
                                  jutsu_cli_money(r->realized_pnl, 2, pnl, sizeof(pnl)),
                                  r->reason ? r->reason : "" };
        enum jutsu_cli_tone tones[10] = { 0 };
        if (r->realized_pnl != JUTSU_MONEY_NULL)
            tones[8] = jutsu_cli_tone_of((double)r->realized_pnl);
        if (jutsu_tbl_add(&t, cells, tones) != 0)
            break;
    }
    jutsu_tbl_print(&t, cli, stdout, "");
    jutsu_tbl_free(&t);
}

int jutsu_cmd_trades_list(struct jutsu_cli *cli)
{
    struct books_args a = { .limit = 100 };
    struct jutsu_entities ents = { 0 };
    const struct jutsu_entity *one;
    jutsu_dbs *s = NULL;
    int rc = jutsu_cli_parse(cli, trades_opts, books_opt, &a);
    if (rc)
        return rc;
    if (cli->argc > 1)
        return jutsu_cli_usage(cli, "unexpected argument \"%s\"", cli->argv[1]);
    if ((rc = jutsu_cli_date_range(cli, a.from, a.to)) != 0)
        return rc;
    if ((rc = jutsu_cli_start_storage(cli, 0, &s)) != 0)
        return rc;
    if ((rc = pick(cli, &a, &ents, &one)) != 0) {
        jutsu_dbs_close(s);
        return rc;
    }
    struct trades x = { .tz = cli->app->tz, .a = &a };
    int db = 0;
    for (size_t i = 0; i < ents.nstrategies && db == 0; i++) {
        const struct jutsu_entity *e = &ents.v[i];
        if (one == NULL || one == e)
            db = jutsu_data_trades_range(s, e->id, a.mode ? a.mode : e->mode, 0, INT64_MAX / 2,
                                         take_trade, &x);
    }
    if (db != 0) {
        if (x.oom)
            jutsu_cli_error("out of memory");
        else
            jutsu_cli_db_error(s);
        rc = JUTSU_EXIT_FAILURE;
        goto done;
    }
    if (x.n > 1)   /* x.v is NULL when nothing matched, which qsort may not be given */
        qsort(x.v, x.n, sizeof(*x.v), by_time);
    size_t from = a.limit > 0 && x.n > (size_t)a.limit ? x.n - (size_t)a.limit : 0;
    if (cli->format == JUTSU_FMT_TEXT) {
        if (x.n > from)
            print_trades_table(cli, &x, from);
        if (x.n == 0)
            fprintf(stderr, "jutsu: no trades%s%s%s\n", a.symbol ? " of " : "",
                    a.symbol ? a.symbol : "", a.from || a.to ? " in that range" : "");
        else if (from > 0)
            fprintf(stderr, "jutsu: the newest %ld of %zu trades (--limit 0 shows all)\n",
                    a.limit, x.n);
    } else {
        json_object *arr = json_object_new_array();
        for (size_t i = from; arr && i < x.n; i++)
            json_object_array_add(arr, trade_json(&x.v[i].r));
        if (arr == NULL) {
            jutsu_cli_error("out of memory");
            rc = JUTSU_EXIT_FAILURE;
        } else {
            print_list(cli, arr, TRADE_COLUMNS);
        }
        json_object_put(arr);
    }
done:
    trades_free(&x);
    jutsu_entities_free(&ents);
    jutsu_dbs_close(s);
    return rc;
}

/* --- positions ---------------------------------------------------------------- */

struct positions {
    const struct jutsu_cli *cli;
    json_object            *arr;
    struct jutsu_tbl        t;
};

static int take_position(const void *row, void *arg)
{
    const struct jutsu_position_row *r = row;
    struct positions *x = arg;
    if (x->cli->format != JUTSU_FMT_TEXT) {
        json_object *o = json_object_new_object();
        if (o == NULL || json_object_array_add(x->arr, o) != 0) {
            json_object_put(o);
            return JUTSU_ENOMEM;
        }
        json_object_object_add(o, "strategy_id", text_or_null(r->strategy_id));
        json_object_object_add(o, "mode", text_or_null(r->mode));
        json_object_object_add(o, "symbol", text_or_null(r->symbol));
        json_object_object_add(o, "quantity", json_object_new_int(r->quantity));
        json_object_object_add(o, "avg_cost", money_or_null(r->avg_cost));
        json_object_object_add(o, "market_value", money_or_null(r->market_value));
        json_object_object_add(o, "unrealized_pnl", money_or_null(r->unrealized_pnl));
        json_object_object_add(o, "last_updated", jutsu_json_time(r->last_updated));
        return 0;
    }
    char q[16], cost[40], val[40], pnl[40], at[40] = "-";
    snprintf(q, sizeof(q), "%d", (int)r->quantity);
    if (r->last_updated)
        jutsu_time_format(r->last_updated, at);
    const char *cells[8] = { r->strategy_id, r->mode, r->symbol, q,
                             jutsu_cli_money(r->avg_cost, 2, cost, sizeof(cost)),
                             jutsu_cli_money(r->market_value, 2, val, sizeof(val)),
                             jutsu_cli_money(r->unrealized_pnl, 2, pnl, sizeof(pnl)), at };
    enum jutsu_cli_tone tones[8] = { 0 };
    if (r->unrealized_pnl != JUTSU_MONEY_NULL)
        tones[6] = jutsu_cli_tone_of((double)r->unrealized_pnl);
    return jutsu_tbl_add(&x->t, cells, tones) == 0 ? 0 : JUTSU_ENOMEM;
}

int jutsu_cmd_positions(struct jutsu_cli *cli)
{
    static const struct jutsu_tbl_col cols[] = {
        { "STRATEGY", 0 }, { "MODE", 0 }, { "SYMBOL", 0 }, { "QUANTITY", 1 }, { "AVG COST", 1 },
        { "VALUE", 1 }, { "UNREALIZED P&L", 1 }, { "UPDATED", 0 } };
    struct books_args a = { 0 };
    struct jutsu_entities ents = { 0 };
    const struct jutsu_entity *one;
    jutsu_dbs *s = NULL;
    int rc = jutsu_cli_parse(cli, positions_opts, books_opt, &a);
    if (rc)
        return rc;
    if (cli->argc > 1)
        return jutsu_cli_usage(cli, "unexpected argument \"%s\"", cli->argv[1]);
    if ((rc = jutsu_cli_start_storage(cli, 0, &s)) != 0)
        return rc;
    if ((rc = pick(cli, &a, &ents, &one)) != 0) {
        jutsu_dbs_close(s);
        return rc;
    }
    struct positions x = { .cli = cli };
    jutsu_tbl_init(&x.t, cols, 8);
    if (cli->format != JUTSU_FMT_TEXT && (x.arr = json_object_new_array()) == NULL)
        rc = JUTSU_ENOMEM;
    for (size_t i = 0; i < ents.nstrategies && rc == 0; i++) {
        const struct jutsu_entity *e = &ents.v[i];
        if (one == NULL || one == e)
            rc = jutsu_data_positions_list(s, e->id, a.mode ? a.mode : e->mode, take_position,
                                           &x);
    }
    if (rc == JUTSU_ENOMEM) {
        jutsu_cli_error("out of memory");
    } else if (rc != 0) {
        jutsu_cli_db_error(s);
    } else if (x.arr) {
        print_list(cli, x.arr, POSITION_COLUMNS);
    } else if (x.t.nrows > 0) {
        jutsu_tbl_print(&x.t, cli, stdout, "");
    } else {
        fprintf(stderr, "jutsu: no positions: %s (`jutsu trade run` trades)\n",
                one ? "the strategy holds nothing" : "no strategy holds anything");
    }
    json_object_put(x.arr);
    jutsu_tbl_free(&x.t);
    jutsu_entities_free(&ents);
    jutsu_dbs_close(s);
    return rc ? JUTSU_EXIT_FAILURE : JUTSU_EXIT_OK;
}
