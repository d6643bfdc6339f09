/*
 * core/cli/cli_table.c — every command of `jutsu`, declared once (help,
 * dispatch, completion and docs/cli.md all come from this table), and the
 * table printer their text output shares (money with thousands
 * separators, colours, aligned columns).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

const struct jutsu_cmd jutsu_commands[] = {
    { "help", "[COMMAND]", "Show the commands, or one command's help",
      "Without an argument, lists every command. With one, prints its usage,\n"
      "options and what it does: `jutsu help config check`.",
      JUTSU_NEED_NOTHING, "text", jutsu_cmd_help },

    { "version", "", "Print the version and the plugin ABI version",
      "Prints `jutsu VERSION (plugin ABI MAJOR.MINOR)`. Same as --version.",
      JUTSU_NEED_NOTHING, "text,json", jutsu_cmd_version },

    { "config check", "[--format text|json]", "Validate the config file and every plugin it names",
      "Reads the config (with ${VAR} expansion and the DATABASE_URL, DATABASE_TYPE,\n"
      "POSTGRES_* overrides), opens every plugin it names, checks each plugin's ABI\n"
      "and each instance's settings against the plugin's schema. Nothing is started.\n"
      "Every problem is reported with file:line:col. Exit 0 if valid, 3 if not.",
      JUTSU_NEED_PLUGINS, "text,json", jutsu_cmd_config_check },

    { "config show", "[--format yaml|json]", "Print the effective config, secrets masked",
      "Prints the config as the service would run it: environment overrides applied,\n"
      "defaults filled in (for the host and every instance), relative paths made\n"
      "absolute, the active strategy overrides (`config override`) in place of the\n"
      "file's values and marked with them, passwords and tokens replaced by ********.",
      JUTSU_NEED_PLUGINS, "yaml,json", jutsu_cmd_config_show },

    { "config override", "set STRATEGY PARAM VALUE | unset STRATEGY PARAM | list STRATEGY "
      "[--history] [--reason TEXT]",
      "Change a strategy's parameter without editing the config",
      "set: checks PARAM against the strategy plugin's schema (unknown parameters are\n"
      "refused with the list of known ones) and VALUE against its type, together with\n"
      "the other active overrides, then records it in config_overrides and the change\n"
      "in config_history, in one transaction. unset: back to the config's value.\n"
      "list: the active overrides, or with --history every change. The trading job\n"
      "applies the active overrides at its next run (re-initialising the strategy and\n"
      "replaying its history with them).",
      JUTSU_NEED_PLUGINS, "text,json", jutsu_cmd_config_override },

    { "user add", "NAME --role admin|viewer [--email E]", "Create a user",
      "Creates a user who can log in to the dashboard and the REST API. The password\n"
      "is read from the terminal without echo (twice), or from the first line of\n"
      "standard input when it is not a terminal; it is never an argument. It must\n"
      "have 12 characters or more, not be the username, and not be a common password.",
      JUTSU_NEED_PLUGINS, "text", jutsu_cmd_user },

    { "user list", "[--format text|json]", "List the users",
      "Every user: id, name, role, whether active, second factor, last login, and the\n"
      "time a locked account unlocks.",
      JUTSU_NEED_PLUGINS, "text,json", jutsu_cmd_user },

    { "user passwd", "NAME", "Set a user's password",
      "Reads the new password as `user add` does. Every session of the user ends.",
      JUTSU_NEED_PLUGINS, "text", jutsu_cmd_user },

    { "user role", "NAME admin|viewer", "Change a user's role",
      "Takes effect on the user's next request.",
      JUTSU_NEED_PLUGINS, "text", jutsu_cmd_user },

    { "user disable", "NAME", "Stop a user from logging in; their sessions end",
      "The account stays (and can be enabled again); its tokens stop working at once.",
      JUTSU_NEED_PLUGINS, "text", jutsu_cmd_user },

    { "user enable", "NAME", "Let a disabled user log in again", "",
      JUTSU_NEED_PLUGINS, "text", jutsu_cmd_user },

    { "user unlock", "NAME", "Unlock an account locked by failed logins",
      "Clears the lock and the count of failed logins (auth.lockout_threshold failures\n"
      "lock an account for auth.lockout_minutes).",
      JUTSU_NEED_PLUGINS, "text", jutsu_cmd_user },

    { "user delete", "NAME", "Delete a user, their passkeys and sessions", "",
      JUTSU_NEED_PLUGINS, "text", jutsu_cmd_user },

    { "user invite", "--role admin|viewer [--email E] [--format text|json]",
      "Make a one-time link that lets someone create their account",
      "Prints the link (auth.public_url, else the frontend's address, then\n"
      "/invite/TOKEN). Whoever opens it picks a username and a password. It is good\n"
      "once, for auth.invitation_hours (48 by default).",
      JUTSU_NEED_PLUGINS, "text,json", jutsu_cmd_user },

    { "user 2fa-reset", "NAME", "Remove a user's TOTP, backup codes and passkeys",
      "For a user who lost their authenticator: they log in with the password alone\n"
      "and can set up a second factor again.",
      JUTSU_NEED_PLUGINS, "text", jutsu_cmd_user },

    { "completion", "bash", "Print a bash completion script",
      "Made from this command table: commands, their words and --options, and the\n"
      "global options. Use it with `source <(jutsu completion bash)`, or save it as\n"
      "/usr/share/bash-completion/completions/jutsu (packages install it there).",
      JUTSU_NEED_NOTHING, "text", jutsu_cmd_completion },

    { "plugins list", "[--format text|json]", "List the plugins found on the plugin path",
      "Opens every *.so on the plugin path (JUTSU_PLUGIN_PATH, the config's\n"
      "plugin_path, the build tree, the install directory seen from the executable,\n"
      "then the one configured at build time) and prints name, kind, version, ABI and\n"
      "file. Files that are not valid plugins are listed with the reason. Exit 1 if\n"
      "any file was refused.",
      JUTSU_NEED_CONFIG_IF_ANY, "text,json", jutsu_cmd_plugins_list },

    { "plugins describe", "NAME [--format text|json]", "Show a plugin's settings",
      "Prints a plugin's description and every key of its config schema: type,\n"
      "default, and help. `jutsu plugins describe host` shows the host's own keys.",
      JUTSU_NEED_CONFIG_IF_ANY, "text,json", jutsu_cmd_plugins_describe },

    { "serve", "", "Run the service until SIGINT or SIGTERM",
      "Starts every configured plugin instance (storage first, frontends last),\n"
      "runs the catch-up work that is due, then the scheduled jobs, until SIGINT or\n"
      "SIGTERM; then lets a running job finish and stops everything in reverse order,\n"
      "delivering queued events. An instance whose init fails stops start-up, unless\n"
      "it is `required: false`. Without a database no job is scheduled. See\n"
      "docs/scheduler.md.",
      JUTSU_NEED_PLUGINS, "text", jutsu_cmd_serve },

    { "scheduler status", "[--format text|json]", "Show the scheduled jobs and their last runs",
      "For each job serve schedules (sync, prune, ...): whether it is enabled, its\n"
      "exchange times (normal and early-close days), which days it runs, whether a\n"
      "missed slot is caught up, its next slot after now, and its last recorded run\n"
      "(date, status ok/failed/skipped, error). Reads the records from the database;\n"
      "runs nothing. See docs/scheduler.md.",
      JUTSU_NEED_PLUGINS, "text,json", jutsu_cmd_scheduler_status },

    { "sync", "[--symbol S]... [--timeframe TF] [--from DATE] [--to DATE] [--source NAME]",
      "Fetch new bars from the sources into the database",
      "For each symbol and timeframe (sync.symbols and sync.timeframes, or --symbol and\n"
      "--timeframe), fetches the bars after the newest stored one (the whole history\n"
      "from sync.history_start for a new symbol; --from/--to for an explicit range)\n"
      "from the first source that answers (sync.sources in priority order, or\n"
      "--source), normalises, validates and dedupes them, and stores them with the\n"
      "metadata and an audit row in one transaction per batch. Invalid bars are\n"
      "stored marked invalid and counted as rejected. Prints a summary per symbol;\n"
      "a progress bar on a terminal.",
      JUTSU_NEED_PLUGINS, "text,json", jutsu_cmd_sync },

    { "data import", "FILE... [--symbol S] [--timeframe TF]", "Import bars from CSV files",
      "Reads each file with the configured file source (source-csv: Yahoo export,\n"
      "yfinance flat and 3-line layouts, symbol,date,... files), then the same\n"
      "pipeline as sync. The symbol comes from --symbol, the file's contents or its\n"
      "name (QQQ.csv). Malformed rows are reported with file:line and skipped; the\n"
      "valid rows around them are stored. Writes in transactions of at most\n"
      "sync.batch_size bars: an interrupted or failed import keeps the batches it\n"
      "committed, and running it again skips them. Importing a file twice inserts\n"
      "nothing. On SQLite a large import of many symbols over the same dates sets\n"
      "the index on market_data.timestamp aside and builds it once at the end; if\n"
      "the import is killed meanwhile, the next import or `jutsu db upgrade` builds it.",
      JUTSU_NEED_PLUGINS, "text,json", jutsu_cmd_data_import },

    { "data show", "SYMBOL [--timeframe TF] [--from DATE] [--to DATE]", "Print stored bars",
      "Prints a symbol's bars, oldest first, prices exact to six decimals.",
      JUTSU_NEED_PLUGINS, "table,csv,json", jutsu_cmd_data_show },

    { "data status", "", "Show what market data is stored",
      "One line per symbol and timeframe from data_metadata: newest bar, bar count,\n"
      "when it was last updated.",
      JUTSU_NEED_PLUGINS, "text,json", jutsu_cmd_data_status },

    { "data gaps", "SYMBOL [--from DATE] [--to DATE]", "List missing trading days",
      "Lists the exchange's trading days between the symbol's first and last valid\n"
      "daily bar (or up to --to) that have no bar.",
      JUTSU_NEED_PLUGINS, "text,json", jutsu_cmd_data_gaps },

    { "eod run", "[--date DATE]", "Finalise a trading day: daily_performance and its KPIs",
      "Computes, for DATE (default: the newest trading day whose session has closed),\n"
      "every strategy instance's and baseline's end-of-day equity, returns, drawdown,\n"
      "trade statistics and KPIs, one row each in daily_performance, and records the\n"
      "day in eod_job_status. First it redoes, oldest first, the days among the\n"
      "eod.lookback_days trading days before DATE that were missed, failed, partial or\n"
      "left running. A day commits whole or not at all. Running it again for a day\n"
      "changes nothing. A day is `partial` when a close it needs is missing; the note\n"
      "says which. Exit 1 if any day did not complete.",
      JUTSU_NEED_PLUGINS, "text,json", jutsu_cmd_eod_run },

    { "eod backfill", "--from DATE [--to DATE] [--entity ID [--type T]]",
      "Recompute daily_performance over a range, in one pass",
      "Recomputes every trading day from --from to --to (default: the newest closed\n"
      "day) for every entity, or only --entity (a strategy instance or baseline id;\n"
      "--type strategy|baseline when an id is both), continuing each entity's chain\n"
      "from its row before --from. One pass (O(days)) and one transaction. Rows that\n"
      "come out the same are not written; when a row changes, the entity's later rows\n"
      "are recomputed too. A backfill of every entity also sets each day's status.",
      JUTSU_NEED_PLUGINS, "text,json", jutsu_cmd_eod_backfill },

    { "eod status", "[--date DATE] [--days N]", "Show what the EOD job did, day by day",
      "Prints eod_job_status for DATE, or for the N trading days up to the newest\n"
      "closed one (default 10): status, when it ran, entities processed, retries and\n"
      "the error of a failed or partial day.",
      JUTSU_NEED_PLUGINS, "text,json", jutsu_cmd_eod_status },

    { "perf show", "ENTITY [--type T] [--mode M] [--from DATE] [--to DATE]",
      "Print an entity's daily performance rows",
      "Prints the daily_performance rows of a strategy instance or baseline, oldest\n"
      "first: as a table (equity, returns, drawdown, KPIs), or with every column as\n"
      "CSV or JSON. --mode defaults to the entity's configured mode.",
      JUTSU_NEED_PLUGINS, "table,csv,json", jutsu_cmd_perf_show },

    { "trade run", "[--strategy ID] [--date DATE]", "Run the trading job for a day",
      "For each strategy instance (or --strategy), on DATE (default: today in exchange\n"
      "time): brings the strategy up to the eve of the day from stored bars, feeds the\n"
      "day's bars, and when it asks to rebalance turns its target weights into\n"
      "whole-share orders filled at the day's price (offline_mock: with\n"
      "trading.commission_per_share and trading.slippage; online_live: through its\n"
      "broker). Trades, positions, a snapshot and the strategy's state are written in\n"
      "one transaction. A strategy that already ran for the day trades nothing. No\n"
      "symbol is traded on a stale price: a day a needed bar is missing, nothing is.",
      JUTSU_NEED_PLUGINS, "text,json", jutsu_cmd_trade_run },

    { "trade replay", "[--strategy ID] [--to DATE]",
      "Trade the stored days of strategies with paper_since",
      "For each strategy instance with paper_since (offline_mock), or --strategy: runs\n"
      "the trading job's own code, simulated fills, on every trading day from\n"
      "paper_since (or the day after the last one it ran) up to --to (default: the\n"
      "newest closed session) on which the stored bars of all its symbols are in,\n"
      "each day in its own transaction; then recomputes the EOD rows of those days for\n"
      "every entity. `serve` does the same in its paper job (16:10), so a new install\n"
      "shows strategy history. Days a strategy already ran are never redone.",
      JUTSU_NEED_PLUGINS, "text,json", jutsu_cmd_trade_replay },

    { "backtest", "--strategy ID --from DATE --to DATE [--capital N] [--param NAME=VALUE]... "
      "[--trades FILE] [--daily FILE] | [--sweep NAME=SPEC]... [--jobs N] [--sort KPI]",
      "Run a strategy (or a parameter sweep) over stored history",
      "Warms the strategy up on the stored bars before --from, then runs the trading\n"
      "job's own code day by day to --to (simulated fills: whole shares, every fill at\n"
      "that day's price, trading.commission_per_share and trading.slippage) and the\n"
      "EOD job's code over the result, beside the first baseline of the config with\n"
      "the same capital (--capital, default the strategy's initial_capital). The\n"
      "strategy runs in an instance of its own with the active overrides and then\n"
      "each --param (a parameter of its plugin, as `config override set` takes it).\n"
      "All of it runs in one database transaction that is rolled back. Prints the\n"
      "starting capital, total return, CAGR, Sharpe, Sortino, Calmar, max drawdown,\n"
      "trades, win rate, the final allocation, each year's return beside the\n"
      "baseline's, and the last trades; --trades FILE writes every trade as CSV\n"
      "(date, symbol, action, quantity, fill price, value, realized P&L, reason);\n"
      "--daily FILE the day-by-day series (equity, cash, regime, indicators, each\n"
      "symbol's weight). --format json prints all of it, money as exact strings.\n"
      "\n"
      "--sweep NAME=START:END:STEP or NAME=a,b,c (repeatable) runs one backtest per\n"
      "combination of the values (a range is exact decimal: upper_z=0.8:1.4:0.1 is\n"
      "0.8, 0.9, ... 1.4), at most 10000 combinations, on --jobs threads (default:\n"
      "the online cores), and prints one row each: its values, total return, CAGR,\n"
      "Sharpe, Sortino, Calmar, max drawdown, trades, win rate, final equity, the\n"
      "baseline's once above; * marks the live parameters (config and active\n"
      "overrides). --sort KPI orders the rows, the highest first (total_return,\n"
      "cagr, sharpe, sortino, calmar, max_drawdown, volatility, trades, win_rate,\n"
      "final_equity); --format json or csv for a program. A combination that fails\n"
      "is said in its row and the exit code is 1; Ctrl-C lets the runs under way\n"
      "finish, prints those that ran and exits 130.\n"
      "\n"
      "Caveat: parameters chosen on the same history they are measured on overfit\n"
      "it. Hold out a later period: sweep with --to before it, then check the chosen\n"
      "values with a plain backtest over the held-out period alone.",
      JUTSU_NEED_PLUGINS, "text,json,csv", jutsu_cmd_backtest },

    { "trades list", "[--strategy ID] [--symbol S] [--from DATE] [--to DATE] [--mode M] "
      "[--limit N]",
      "List the trades the trading job made",
      "Prints live_trades, oldest first: each strategy instance of the config (or\n"
      "--strategy) in its configured mode (or --mode offline_mock|online_live), only\n"
      "--symbol, between --from and --to (exchange dates, inclusive). --limit N shows\n"
      "the newest N (default 100; 0: all). As a table (money with thousands\n"
      "separators), or every column as CSV or JSON (money as exact strings).",
      JUTSU_NEED_PLUGINS, "table,csv,json", jutsu_cmd_trades_list },

    { "positions", "[--strategy ID] [--mode M]", "Show what each strategy holds",
      "Prints the positions table: each strategy instance of the config (or\n"
      "--strategy) in its configured mode (or --mode): symbol, quantity, average\n"
      "cost, market value and unrealised P&L as of the last trading run, and when\n"
      "it was updated. As a table, CSV or JSON (money as exact strings).",
      JUTSU_NEED_PLUGINS, "table,csv,json", jutsu_cmd_positions },

    { "login", "[INSTANCE]", "Authorise a source that needs a person's approval",
      "Runs the interactive authorisation of a source instance that has one (today\n"
      "source-schwab: prints the address to open in a browser, reads back the address\n"
      "the browser was sent to, exchanges it for tokens and writes the token file,\n"
      "mode 0600). Without INSTANCE, the only instance that can log in. Needed once,\n"
      "then again when the source's refresh token expires (Schwab: 7 days).",
      JUTSU_NEED_PLUGINS, "text", jutsu_cmd_login },

    { "schwab login", "[INSTANCE]", "Authorise Jutsu to read market data from Schwab",
      "`jutsu login` among the source-schwab instances. Prints the Schwab address to\n"
      "open in a browser, reads back the address the browser was sent to (or the bare\n"
      "code), exchanges it for tokens and writes the token file (mode 0600). Needed\n"
      "once, then again when the 7-day refresh token expires. See docs/schwab.md.",
      JUTSU_NEED_PLUGINS, "text", jutsu_cmd_schwab_login },

    { "db upgrade", "[REV|head]", "Upgrade the database schema (creates it if empty)",
      "Applies the storage driver's schema revisions up to REV (default head), each in\n"
      "its own transaction. A database that holds data is backed up first into\n"
      "database.backup_dir unless database.backup_before_upgrade is false. A database\n"
      "at a revision this jutsu does not know (made by a newer one) is refused.",
      JUTSU_NEED_PLUGINS, "text,json", jutsu_cmd_db_upgrade },

    { "db downgrade", "REV|-N|base", "Undo schema revisions",
      "Undoes revisions, newest first, until REV is the newest applied (REV stays),\n"
      "or N revisions (-1: the last one), or all of them (base). Every revision's\n"
      "downgrade is tested: upgrade, downgrade to base and upgrade again leave an\n"
      "identical schema. Downgrading drops the columns and tables the revisions made.",
      JUTSU_NEED_PLUGINS, "text,json", jutsu_cmd_db_downgrade },

    { "db current", "", "Show the database's schema revision",
      "Prints where the data lives and its newest applied revision (`base` if none),\n"
      "with `(head)` when no newer revision exists.",
      JUTSU_NEED_PLUGINS, "text,json", jutsu_cmd_db_current },

    { "db history", "", "List the schema revisions and which are applied",
      "Lists every revision this jutsu knows, oldest first; applied ones are starred.",
      JUTSU_NEED_PLUGINS, "text,json", jutsu_cmd_db_history },

    { "db backup", "FILE", "Back up the whole database to FILE",
      "SQLite: the online backup API (safe while the service runs). PostgreSQL:\n"
      "pg_dump in its custom format, which keeps NUMERIC values exact. Writes\n"
      "FILE.manifest.json with the row count of every table beside it.",
      JUTSU_NEED_PLUGINS, "text", jutsu_cmd_db_backup },

    { "db restore", "FILE", "Restore the database from a backup, verifying row counts",
      "Replaces the database's tables with those of FILE (made by `db backup`), then\n"
      "checks every table's row count against FILE.manifest.json. Stop the service\n"
      "first.",
      JUTSU_NEED_PLUGINS, "text", jutsu_cmd_db_restore },

    { "db prune", "", "Apply the retention rules",
      "Deletes performance snapshots older than one year (365 days) and blacklisted\n"
      "tokens that expired more than 30 days ago, in one transaction.",
      JUTSU_NEED_PLUGINS, "text,json", jutsu_cmd_db_prune },

    { NULL, NULL, NULL, NULL, 0, NULL, NULL }
};

/* --- printing tables ------------------------------------------------------------
 *
 * What every command's text output shares: money with thousands
 * separators, colours only for a person at a terminal, and columns sized
 * to their widest cell (escape sequences take no width).
 */
int jutsu_cli_color_wanted(int no_color_flag)
{
    const char *term = getenv("TERM");
    /* NO_COLOR (no-color.org) is honoured whatever its value */
    return !no_color_flag && getenv("NO_COLOR") == NULL && isatty(STDOUT_FILENO) &&
           !(term && strcmp(term, "dumb") == 0);
}

const char *jutsu_cli_sgr(const struct jutsu_cli *cli, enum jutsu_cli_tone tone)
{
    if (cli == NULL || !cli->color)
        return "";
    switch (tone) {
    case JUTSU_TONE_GOOD:  return "\033[32m";
    case JUTSU_TONE_BAD:   return "\033[31m";
    case JUTSU_TONE_BOLD:  return "\033[1m";
    case JUTSU_TONE_DIM:   return "\033[2m";
    case JUTSU_TONE_RESET: return "\033[0m";
    default:               return "";
    }
}

enum jutsu_cli_tone jutsu_cli_tone_of(double v)
{
    return v > 0 ? JUTSU_TONE_GOOD : v < 0 ? JUTSU_TONE_BAD : JUTSU_TONE_NONE;
}

/* "1234567" -> "1,234,567" into out (digits only in, no sign). */
static size_t group_digits(const char *digits, size_t n, char *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            out[k++] = ',';
        out[k++] = digits[i];
    }
    return k;
}

const char *jutsu_cli_money(jutsu_money_t v, int places, char *buf, size_t size)
{
    if (v == JUTSU_MONEY_NULL) {
        snprintf(buf, size, "-");
        return buf;
    }
    if (places < 0 || places > 6)
        places = 6;
    int neg = v < 0;
    /* |v| in micro-units, rounded half away from zero to `places`, exactly */
    uint64_t a = neg ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, unit = 1;
    for (int i = places; i < 6; i++)
        unit *= 10;
    a = (a + unit / 2) / unit;
    uint64_t scale = 1;
    for (int i = 0; i < places; i++)
        scale *= 10;
    char whole[24], grouped[32], tmp[72];
    int n = snprintf(whole, sizeof(whole), "%llu", (unsigned long long)(a / scale));
    size_t g = group_digits(whole, (size_t)n, grouped);
    grouped[g] = '\0';
    if (places > 0)
        snprintf(tmp, sizeof(tmp), "%s%s.%0*llu", neg && a ? "-" : "", grouped, places,
                 (unsigned long long)(a % scale));
    else
        snprintf(tmp, sizeof(tmp), "%s%s", neg && a ? "-" : "", grouped);
    snprintf(buf, size, "%s", tmp);
    return buf;
}

void jutsu_cli_csv_field(FILE *f, const char *s)
{
    if (s == NULL)
        s = "";
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

void jutsu_cli_cell(FILE *f, const char *text, int width, int right, const char *on,
                    const char *off)
{
    int pad = width - (int)strlen(text);
    if (right && pad > 0)
        fprintf(f, "%*s", pad, "");
    /* the colour covers the text, not the padding */
    fprintf(f, "%s%s%s", on ? on : "", text, on && *on ? off : "");
    if (!right && pad > 0)
        fprintf(f, "%*s", pad, "");
}

int jutsu_tbl_init(struct jutsu_tbl *t, const struct jutsu_tbl_col *cols, size_t ncols)
{
    memset(t, 0, sizeof(*t));
    t->cols = cols;
    t->ncols = ncols;
    return 0;
}

int jutsu_tbl_add(struct jutsu_tbl *t, const char *const *cells, const enum jutsu_cli_tone *tones)
{
    if (t->nrows == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 32;
        char **c = realloc(t->cells, cap * t->ncols * sizeof(*c));
        if (c == NULL)
            return -1;
        t->cells = c;
        enum jutsu_cli_tone *k = realloc(t->tones, cap * t->ncols * sizeof(*k));
        if (k == NULL)
            return -1;
        t->tones = k;
        t->cap = cap;
    }
    size_t base = t->nrows * t->ncols;
    for (size_t i = 0; i < t->ncols; i++) {
        t->cells[base + i] = strdup(cells[i] ? cells[i] : "");
        t->tones[base + i] = tones ? tones[i] : JUTSU_TONE_NONE;
        if (t->cells[base + i] == NULL) {
            while (i-- > 0)
                free(t->cells[base + i]);
            return -1;
        }
    }
    t->nrows++;
    return 0;
}

void jutsu_tbl_print(const struct jutsu_tbl *t, const struct jutsu_cli *cli, FILE *f,
                     const char *indent)
{
    size_t w[32] = { 0 };
    size_t nc = t->ncols < 32 ? t->ncols : 32;
    for (size_t c = 0; c < nc; c++) {
        w[c] = strlen(t->cols[c].title);
        for (size_t r = 0; r < t->nrows; r++) {
            size_t n = strlen(t->cells[r * t->ncols + c]);
            w[c] = n > w[c] ? n : w[c];
        }
    }
    const char *bold = jutsu_cli_sgr(cli, JUTSU_TONE_BOLD), *off = jutsu_cli_sgr(cli,
                                                                                JUTSU_TONE_RESET);
    fputs(indent ? indent : "", f);
    fputs(bold, f);
    for (size_t c = 0; c < nc; c++) {
        int width = c + 1 == nc && !t->cols[c].right ? 0 : (int)w[c];
        fprintf(f, "%s%*s", c ? "  " : "", t->cols[c].right ? width : -width, t->cols[c].title);
    }
    fprintf(f, "%s\n", off);
    for (size_t r = 0; r < t->nrows; r++) {
        fputs(indent ? indent : "", f);
        for (size_t c = 0; c < nc; c++) {
            const char *on = jutsu_cli_sgr(cli, t->tones[r * t->ncols + c]);
            const char *cell = t->cells[r * t->ncols + c];
            /* the last column is not padded: no trailing blanks */
            int width = c + 1 == nc && !t->cols[c].right ? 0 : (int)w[c];
            fputs(c ? "  " : "", f);
            jutsu_cli_cell(f, cell, width, t->cols[c].right, on, off);
        }
        fputc('\n', f);
    }
}

void jutsu_tbl_free(struct jutsu_tbl *t)
{
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    free(t->tones);
    memset(t, 0, sizeof(*t));
}
