/*
 * jutsu/data.h — the typed data API: every table of the data layer, as
 * calls that take and give C structs, the same on every storage backend.
 *
 * The host owns the SQL (core/data_*.c) and runs it through the configured
 * storage driver. Plugins reach these calls through host->data(ctx); the
 * host's own jobs call the same functions.
 *
 * Sessions. All calls go through a session (jutsu_dbs), which holds one
 * database connection for the calling thread: open one per thread, close it
 * when done. A session is not thread-safe.
 *
 * Transactions. Every call that writes runs in its own transaction unless
 * the caller opened one with begin(); then it joins it, so several calls
 * commit or roll back together. A failed call inside the caller's
 * transaction leaves it for the caller to roll back.
 *
 * Isolation by construction. Every call on a trading table (live_trades,
 * positions, performance_snapshots, daily_performance) takes the
 * strategy (or entity) and the mode as required arguments or row fields
 * and filters on them: there is no call that reads another strategy's rows
 * by accident.
 *
 * Values. Money and prices are jutsu_money_t micro-units; JUTSU_MONEY_NULL
 * marks a NULL column. Ratios and statistics (returns, Sharpe, z-score) are
 * double and stored rounded to the column's 6 decimals; NaN marks NULL.
 * Integers that may be NULL use JUTSU_INT_NULL. Text fields are `const
 * char *`: NULL or "" is SQL NULL for nullable columns. In rows given to a
 * write call they belong to the caller; in rows handed out by a read call
 * they stay valid until the callback returns (range reads) or until the
 * next call on the same session (single-row gets) — copy what you keep.
 *
 * Validation. Before touching the database every write checks the spec's
 * constraints: text lengths, mode ('offline_mock' | 'online_live'), action
 * ('BUY' | 'SELL'), role ('admin' | 'viewer'), timeframe ('1D' | '1H' | '5m'
 * | '15m'), quantity > 0 for trades, money within NUMERIC(18,6), ratios
 * within NUMERIC(10,6) and finite. A refusal returns JUTSU_EINVAL or
 * JUTSU_ERANGE and last_error() names the table, column and value, e.g.
 * "live_trades.action: \"HOLD\" is not one of BUY, SELL". A failure the
 * database reports has three parts, which last_error() puts on one line,
 * "message (detail); hint: hint", and last_error_message(),
 * last_error_detail() and last_error_hint() give apart.
 *
 * Errors: 0 or a negative JUTSU_E*; JUTSU_ENOENT from gets when there is no
 * such row; JUTSU_ECONSTRAINT when the database refuses (duplicate key);
 * JUTSU_ETRANSIENT when the connection was lost (retry the transaction).
 */
#ifndef JUTSU_DATA_H
#define JUTSU_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "jutsu/clock.h"
#include "jutsu/money.h"
#include "jutsu/plugin.h"

#define JUTSU_MONEY_NULL INT64_MIN
#define JUTSU_INT_NULL   INT32_MIN

typedef struct jutsu_dbs jutsu_dbs;   /* a data session */

/* market_data */
struct jutsu_bar_row {
    int64_t       id;             /* read only */
    const char   *symbol;         /* upper case, <= 10 */
    const char   *timeframe;      /* '1D', '1H', '5m', '15m' */
    jutsu_time_t  ts;             /* daily bars: the trading date at the fixed time of day */
    jutsu_money_t open, high, low, close;
    int64_t       volume;
    const char   *data_source;    /* 'csv', 'yahoo', 'schwab', <= 20 */
    int32_t       is_valid;
    jutsu_time_t  created_at;     /* read only */
};

/* data_metadata */
struct jutsu_metadata_row {
    const char   *symbol, *timeframe;
    jutsu_time_t  last_bar_ts;
    int64_t       total_bars;
    jutsu_time_t  last_updated;
};

/* data_audit_log */
struct jutsu_audit_row {
    int64_t       id;
    const char   *symbol, *timeframe;
    const char   *operation;      /* sync, fetch, import, update, delete */
    const char   *status;         /* success, error, warning */
    const char   *message;        /* <= 500, longer is cut with "..." */
    int64_t       bars_affected;
    jutsu_time_t  ts;             /* 0 on write: now */
};

/* live_trades */
struct jutsu_trade_row {
    int64_t       id;
    const char   *strategy_id, *mode;
    const char   *symbol;
    jutsu_time_t  ts;
    const char   *action;         /* BUY, SELL */
    int32_t       quantity;       /* > 0 */
    jutsu_money_t target_price;
    jutsu_money_t fill_price, fill_value;   /* JUTSU_MONEY_NULL allowed */
    double        slippage_pct;
    const char   *schwab_order_id;
    int32_t       strategy_cell;
    const char   *trend_state, *vol_state;
    double        t_norm, z_score;
    const char   *reason;
    const char   *execution_id;   /* <= 8 */
    jutsu_time_t  created_at;     /* read only */
    jutsu_money_t realized_pnl;   /* sells: (fill - avg cost) x qty - commission; NULL for buys */
};

/* positions */
struct jutsu_position_row {
    const char   *strategy_id, *mode;
    const char   *symbol;
    int32_t       quantity;
    jutsu_money_t avg_cost, market_value, unrealized_pnl;  /* nullable */
    jutsu_time_t  last_updated;   /* 0 on write: now */
};

/* performance_snapshots */
struct jutsu_snapshot_row {
    int64_t       id;
    const char   *strategy_id, *mode;
    jutsu_time_t  ts;
    jutsu_money_t total_equity;
    jutsu_money_t cash, positions_value;                 /* nullable */
    double        daily_return, cumulative_return, drawdown;
    int32_t       strategy_cell;
    const char   *trend_state, *vol_state;
    const char   *snapshot_source;  /* scheduler, refresh, manual, backtest */
    double        t_norm, z_score;
    jutsu_money_t sma_fast, sma_slow;                    /* prices: exact */
    const char   *positions_json;
    jutsu_money_t baseline_value;
    double        baseline_return;
};

/* daily_performance */
struct jutsu_daily_perf_row {
    int64_t       id;
    jutsu_date_t  trading_date;
    const char   *entity_type;    /* strategy, baseline */
    const char   *entity_id;
    const char   *mode;
    jutsu_money_t total_equity;
    jutsu_money_t cash, positions_value;                 /* nullable */
    const char   *positions_json;
    double        daily_return, cumulative_return;       /* not null */
    double        drawdown;
    double        sharpe_ratio, sortino_ratio, calmar_ratio, max_drawdown, volatility, cagr;
    int32_t       strategy_cell;
    const char   *trend_state, *vol_state;
    double        t_norm, z_score;
    jutsu_money_t sma_fast, sma_slow;
    int32_t       total_trades, winning_trades, losing_trades;
    double        win_rate;       /* NUMERIC(5,2): percent, 2 decimals */
    const char   *baseline_symbol;
    jutsu_money_t initial_capital, high_water_mark;
    int32_t       trading_days_count;
    int32_t       days_since_previous;
    int32_t       is_first_day;
    double        returns_sum, returns_sum_sq, downside_sum_sq;  /* NUMERIC(18,8) */
    int32_t       returns_count;
    jutsu_time_t  finalized_at;   /* 0 on write: now */
    int32_t       welford_count;  /* Welford's running moments of the daily returns, */
    double        welford_mean;   /* DOUBLE PRECISION: exact, NaN = NULL             */
    double        welford_m2;
    const char   *kpi_state;      /* JSON object: each KPI instance's state          */
    /* ABI 1.4: the KPI plugins' metrics of their own (jutsu/kpi.h), a JSON
     * object {"name": number or null}, or NULL. Filled only in the rows a
     * daily_perf_range or daily_perf_latest callback is handed (the host's
     * struct); daily_perf_get and _prev write, and daily_perf_upsert reads,
     * only the fields above it, so a plugin built against ABI 1.3 keeps
     * working (an upsert stores no metrics). */
    const char   *metrics;
};

/* system_state */
enum jutsu_state_type { JUTSU_STATE_STRING = 0, JUTSU_STATE_INT, JUTSU_STATE_JSON,
                        JUTSU_STATE_DATETIME };

/* config_overrides and config_history */
struct jutsu_override_row {
    int64_t       id;
    const char   *strategy_id;
    const char   *parameter_name;
    const char   *original_value, *override_value;
    const char   *value_type;     /* int, float, decimal, bool, str */
    int32_t       is_active;
    const char   *reason;
    jutsu_time_t  created_at, deactivated_at;
};

struct jutsu_history_row {
    int64_t       id;
    const char   *strategy_id, *parameter_name;
    const char   *old_value, *new_value;
    const char   *change_type;    /* override, restore, update */
    const char   *changed_by, *reason;
    jutsu_time_t  ts;
};

/* users */
struct jutsu_user_row {
    int64_t       id;
    const char   *username, *password_hash, *email;
    const char   *role;           /* admin, viewer */
    int32_t       is_active;
    int32_t       failed_login_count;
    jutsu_time_t  locked_until;   /* 0: not locked */
    const char   *totp_secret;
    int32_t       totp_enabled;
    const char   *backup_codes;   /* JSON */
    jutsu_time_t  last_login, created_at;
};

struct jutsu_passkey_row {
    int64_t       id, user_id;
    const void   *credential_id;  size_t credential_id_len;
    const void   *public_key;     size_t public_key_len;
    int64_t       sign_count;
    const char   *device_name, *aaguid;
    jutsu_time_t  created_at, last_used_at;
};

struct jutsu_invitation_row {
    int64_t       id;
    const char   *email, *token, *role;
    int64_t       created_by;     /* 0: none */
    jutsu_time_t  created_at, expires_at, accepted_at;
    int64_t       accepted_by;    /* 0: none */
};

/* eod_job_status */
struct jutsu_eod_status_row {
    jutsu_date_t  job_date;
    jutsu_time_t  started_at, completed_at;               /* 0: NULL */
    const char   *status;         /* running, completed, failed, partial */
    int32_t       strategies_total, strategies_processed;
    int32_t       baselines_total, baselines_processed;
    const char   *error_message;
    int32_t       retry_count;
};

/* Since ABI 1.3: what a listing read (trades_query, snapshots_query,
 * positions_query) selects. These are the reports' reads: unlike the
 * calls above, strategy_id and mode may be left out (every strategy,
 * both modes) because each row handed out names its strategy and mode.
 * Zero the struct and set size = sizeof(struct jutsu_query); a field
 * added later is read only when size covers it. */
struct jutsu_query {
    uint32_t      size;
    const char   *strategy_id;    /* NULL or "": every strategy             */
    const char   *mode;           /* NULL or "": both modes                 */
    const char   *symbol;         /* trades, positions; NULL or "": all     */
    jutsu_time_t  from, to;       /* inclusive; 0: unbounded on that side   */
    int64_t       offset;         /* rows skipped (>= 0)                    */
    int64_t       limit;          /* at most this many rows; 0: no bound    */
    /* Keyset paging for long walks (a CSV export): when before_id > 0 only
     * rows strictly older than (before_ts, before_id) in the read's
     * newest-first order; the last row of a page is the next page's key. */
    jutsu_time_t  before_ts;
    int64_t       before_id;
};

/* Callbacks of range reads: return nonzero to stop early (that value is
 * returned by the read). */
typedef int (*jutsu_bar_fn)(const struct jutsu_bar_row *row, void *arg);
typedef int (*jutsu_row_fn)(const void *row, void *arg);

struct jutsu_data {
    uint32_t size;

    /* sessions and transactions */
    int  (*open)(jutsu_ctx *ctx, jutsu_dbs **out);
    void (*close)(jutsu_dbs *s);
    int  (*begin)(jutsu_dbs *s);
    int  (*commit)(jutsu_dbs *s);
    int  (*rollback)(jutsu_dbs *s);
    const char *(*last_error)(jutsu_dbs *s);

    /* market data */
    int (*bars_upsert)(jutsu_dbs *s, const struct jutsu_bar_row *rows, size_t n,
                       int64_t *inserted, int64_t *skipped);
    int (*bars_range)(jutsu_dbs *s, const char *symbol, const char *timeframe,
                      jutsu_time_t from, jutsu_time_t to, int valid_only,
                      jutsu_bar_fn fn, void *arg);
    int (*metadata_get)(jutsu_dbs *s, const char *symbol, const char *timeframe,
                        struct jutsu_metadata_row *out);
    int (*metadata_upsert)(jutsu_dbs *s, const struct jutsu_metadata_row *row);
    int (*audit_add)(jutsu_dbs *s, const struct jutsu_audit_row *row);

    /* trading: always one strategy and one mode */
    int (*trade_insert)(jutsu_dbs *s, const struct jutsu_trade_row *row, int64_t *id);
    int (*trades_range)(jutsu_dbs *s, const char *strategy_id, const char *mode,
                        jutsu_time_t from, jutsu_time_t to, jutsu_row_fn fn, void *arg);
    int (*position_get)(jutsu_dbs *s, const char *strategy_id, const char *mode,
                        const char *symbol, struct jutsu_position_row *out);
    int (*positions_list)(jutsu_dbs *s, const char *strategy_id, const char *mode,
                          jutsu_row_fn fn, void *arg);
    int (*position_upsert)(jutsu_dbs *s, const struct jutsu_position_row *row);
    int (*snapshot_upsert)(jutsu_dbs *s, const struct jutsu_snapshot_row *row);
    int (*snapshots_range)(jutsu_dbs *s, const char *strategy_id, const char *mode,
                           jutsu_time_t from, jutsu_time_t to, jutsu_row_fn fn, void *arg);
    int (*daily_perf_upsert)(jutsu_dbs *s, const struct jutsu_daily_perf_row *row);
    int (*daily_perf_get)(jutsu_dbs *s, const char *entity_type, const char *entity_id,
                          const char *mode, jutsu_date_t date, struct jutsu_daily_perf_row *out);
    /* the latest row strictly before `date` (the previous trading day's) */
    int (*daily_perf_prev)(jutsu_dbs *s, const char *entity_type, const char *entity_id,
                           const char *mode, jutsu_date_t date, struct jutsu_daily_perf_row *out);
    int (*daily_perf_range)(jutsu_dbs *s, const char *entity_type, const char *entity_id,
                            const char *mode, jutsu_date_t from, jutsu_date_t to,
                            jutsu_row_fn fn, void *arg);

    /* system state: typed key/value */
    int (*state_get)(jutsu_dbs *s, const char *key, int *type, const char **value);
    int (*state_set)(jutsu_dbs *s, const char *key, int type, const char *value);

    /* config overrides; each change writes config_history in the same transaction */
    int (*override_set)(jutsu_dbs *s, const struct jutsu_override_row *row,
                        const char *changed_by);
    int (*override_unset)(jutsu_dbs *s, const char *strategy_id, const char *parameter,
                          const char *changed_by, const char *reason);
    int (*overrides_active)(jutsu_dbs *s, const char *strategy_id, jutsu_row_fn fn, void *arg);
    int (*history_range)(jutsu_dbs *s, const char *strategy_id, const char *parameter,
                         jutsu_row_fn fn, void *arg);

    /* users and their credentials */
    int (*user_create)(jutsu_dbs *s, const struct jutsu_user_row *row, int64_t *id);
    int (*user_get)(jutsu_dbs *s, int64_t id, const char *username, struct jutsu_user_row *out);
    int (*user_update)(jutsu_dbs *s, const struct jutsu_user_row *row);
    int (*user_delete)(jutsu_dbs *s, int64_t id);           /* passkeys cascade */
    int (*users_list)(jutsu_dbs *s, jutsu_row_fn fn, void *arg);
    int (*passkey_add)(jutsu_dbs *s, const struct jutsu_passkey_row *row, int64_t *id);
    int (*passkeys_list)(jutsu_dbs *s, int64_t user_id, jutsu_row_fn fn, void *arg);
    int (*passkey_get)(jutsu_dbs *s, const void *credential_id, size_t len,
                       struct jutsu_passkey_row *out);
    int (*passkey_touch)(jutsu_dbs *s, int64_t id, int64_t sign_count, jutsu_time_t used_at);
    int (*passkey_delete)(jutsu_dbs *s, int64_t id);
    int (*token_blacklist)(jutsu_dbs *s, const char *jti, const char *token_type,
                           jutsu_time_t expires_at, int64_t user_id);
    int (*token_is_blacklisted)(jutsu_dbs *s, const char *jti, int *yes);
    int (*invitation_create)(jutsu_dbs *s, const struct jutsu_invitation_row *row, int64_t *id);
    int (*invitation_get)(jutsu_dbs *s, const char *token, struct jutsu_invitation_row *out);
    int (*invitation_accept)(jutsu_dbs *s, const char *token, int64_t user_id, jutsu_time_t at);

    /* the EOD job's bookkeeping */
    int (*eod_status_get)(jutsu_dbs *s, jutsu_date_t date, struct jutsu_eod_status_row *out);
    int (*eod_status_upsert)(jutsu_dbs *s, const struct jutsu_eod_status_row *row);
    int (*eod_status_range)(jutsu_dbs *s, jutsu_date_t from, jutsu_date_t to,
                            jutsu_row_fn fn, void *arg);

    /* Since ABI 1.1: the last failure in its parts, for a plugin that shows
     * them apart: the message alone, the detail (what the database said
     * about the row or value) and the hint (what a person can do); "" when
     * there is none. last_error() keeps its 1.0 meaning, the three on one
     * line. Only a plugin that declares abi_minor 0 (to load on 1.0 hosts
     * too) checks first: JUTSU_OPS_HAS(data, jutsu_data, last_error_hint);
     * a 1.0 host refuses a plugin of minor 1. */
    const char *(*last_error_message)(jutsu_dbs *s);
    const char *(*last_error_detail)(jutsu_dbs *s);
    const char *(*last_error_hint)(jutsu_dbs *s);

    /* Since ABI 1.2: whether the schema is at the revision this host
     * knows as its newest (*current 1), with the applied and newest
     * revision names ("base" before any); for readiness checks. */
    int (*schema_status)(jutsu_dbs *s, int *current, const char **applied, const char **head);

    /* Since ABI 1.3: the reads of the REST API's lists. A plugin that
     * declares an older minor checks JUTSU_OPS_HAS(data, jutsu_data,
     * bars_page) first.
     *
     * trade_get: one live_trades row by id; JUTSU_ENOENT if none (text
     * valid until the next call on the session). */
    int (*trade_get)(jutsu_dbs *s, int64_t id, struct jutsu_trade_row *out);
    /* trades_query: the trades q selects, newest first (timestamp, then
     * id, descending), offset and limit applied, each handed to fn as a
     * struct jutsu_trade_row. *total (may be NULL) is set to how many rows
     * match without offset, limit and keyset. Refuses a q->size it does
     * not know, a bad mode, a negative offset or limit (JUTSU_EINVAL). */
    int (*trades_query)(jutsu_dbs *s, const struct jutsu_query *q, jutsu_row_fn fn, void *arg,
                        int64_t *total);
    /* snapshots_query: performance_snapshots, the same way (newest first;
     * q->symbol is ignored). */
    int (*snapshots_query)(jutsu_dbs *s, const struct jutsu_query *q, jutsu_row_fn fn,
                           void *arg, int64_t *total);
    /* positions_query: positions by strategy, mode and symbol (q's from,
     * to and keyset are ignored), with *total like trades_query. */
    int (*positions_query)(jutsu_dbs *s, const struct jutsu_query *q, jutsu_row_fn fn,
                           void *arg, int64_t *total);
    /* daily_perf_latest: an entity's rows dated on or before `to`, newest
     * first, at most `limit` (> 0): "the last N days". */
    int (*daily_perf_latest)(jutsu_dbs *s, const char *entity_type, const char *entity_id,
                             const char *mode, jutsu_date_t to, int64_t limit,
                             jutsu_row_fn fn, void *arg);
    /* bars_page: bars_range (every bar, valid or not, oldest first) with
     * offset and limit (0: none); *total (may be NULL) counts the bars in
     * the range. */
    int (*bars_page)(jutsu_dbs *s, const char *symbol, const char *timeframe,
                     jutsu_time_t from, jutsu_time_t to, int64_t offset, int64_t limit,
                     jutsu_bar_fn fn, void *arg, int64_t *total);

    const void *reserved[6];   /* zero; appended slots come here */
};

#endif
