/*
 * core/store/data_api.h — the data API's functions as the host calls them. Each
 * is also a slot of struct jutsu_data (include/jutsu/data.h, where the
 * contract is documented) under the same name without the prefix.
 */
#ifndef JUTSU_CORE_DATA_API_H
#define JUTSU_CORE_DATA_API_H

#include "jutsu/data.h"

int jutsu_data_bars_upsert(jutsu_dbs *s, const struct jutsu_bar_row *rows, size_t n,
                           int64_t *inserted, int64_t *skipped);
int jutsu_data_bars_range(jutsu_dbs *s, const char *symbol, const char *timeframe,
                          jutsu_time_t from, jutsu_time_t to, int valid_only, jutsu_bar_fn fn,
                          void *arg);
int jutsu_data_metadata_get(jutsu_dbs *s, const char *symbol, const char *timeframe,
                            struct jutsu_metadata_row *out);
int jutsu_data_metadata_upsert(jutsu_dbs *s, const struct jutsu_metadata_row *row);
int jutsu_data_audit_add(jutsu_dbs *s, const struct jutsu_audit_row *row);
int jutsu_data_trade_insert(jutsu_dbs *s, const struct jutsu_trade_row *row, int64_t *id);
int jutsu_data_trades_range(jutsu_dbs *s, const char *strategy_id, const char *mode,
                            jutsu_time_t from, jutsu_time_t to, jutsu_row_fn fn, void *arg);
int jutsu_data_position_get(jutsu_dbs *s, const char *strategy_id, const char *mode,
                            const char *symbol, struct jutsu_position_row *out);
int jutsu_data_positions_list(jutsu_dbs *s, const char *strategy_id, const char *mode,
                              jutsu_row_fn fn, void *arg);
int jutsu_data_position_upsert(jutsu_dbs *s, const struct jutsu_position_row *row);
int jutsu_data_snapshot_upsert(jutsu_dbs *s, const struct jutsu_snapshot_row *row);
int jutsu_data_snapshots_range(jutsu_dbs *s, const char *strategy_id, const char *mode,
                               jutsu_time_t from, jutsu_time_t to, jutsu_row_fn fn, void *arg);
int jutsu_data_daily_perf_upsert(jutsu_dbs *s, const struct jutsu_daily_perf_row *row);
int jutsu_data_daily_perf_get(jutsu_dbs *s, const char *entity_type, const char *entity_id,
                              const char *mode, jutsu_date_t date,
                              struct jutsu_daily_perf_row *out);
int jutsu_data_daily_perf_prev(jutsu_dbs *s, const char *entity_type, const char *entity_id,
                               const char *mode, jutsu_date_t date,
                               struct jutsu_daily_perf_row *out);
int jutsu_data_daily_perf_range(jutsu_dbs *s, const char *entity_type, const char *entity_id,
                                const char *mode, jutsu_date_t from, jutsu_date_t to,
                                jutsu_row_fn fn, void *arg);
int jutsu_data_state_get(jutsu_dbs *s, const char *key, int *type, const char **value);
int jutsu_data_state_set(jutsu_dbs *s, const char *key, int type, const char *value);
int jutsu_data_override_set(jutsu_dbs *s, const struct jutsu_override_row *row,
                            const char *changed_by);
int jutsu_data_override_unset(jutsu_dbs *s, const char *strategy_id, const char *parameter,
                              const char *changed_by, const char *reason);
int jutsu_data_overrides_active(jutsu_dbs *s, const char *strategy_id, jutsu_row_fn fn, void *arg);
int jutsu_data_history_range(jutsu_dbs *s, const char *strategy_id, const char *parameter,
                             jutsu_row_fn fn, void *arg);
/* A number that grows with every write this process makes to users,
 * passkeys or blacklisted_tokens: a cache of them compares it. */
uint64_t jutsu_data_users_generation(void);
int jutsu_data_user_create(jutsu_dbs *s, const struct jutsu_user_row *row, int64_t *id);
int jutsu_data_user_get(jutsu_dbs *s, int64_t id, const char *username, struct jutsu_user_row *out);
int jutsu_data_user_update(jutsu_dbs *s, const struct jutsu_user_row *row);
int jutsu_data_user_delete(jutsu_dbs *s, int64_t id);
int jutsu_data_users_list(jutsu_dbs *s, jutsu_row_fn fn, void *arg);
int jutsu_data_passkey_add(jutsu_dbs *s, const struct jutsu_passkey_row *row, int64_t *id);
int jutsu_data_passkeys_list(jutsu_dbs *s, int64_t user_id, jutsu_row_fn fn, void *arg);
int jutsu_data_passkey_get(jutsu_dbs *s, const void *credential_id, size_t len,
                           struct jutsu_passkey_row *out);
int jutsu_data_passkey_touch(jutsu_dbs *s, int64_t id, int64_t sign_count, jutsu_time_t used_at);
int jutsu_data_passkey_delete(jutsu_dbs *s, int64_t id);
int jutsu_data_token_blacklist(jutsu_dbs *s, const char *jti, const char *token_type,
                               jutsu_time_t expires_at, int64_t user_id);
int jutsu_data_token_is_blacklisted(jutsu_dbs *s, const char *jti, int *yes);
int jutsu_data_invitation_create(jutsu_dbs *s, const struct jutsu_invitation_row *row, int64_t *id);
int jutsu_data_invitation_get(jutsu_dbs *s, const char *token, struct jutsu_invitation_row *out);
int jutsu_data_invitation_accept(jutsu_dbs *s, const char *token, int64_t user_id, jutsu_time_t at);
int jutsu_data_eod_status_get(jutsu_dbs *s, jutsu_date_t date, struct jutsu_eod_status_row *out);
int jutsu_data_eod_status_upsert(jutsu_dbs *s, const struct jutsu_eod_status_row *row);
int jutsu_data_eod_status_range(jutsu_dbs *s, jutsu_date_t from, jutsu_date_t to, jutsu_row_fn fn,
                                void *arg);
/* ABI 1.3: the REST API's listing reads */
int jutsu_data_trade_get(jutsu_dbs *s, int64_t id, struct jutsu_trade_row *out);
int jutsu_data_trades_query(jutsu_dbs *s, const struct jutsu_query *q, jutsu_row_fn fn,
                            void *arg, int64_t *total);
int jutsu_data_snapshots_query(jutsu_dbs *s, const struct jutsu_query *q, jutsu_row_fn fn,
                               void *arg, int64_t *total);
int jutsu_data_positions_query(jutsu_dbs *s, const struct jutsu_query *q, jutsu_row_fn fn,
                               void *arg, int64_t *total);
int jutsu_data_daily_perf_latest(jutsu_dbs *s, const char *entity_type, const char *entity_id,
                                 const char *mode, jutsu_date_t to, int64_t limit,
                                 jutsu_row_fn fn, void *arg);
int jutsu_data_bars_page(jutsu_dbs *s, const char *symbol, const char *timeframe,
                         jutsu_time_t from, jutsu_time_t to, int64_t offset, int64_t limit,
                         jutsu_bar_fn fn, void *arg, int64_t *total);

/* Host-only (not in the plugin vtable): the spec's retention, in one transaction.
 * Deletes performance_snapshots older than 365 days before `now` and
 * blacklisted_tokens that expired more than 30 days before `now`. */
int jutsu_data_prune(jutsu_dbs *s, jutsu_time_t now, int64_t *snapshots_deleted,
                     int64_t *tokens_deleted);

/* The data vtable's daily_perf_get, _prev and _upsert: the same calls on
 * the fields of a row up to `metrics` (ABI 1.4) only, which a plugin built
 * against ABI 1.3 has no room for (jutsu/data.h). An upsert stores no
 * metrics. */
int jutsu_data_daily_perf_get_1_3(jutsu_dbs *s, const char *entity_type, const char *entity_id,
                                  const char *mode, jutsu_date_t date,
                                  struct jutsu_daily_perf_row *out);
int jutsu_data_daily_perf_prev_1_3(jutsu_dbs *s, const char *entity_type, const char *entity_id,
                                   const char *mode, jutsu_date_t date,
                                   struct jutsu_daily_perf_row *out);
int jutsu_data_daily_perf_upsert_1_3(jutsu_dbs *s, const struct jutsu_daily_perf_row *row);

/* Host-only: daily_perf_upsert that also says whether the row changed:
 * *changed is 0 when an existing row already held exactly these values
 * (it is then left alone, finalized_at included), 1 when it was inserted
 * or updated. */
int jutsu_data_daily_perf_put(jutsu_dbs *s, const struct jutsu_daily_perf_row *row,
                              int *changed);

/* Host-only: rows added many per statement to a store that holds none of
 * their keys yet (a backtest's), each checked as the upsert checks it;
 * see jutsu_row_bulk_* in core/store/row.h, whose _end ends either. */
struct jutsu_row_bulk;
int jutsu_data_daily_perf_bulk_begin(jutsu_dbs *s, struct jutsu_row_bulk **out);
int jutsu_data_daily_perf_bulk_row(jutsu_dbs *s, struct jutsu_row_bulk *w,
                                   const struct jutsu_daily_perf_row *row);
int jutsu_data_snapshot_bulk_begin(jutsu_dbs *s, struct jutsu_row_bulk **out);
int jutsu_data_snapshot_bulk_row(jutsu_dbs *s, struct jutsu_row_bulk *w,
                                 const struct jutsu_snapshot_row *row);

/* Host-only: the newest valid bar of (symbol, timeframe) strictly before
 * `before`: its time and close. JUTSU_ENOENT if there is none. */
int jutsu_data_close_before(jutsu_dbs *s, const char *symbol, const char *timeframe,
                            jutsu_time_t before, jutsu_time_t *ts, jutsu_money_t *close);

/* Host-only: the strategy's newest snapshot at or before an instant (one
 * per instant: the key is unique). JUTSU_ENOENT if there is none. Text
 * fields live until the next call on the session. */
int jutsu_data_snapshot_latest(jutsu_dbs *s, const char *strategy_id, const char *mode,
                               jutsu_time_t at_or_before, struct jutsu_snapshot_row *out);

/* Host-only: removes a closed position (0 if there was none). */
int jutsu_data_position_delete(jutsu_dbs *s, const char *strategy_id, const char *mode,
                               const char *symbol);

/* Host-only: every data_metadata row, by symbol and timeframe. */
int jutsu_data_metadata_list(jutsu_dbs *s, int (*fn)(const struct jutsu_metadata_row *, void *),
                             void *arg);

/* Host-only: bars_range of the valid bars with only ts, open, high, low,
 * close and volume read (every other field of the rows handed to fn NULL):
 * what a price book keeps of each bar. */
int jutsu_data_bars_prices(jutsu_dbs *s, const char *symbol, const char *timeframe,
                           jutsu_time_t from, jutsu_time_t to, jutsu_bar_fn fn, void *arg);

/* Host-only: daily_perf_range with only trading_date, total_equity,
 * drawdown, the KPI columns (sharpe_ratio .. cagr, win_rate) and the trade
 * counts read; every other field of the rows handed to fn is NULL. For a
 * reader of the series (a backtest's answer) that would otherwise decode
 * all 45 columns of every row. */
int jutsu_data_daily_perf_kpis(jutsu_dbs *s, const char *entity_type, const char *entity_id,
                               const char *mode, jutsu_date_t from, jutsu_date_t to,
                               jutsu_row_fn fn, void *arg);

/* Host-only: the `metrics` text of each row of daily_perf_range's range
 * that has one, oldest first, handed to fn until it returns nonzero
 * (returned) or the rows end (0); the text is the driver's until fn
 * returns. For a reader that needs the metrics' names before the rows
 * (`perf show`'s header), without reading the rest of each row twice. */
int jutsu_data_daily_perf_metrics(jutsu_dbs *s, const char *entity_type, const char *entity_id,
                                  const char *mode, jutsu_date_t from, jutsu_date_t to,
                                  int (*fn)(const char *metrics, void *arg), void *arg);

/* daily_performance's columns (core/store/row.h), for the KPI host: which
 * columns a KPI may fill (JUTSU_COL_KPI), and their types and scales. */
struct jutsu_table;
extern const struct jutsu_table jutsu_daily_perf_table;

#endif
