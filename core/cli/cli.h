/*
 * core/cli/cli.h — the command line: a table of commands.
 *
 *   jutsu [GLOBAL OPTIONS] COMMAND [WORDS...] [OPTIONS] [ARGS]
 *
 * The global options (-c, --log-level, --log-format, -v, -q) may also come
 * after the command's words, among its own options: they are taken out
 * before the command parses the rest. An unknown command is answered with
 * the nearest one of the table when one is close ("did you mean").
 *
 * Each command is one row of jutsu_commands[] (core/cli/cli_table.c): its
 * words ("config check"), usage, one-line summary, long help, what it
 * needs loaded before it runs, and the function that runs it. `jutsu help`
 * and `jutsu help COMMAND` print from the same table.
 *
 * Exit codes (documented in docs/cli.md and `jutsu --help`):
 *   0  success
 *   1  the command ran and failed (runtime error: database, network, a job)
 *   2  usage error: unknown command or option, bad argument
 *   3  configuration error: config file missing or invalid, a plugin refused
 */
#ifndef JUTSU_CORE_CLI_H
#define JUTSU_CORE_CLI_H

#include <stdio.h>

#include "jutsu/data.h"
#include "host/app.h"

enum jutsu_exit {
    JUTSU_EXIT_OK      = 0,
    JUTSU_EXIT_FAILURE = 1,
    JUTSU_EXIT_USAGE   = 2,
    JUTSU_EXIT_CONFIG  = 3
};

enum jutsu_cmd_need {
    JUTSU_NEED_NOTHING = 0,
    JUTSU_NEED_CONFIG  = 1,   /* the config is loaded and validated      */
    JUTSU_NEED_PLUGINS = 2,   /* ... and every plugin opened and checked */
    JUTSU_NEED_CONFIG_IF_ANY = 4  /* load the config if the file exists  */
};

enum jutsu_out_format { JUTSU_FMT_TEXT = 0, JUTSU_FMT_JSON = 1, JUTSU_FMT_YAML = 2,
                        JUTSU_FMT_CSV = 3 };

struct jutsu_cli {
    const char        *config_path;   /* -c, $JUTSU_CONFIG, or the default */
    int                config_explicit;  /* named by -c or $JUTSU_CONFIG   */
    int                config_from_env;  /* named by $JUTSU_CONFIG         */
    int                format;        /* enum jutsu_out_format, --format   */
    int                argc;          /* the command's own arguments       */
    char             **argv;          /* argv[0] is the command's name     */
    struct jutsu_app  *app;           /* loaded as the command needs       */
    const struct jutsu_cmd *cmd;
};

struct jutsu_cmd {
    const char *name;       /* "config check"                           */
    const char *usage;      /* "[--format yaml|json]"                   */
    const char *summary;    /* one line for `jutsu help`                */
    const char *help;       /* paragraphs for `jutsu help COMMAND`      */
    unsigned    needs;      /* enum jutsu_cmd_need bits                 */
    const char *formats;    /* accepted --format values, "text,json"    */
    int       (*run)(struct jutsu_cli *cli);
};

extern const struct jutsu_cmd jutsu_commands[];

int jutsu_cli_main(int argc, char **argv);

/* Helpers for commands. */
/* Prints "jutsu: error: ..." to stderr. */
void jutsu_cli_error(const char *fmt, ...) JUTSU_PRINTF(1, 2);
/* A data session's last failure: "jutsu: error: <message>", then its
 * detail and hint, each on a line of its own when there is one. */
void jutsu_cli_db_error(jutsu_dbs *s);
/* Usage error for the current command; returns JUTSU_EXIT_USAGE. */
int  jutsu_cli_usage(struct jutsu_cli *cli, const char *fmt, ...) JUTSU_PRINTF(2, 3);
/* Parses the command's options with getopt_long semantics: handles
 * --format (checked against cmd->formats) and --help; other options are
 * given to `opt`. Returns 0, or an exit code to return (usage/help). On
 * return cli->argv/argc hold the positional arguments only. */
struct option;
int  jutsu_cli_parse(struct jutsu_cli *cli, const struct option *longopts,
                     int (*opt)(struct jutsu_cli *cli, int c, const char *arg, void *ud),
                     void *ud);

/* Loads the config (and plugins) as cli->cmd->needs says, into cli->app;
 * for `config check`, then looks at the paths it names on disk. A config
 * file that cannot be read is said with a hint on how to name one.
 * Returns a JUTSU_E* code; problems are in diag. */
int  jutsu_cli_load(struct jutsu_cli *cli, struct jutsu_diag *diag);
/* The same, printing problems to stderr; returns an exit code. */
int  jutsu_cli_load_or_report(struct jutsu_cli *cli);
/* jutsu_cli_parse for a command that takes no option of its own and no
 * argument: 0, or the exit code of a usage error. */
int  jutsu_cli_no_args(struct jutsu_cli *cli);

/* Loads as cli_load_or_report does, then starts the storage driver and
 * the instances of `kinds` (bits 1u << JUTSU_KIND_x; 0: storage only),
 * opens a session into *s and brings the schema to head if the config
 * allows (refusing otherwise). Returns 0 or an exit code, the problem
 * printed; *s is NULL then. The caller closes *s. */
int  jutsu_cli_start_storage(struct jutsu_cli *cli, unsigned kinds, jutsu_dbs **s);
/* Parses --NAME's value as YYYY-MM-DD; 0 or the usage exit code. */
int  jutsu_cli_date_opt(struct jutsu_cli *cli, const char *name, const char *v, jutsu_date_t *d);

/* Command implementations (core/cmd_*.c). */
int jutsu_cmd_version(struct jutsu_cli *cli);
int jutsu_cmd_help(struct jutsu_cli *cli);
int jutsu_cmd_config_check(struct jutsu_cli *cli);
int jutsu_cmd_config_show(struct jutsu_cli *cli);
int jutsu_cmd_plugins_list(struct jutsu_cli *cli);
int jutsu_cmd_plugins_describe(struct jutsu_cli *cli);
int jutsu_cmd_serve(struct jutsu_cli *cli);
int jutsu_cmd_db_upgrade(struct jutsu_cli *cli);
int jutsu_cmd_db_downgrade(struct jutsu_cli *cli);
int jutsu_cmd_db_current(struct jutsu_cli *cli);
int jutsu_cmd_db_history(struct jutsu_cli *cli);
int jutsu_cmd_db_backup(struct jutsu_cli *cli);
int jutsu_cmd_db_restore(struct jutsu_cli *cli);
int jutsu_cmd_db_prune(struct jutsu_cli *cli);
int jutsu_cmd_sync(struct jutsu_cli *cli);
int jutsu_cmd_data_import(struct jutsu_cli *cli);
int jutsu_cmd_data_show(struct jutsu_cli *cli);
int jutsu_cmd_data_status(struct jutsu_cli *cli);
int jutsu_cmd_data_gaps(struct jutsu_cli *cli);
int jutsu_cmd_login(struct jutsu_cli *cli);
int jutsu_cmd_schwab_login(struct jutsu_cli *cli);
int jutsu_cmd_eod_run(struct jutsu_cli *cli);
int jutsu_cmd_eod_backfill(struct jutsu_cli *cli);
int jutsu_cmd_eod_status(struct jutsu_cli *cli);
int jutsu_cmd_perf_show(struct jutsu_cli *cli);
int jutsu_cmd_trade_run(struct jutsu_cli *cli);
int jutsu_cmd_backtest(struct jutsu_cli *cli);
int jutsu_cmd_config_override(struct jutsu_cli *cli);
int jutsu_cmd_user(struct jutsu_cli *cli);
int jutsu_cmd_completion(struct jutsu_cli *cli);
int jutsu_cmd_scheduler_status(struct jutsu_cli *cli);

#endif
