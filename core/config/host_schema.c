/*
 * core/config/host_schema.c — the keys of jutsu.yaml that the host itself reads.
 *
 * Plugins' keys live in their own schemas, under each instance's
 * `config:`; this table is everything else. docs/config.md is written
 * from it (`jutsu plugins describe host` prints it).
 */
#include <stddef.h>
#include <string.h>

#include "jutsu/error.h"
#include "base/log.h"
#include "config/host_settings.h"

static const char *const log_levels[]  = { "error", "warn", "info", "debug", "trace", NULL };
static const int log_level_values[] = { JUTSU_LOG_ERROR, JUTSU_LOG_WARN, JUTSU_LOG_INFO,
                                        JUTSU_LOG_DEBUG, JUTSU_LOG_TRACE };
static const char *const log_formats[] = { "auto", "text", "json", "journal", NULL };
static const int log_format_values[] = { -1, JUTSU_LOG_TEXT, JUTSU_LOG_JSON, JUTSU_LOG_JOURNAL };
/* the index is the policy: enum jutsu_bus_policy's order (host/app.c checks) */
static const char *const bus_policies[] = { "block", "drop_newest", NULL };

#define LOG struct jutsu_settings_log
static const struct jutsu_cfg_key log_schema[] = {
    JUTSU_CFG_ENUM_AT("level", log_levels, log_level_values, "info",
                      "Least severe level written", LOG, level),
    JUTSU_CFG_ENUM_AT("format", log_formats, log_format_values, "auto",
                      "Line format: auto = journal under systemd, text otherwise", LOG, format),
    JUTSU_CFG_END
};
#undef LOG

static const struct jutsu_cfg_key closure_schema[] = {
    JUTSU_CFG_REQ("date", JUTSU_CFG_STR, "The closed day, YYYY-MM-DD"),
    JUTSU_CFG_KEY("reason", JUTSU_CFG_STR, "ad-hoc closure", "Why the exchange is closed"),
    JUTSU_CFG_END
};

#define EX struct jutsu_settings_exchange
static const struct jutsu_cfg_key exchange_schema[] = {
    JUTSU_CFG_KEY_AT("timezone", JUTSU_CFG_STR, "America/New_York",
                     "Exchange time zone, a name from the system tz database", EX, timezone),
    JUTSU_CFG_KEY_AT("builtin_closures", JUTSU_CFG_BOOL, "true",
                     "Include the built-in ad-hoc NYSE closures (2001-09-11, Sandy, funerals...)",
                     EX, builtin_closures),
    { .name = "closures", .type = JUTSU_CFG_LIST, .elem = JUTSU_CFG_MAP, .sub = closure_schema,
      .help = "More days the exchange was or will be closed" },
    { .name = "reopen", .type = JUTSU_CFG_LIST, .elem = JUTSU_CFG_STR,
      .help = "Dates (YYYY-MM-DD) to take out of the built-in closure table" },
    JUTSU_CFG_END
};
#undef EX

static const struct jutsu_cfg_key sync_schema[] = {
    { .name = "symbols", .type = JUTSU_CFG_LIST, .elem = JUTSU_CFG_STR,
      .help = "Symbols the sync job keeps up to date" },
    { .name = "timeframes", .type = JUTSU_CFG_LIST, .elem = JUTSU_CFG_STR,
      .help = "Timeframes to sync (1D, 1H, 5m, 15m); default 1D" },
    { .name = "sources", .type = JUTSU_CFG_LIST, .elem = JUTSU_CFG_STR,
      .help = "Source instances in priority order (fail-over); default: all, in file order" },
    JUTSU_CFG_KEY_AT("history_start", JUTSU_CFG_STR, "2010-01-01",
                     "Where a full-history sync of a new symbol starts (YYYY-MM-DD)",
                     struct jutsu_settings_sync, history_start),
    JUTSU_CFG_INT_RANGE_AT("batch_size", "50000", 100, 10000000,
                           "Bars written per transaction (the resume point after a crash)",
                           struct jutsu_settings_sync, batch_size),
    JUTSU_CFG_END
};

#define BUS struct jutsu_settings_bus
static const struct jutsu_cfg_key bus_schema[] = {
    JUTSU_CFG_INT_RANGE_AT("queue_size", "65536", 16, 16777216,
                           "Events the bus queue holds before the full-queue policy applies",
                           BUS, queue_size),
    JUTSU_CFG_ENUM_AT("full_policy", bus_policies, NULL, "block",
                      "At a full queue: block (up to block_timeout_ms, then drop) or drop_newest",
                      BUS, full_policy),
    JUTSU_CFG_INT_RANGE_AT("block_timeout_ms", "1000", 0, 60000,
                           "How long a publisher waits for room under the block policy",
                           BUS, block_timeout_ms),
    JUTSU_CFG_INT_RANGE_AT("shutdown_timeout_ms", "5000", 0, 600000,
                           "How long shutdown waits to deliver queued events",
                           BUS, shutdown_timeout_ms),
    JUTSU_CFG_END
};
#undef BUS

static const struct jutsu_cfg_key database_schema[] = {
    JUTSU_CFG_KEY("type", JUTSU_CFG_STR, NULL,
                  "sqlite or postgresql (env DATABASE_TYPE); unset: no storage"),
    { .name = "url", .type = JUTSU_CFG_STR, .flags = JUTSU_CFG_SECRET,
      .help = "postgresql://user:pass@host:port/db or sqlite:///path (env DATABASE_URL)" },
    JUTSU_CFG_KEY("sqlite", JUTSU_CFG_ANY, NULL,
                  "Config of the storage-sqlite driver (see plugins describe storage-sqlite)"),
    JUTSU_CFG_KEY("postgresql", JUTSU_CFG_ANY, NULL,
                  "Config of the storage-postgres driver (env POSTGRES_*)"),
    JUTSU_CFG_KEY_AT("auto_upgrade", JUTSU_CFG_BOOL, "true",
                     "serve upgrades the schema to the newest revision on start",
                     struct jutsu_settings_database, auto_upgrade),
    JUTSU_CFG_KEY_AT("backup_before_upgrade", JUTSU_CFG_BOOL, "true",
                     "Back up a database that holds data before upgrading its schema",
                     struct jutsu_settings_database, backup_before_upgrade),
    JUTSU_CFG_PATH_AT("backup_dir", 0, "var/backups",
                      "Where automatic backups are written (relative: to the config file's "
                      "directory)", struct jutsu_settings_database, backup_dir),
    JUTSU_CFG_END
};

static const char *const trade_modes[] = { "offline_mock", "online_live", NULL };

static const struct jutsu_cfg_key baseline_schema[] = {
    JUTSU_CFG_REQ("id", JUTSU_CFG_STR, "The baseline's entity id in daily_performance (<= 50)"),
    JUTSU_CFG_KEY("symbol", JUTSU_CFG_STR, NULL, "The symbol bought and held (default: the id)"),
    JUTSU_CFG_KEY("initial_capital", JUTSU_CFG_MONEY, "10000",
                  "Equity on the first day; equity = initial_capital x close / first close"),
    { .name = "mode", .type = JUTSU_CFG_ENUM, .def = "offline_mock", .choices = trade_modes,
      .help = "The mode its rows are filed under, to sit beside the strategies of that mode" },
    JUTSU_CFG_END
};

static const struct jutsu_cfg_key eod_schema[] = {
    JUTSU_CFG_INT_RANGE_AT("lookback_days", "7", 0, 366,
                           "Trading days before the run's date checked for missed, failed or "
                           "stuck days, which are finalised first, oldest first",
                           struct jutsu_settings_eod, lookback_days),
    JUTSU_CFG_INT_RANGE_AT("stuck_after_minutes", "60", 1, 10080,
                           "A day left 'running' longer than this is taken as crashed and "
                           "redone", struct jutsu_settings_eod, stuck_after_minutes),
    { .name = "baselines", .type = JUTSU_CFG_LIST, .elem = JUTSU_CFG_MAP, .sub = baseline_schema,
      .help = "Buy-and-hold baselines; absent: QQQ with 10,000 (an empty list: none)" },
    JUTSU_CFG_END
};

static const struct jutsu_cfg_key sched_job_schema[] = {
    JUTSU_CFG_KEY("enabled", JUTSU_CFG_BOOL, "true", "false: serve never runs this job"),
    JUTSU_CFG_KEY("at", JUTSU_CFG_STR, NULL,
                  "Exchange wall time HH:MM (America/New_York); default per job"),
    JUTSU_CFG_KEY("early_close_at", JUTSU_CFG_STR, NULL,
                  "Exchange wall time HH:MM on early-close days (13:00 closes)"),
    JUTSU_CFG_END
};

static const struct jutsu_cfg_key sched_jobs_schema[] = {
    { .name = "sync", .type = JUTSU_CFG_MAP, .sub = sched_job_schema,
      .help = "Market-data sync after the close (default 16:05, early close 13:05)" },
    { .name = "paper", .type = JUTSU_CFG_MAP, .sub = sched_job_schema,
      .help = "Paper history of strategies with paper_since (default 16:10, early close 13:10)" },
    { .name = "eod", .type = JUTSU_CFG_MAP, .sub = sched_job_schema,
      .help = "End-of-day finalisation (default 16:15, early close 13:15)" },
    { .name = "trading", .type = JUTSU_CFG_MAP, .sub = sched_job_schema,
      .help = "The trading job (default 15:55, early close 12:55)" },
    { .name = "prune", .type = JUTSU_CFG_MAP, .sub = sched_job_schema,
      .help = "Retention pruning, every day (default 03:00)" },
    JUTSU_CFG_END
};

static const struct jutsu_cfg_key sched_schema[] = {
    JUTSU_CFG_KEY_AT("enabled", JUTSU_CFG_BOOL, "true", "false: serve runs no scheduled job",
                     struct jutsu_settings_scheduler, enabled),
    JUTSU_CFG_INT_RANGE_AT("grace_minutes", "30", 0, 1440,
                           "A slot missed by less than this still runs, late; beyond it only "
                           "catch-up jobs (sync, paper, eod) run",
                           struct jutsu_settings_scheduler, grace_minutes),
    { .name = "jobs", .type = JUTSU_CFG_MAP, .sub = sched_jobs_schema,
      .help = "Per job: enabled, at, early_close_at" },
    JUTSU_CFG_END
};

#define TR struct jutsu_settings_trading
static const struct jutsu_cfg_key trading_schema[] = {
    JUTSU_CFG_KEY_AT("commission_per_share", JUTSU_CFG_MONEY, "0.01",
                     "Simulated fills (offline_mock, backtests): commission per share",
                     TR, commission_per_share),
    JUTSU_CFG_KEY_AT("slippage", JUTSU_CFG_MONEY, "0.001",
                     "Simulated fills: the fraction a buy pays above, a sell gets below, the "
                     "price", TR, slippage),
    JUTSU_CFG_INT_RANGE_AT("order_timeout_s", "120", 1, 3600,
                           "online_live: an order not filled by then is cancelled",
                           TR, order_timeout_s),
    JUTSU_CFG_INT_RANGE_AT("poll_interval_ms", "1000", 50, 60000,
                           "online_live: how often an order's status is asked for",
                           TR, poll_interval_ms),
    JUTSU_CFG_END
};
#undef TR

#define AU struct jutsu_settings_auth
static const struct jutsu_cfg_key auth_schema[] = {
    JUTSU_CFG_PATH_AT("secret_key_file", 0, "var/jutsu.key",
                      "Keys that sign tokens and seal secrets at rest; created 0600 on first "
                      "use, refused if group or others may read it (relative: to the config "
                      "file's directory)", AU, secret_key_file),
    JUTSU_CFG_INT_RANGE_AT("access_ttl", "900", 60, 86400,
                           "Seconds an access token lives", AU, access_ttl_s),
    JUTSU_CFG_INT_RANGE_AT("refresh_ttl", "604800", 300, 7776000,
                           "Seconds a refresh token (one login) lives", AU, refresh_ttl_s),
    JUTSU_CFG_INT_RANGE_AT("challenge_ttl", "300", 30, 3600,
                           "Seconds between a login's password and its second factor",
                           AU, challenge_ttl_s),
    JUTSU_CFG_INT_RANGE_AT("lockout_threshold", "10", 1, 1000,
                           "Failed logins (password or second factor) that lock an account",
                           AU, lockout_threshold),
    JUTSU_CFG_INT_RANGE_AT("lockout_minutes", "30", 1, 10080,
                           "How long a locked account stays locked", AU, lockout_minutes),
    JUTSU_CFG_INT_RANGE_AT("invitation_hours", "48", 1, 720,
                           "How long an invitation link stays good (it is good once)",
                           AU, invitation_hours),
    JUTSU_CFG_KEY_AT("public_url", JUTSU_CFG_STR, "",
                     "The dashboard's address as users reach it (https://jutsu.example.com); "
                     "invitation links start with it. Empty: the frontend's own address",
                     AU, public_url),
    JUTSU_CFG_INT_RANGE_AT("cache_ms", "1000", 0, 60000,
                           "Milliseconds a checked token and its user are reused without asking "
                           "the database; a change made by another process (the CLI, another "
                           "node) applies within this; 0: ask every time", AU, cache_ms),
    JUTSU_CFG_END
};
#undef AU

#define BT struct jutsu_settings_backtest
static const struct jutsu_cfg_key backtest_schema[] = {
    JUTSU_CFG_INT_RANGE_AT("max_concurrent", "1", 1, 64,
                           "Backtests on request (POST /api/backtest) running at once; one more "
                           "is refused (429) until one ends", BT, max_concurrent),
    JUTSU_CFG_INT_RANGE_AT("max_seconds", "60", 1, 86400,
                           "Seconds a backtest on request may run; past it, it stops between two "
                           "trading days and nothing is kept", BT, max_seconds),
    JUTSU_CFG_END
};
#undef BT

static const struct jutsu_cfg_key instance_schema[] = {
    JUTSU_CFG_REQ("name", JUTSU_CFG_STR, "Instance name, unique; shown on every log line"),
    JUTSU_CFG_REQ("plugin", JUTSU_CFG_STR, "Plugin to instantiate, e.g. source-yahoo"),
    JUTSU_CFG_KEY("required", JUTSU_CFG_BOOL, "true",
                  "false: a failing init is logged and the service starts without it"),
    JUTSU_CFG_KEY("config", JUTSU_CFG_ANY, NULL,
                  "The plugin's own settings (see plugins describe PLUGIN)"),
    { .name = "mode", .type = JUTSU_CFG_ENUM, .choices = trade_modes,
      .help = "Strategies only: offline_mock (default; simulated fills) or online_live" },
    JUTSU_CFG_KEY("initial_capital", JUTSU_CFG_MONEY, NULL,
                  "Strategies only: the cash it starts with (default 10000)"),
    JUTSU_CFG_KEY("broker", JUTSU_CFG_STR, NULL,
                  "Strategies in online_live only: the broker instance that places its orders"),
    JUTSU_CFG_KEY("paper_since", JUTSU_CFG_STR, NULL,
                  "Strategies in offline_mock only: YYYY-MM-DD; trade every day from then, the "
                  "past days replayed on stored bars (docs/trading.md)"),
    JUTSU_CFG_END
};

const struct jutsu_cfg_key jutsu_host_schema[] = {
    { .name = "log", .type = JUTSU_CFG_MAP, .sub = log_schema, .help = "Logging" },
    { .name = "plugin_path", .type = JUTSU_CFG_LIST, .elem = JUTSU_CFG_STR,
      .flags = JUTSU_CFG_PATH | JUTSU_CFG_MUST_EXIST,
      .help = "Directories searched for plugins before the built-in ones (relative: to the "
              "config file's directory)" },
    { .name = "exchange", .type = JUTSU_CFG_MAP, .sub = exchange_schema,
      .help = "The exchange whose calendar and clock the jobs follow" },
    { .name = "bus", .type = JUTSU_CFG_MAP, .sub = bus_schema, .help = "The event bus" },
    { .name = "database", .type = JUTSU_CFG_MAP, .sub = database_schema,
      .help = "Where data is stored" },
    { .name = "sync", .type = JUTSU_CFG_MAP, .sub = sync_schema,
      .help = "The market-data sync job" },
    { .name = "eod", .type = JUTSU_CFG_MAP, .sub = eod_schema,
      .help = "The end-of-day job: baselines, KPIs, daily_performance" },
    { .name = "scheduler", .type = JUTSU_CFG_MAP, .sub = sched_schema,
      .help = "When serve runs the jobs (exchange time)" },
    { .name = "trading", .type = JUTSU_CFG_MAP, .sub = trading_schema,
      .help = "The trading job: simulated costs, live order handling" },
    { .name = "auth", .type = JUTSU_CFG_MAP, .sub = auth_schema,
      .help = "Sessions, tokens, lockout and invitations (docs/auth.md)" },
    { .name = "backtest", .type = JUTSU_CFG_MAP, .sub = backtest_schema,
      .help = "Backtests on request: how many at once, for how long" },
    { .name = "plugins", .type = JUTSU_CFG_LIST, .elem = JUTSU_CFG_MAP, .sub = instance_schema,
      .help = "Plugin instances, started in this order" },
    JUTSU_CFG_END
};

/* Where each section's struct lies in the settings. The schema says which
 * sections have fields; a section with fields missing here is refused by
 * jutsu_settings_fill, so it cannot silently stay zero. */
static const struct {
    const char *name;
    size_t      offset;
} sections[] = {
    { "log",       offsetof(struct jutsu_settings, log) },
    { "exchange",  offsetof(struct jutsu_settings, exchange) },
    { "bus",       offsetof(struct jutsu_settings, bus) },
    { "database",  offsetof(struct jutsu_settings, database) },
    { "sync",      offsetof(struct jutsu_settings, sync) },
    { "eod",       offsetof(struct jutsu_settings, eod) },
    { "scheduler", offsetof(struct jutsu_settings, scheduler) },
    { "trading",   offsetof(struct jutsu_settings, trading) },
    { "auth",      offsetof(struct jutsu_settings, auth) },
    { "backtest",  offsetof(struct jutsu_settings, backtest) },
};

static int has_fields(const struct jutsu_cfg_key *schema)
{
    for (const struct jutsu_cfg_key *k = schema; k && k->name; k++)
        if (k->flags & JUTSU_CFG_FIELD)
            return 1;
    return 0;
}

static long section_of(const char *name)
{
    for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
        if (strcmp(sections[i].name, name) == 0)
            return (long)i;
    return -1;
}

int jutsu_settings_fill(const jutsu_cfg_node *root, struct jutsu_settings *out, char *err,
                        size_t errsz)
{
    memset(out, 0, sizeof(*out));
    for (const struct jutsu_cfg_key *k = jutsu_host_schema; k->name; k++) {
        if (k->type != JUTSU_CFG_MAP || !has_fields(k->sub))
            continue;
        long i = section_of(k->name);
        if (i < 0) {
            snprintf(err, errsz, "section \"%s\" has fields but no place in struct "
                     "jutsu_settings (core/config/host_schema.c)", k->name);
            return JUTSU_EINVAL;
        }
        const jutsu_cfg_node *map = jutsu_cfg_map_get(root, k->name);
        int rc = jutsu_cfg_fill(map, k->sub, (char *)out + sections[i].offset, err, errsz);
        if (rc != 0)
            return rc;
    }
    return 0;
}
