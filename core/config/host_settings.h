/*
 * core/config/host_settings.h — the host's own settings as the rooms read
 * them: one struct per map of the host schema (core/config/host_schema.c),
 * filled from the validated config in one call.
 *
 * The schema is the only place in the host that knows a setting's default
 * (the bus library keeps its own for callers without a config): its keys
 * carry the offset of their field here (JUTSU_CFG_*_AT), validation fills
 * what the file leaves out, and jutsu_settings_fill copies every section
 * into its struct. A room reads jutsu_app_settings(app)->sync.batch_size,
 * never the tree with a default of its own.
 *
 * Lists and free-form maps (exchange.closures, sync.symbols, eod.baselines,
 * scheduler.jobs, plugins) stay in the tree: their owners read them there.
 * Strings point into the config tree and live as long as it does.
 */
#ifndef JUTSU_CORE_CONFIG_HOST_SETTINGS_H
#define JUTSU_CORE_CONFIG_HOST_SETTINGS_H

#include <stddef.h>
#include <stdint.h>

#include "jutsu/money.h"
#include "config/cfg.h"

struct jutsu_settings_log {
    int level;                  /* JUTSU_LOG_ERROR .. JUTSU_LOG_TRACE          */
    int format;                 /* JUTSU_LOG_TEXT, _JSON, _JOURNAL; -1: auto   */
};

struct jutsu_settings_exchange {
    const char *timezone;
    int         builtin_closures;
};

struct jutsu_settings_bus {
    int64_t queue_size;
    int     full_policy;        /* index of bus.full_policy's choices:
                                   0 block, 1 drop_newest (enum jutsu_bus_policy) */
    int64_t block_timeout_ms;
    int64_t shutdown_timeout_ms;
};

struct jutsu_settings_database {
    int         auto_upgrade;
    int         backup_before_upgrade;
    const char *backup_dir;
};

struct jutsu_settings_sync {
    const char *history_start;  /* YYYY-MM-DD, checked when the config loads  */
    int64_t     batch_size;
};

struct jutsu_settings_eod {
    int64_t lookback_days;
    int64_t stuck_after_minutes;
};

struct jutsu_settings_scheduler {
    int     enabled;
    int64_t grace_minutes;
};

struct jutsu_settings_trading {
    jutsu_money_t commission_per_share;
    jutsu_money_t slippage;
    int64_t       order_timeout_s;
    int64_t       poll_interval_ms;
};

struct jutsu_settings_auth {
    const char *secret_key_file;  /* signing and sealing keys, 0600      */
    int64_t     access_ttl_s;
    int64_t     refresh_ttl_s;
    int64_t     challenge_ttl_s;  /* a login between its two factors     */
    int64_t     lockout_threshold;
    int64_t     lockout_minutes;
    int64_t     invitation_hours;
    const char *public_url;       /* base of invitation links; "" : none */
    int64_t     cache_ms;         /* how long a token check is reused    */
};

struct jutsu_settings_backtest {
    int64_t max_concurrent;       /* backtests on request running at once */
    int64_t max_seconds;          /* each one's bound on its run time     */
};

struct jutsu_settings {
    struct jutsu_settings_log       log;
    struct jutsu_settings_exchange  exchange;
    struct jutsu_settings_bus       bus;
    struct jutsu_settings_database  database;
    struct jutsu_settings_sync      sync;
    struct jutsu_settings_eod       eod;
    struct jutsu_settings_scheduler scheduler;
    struct jutsu_settings_trading   trading;
    struct jutsu_settings_auth      auth;
    struct jutsu_settings_backtest  backtest;
};

/* The host's own schema: every key of jutsu.yaml outside the plugins'
 * `config:` maps (core/config/host_schema.c). */
extern const struct jutsu_cfg_key jutsu_host_schema[];

/* Fills *out from `root`, a config validated against jutsu_host_schema
 * (every section is then present, defaults filled in). 0, or
 * JUTSU_EINVAL with the reason in err (a tree that was not validated). */
int jutsu_settings_fill(const jutsu_cfg_node *root, struct jutsu_settings *out, char *err,
                        size_t errsz);

#endif
