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
    JUTSU_EXIT_FAILURE = 1,    /* it failed, or no such thing (symbol, strategy, row) */
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
    int                color;         /* ANSI colours on stdout: a terminal,
                                         no --no-color, NO_COLOR unset      */
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
/* A command's help as `jutsu help COMMAND` and --help print it: the usage
 * (folded to 80 columns), the summary, the long help. */
void jutsu_cli_print_help(FILE *f, const struct jutsu_cmd *c);
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

/* --- text output (core/cli/cli_table.c) ------------------------------------ */

enum jutsu_cli_tone { JUTSU_TONE_NONE = 0, JUTSU_TONE_GOOD, JUTSU_TONE_BAD, JUTSU_TONE_BOLD,
                      JUTSU_TONE_DIM, JUTSU_TONE_RESET };

/* Whether stdout gets colours: not with --no-color, nor with NO_COLOR set
 * (any value: no-color.org), nor when stdout is not a terminal or TERM is
 * "dumb". */
int jutsu_cli_color_wanted(int no_color_flag);
/* The escape sequence of a tone, "" when cli->color is 0. */
const char *jutsu_cli_sgr(const struct jutsu_cli *cli, enum jutsu_cli_tone tone);
/* GOOD above 0, BAD below, NONE at 0 or NaN (a return's colour). */
enum jutsu_cli_tone jutsu_cli_tone_of(double v);
/* Money for a person: thousands separators, rounded half away from zero
 * to `places` (0..6) without a double: "1,234,567.89"; "-" for
 * JUTSU_MONEY_NULL. JSON and CSV keep the exact six-decimal string
 * (jutsu_money_format). Returns buf; 40 bytes always suffice. */
const char *jutsu_cli_money(jutsu_money_t v, int places, char *buf, size_t size);
/* `text` padded to `width` (right- or left-aligned), the escape `on`
 * (then `off`) around the text only. */
void jutsu_cli_cell(FILE *f, const char *text, int width, int right, const char *on,
                    const char *off);
/* One CSV field as RFC 4180 writes it: quoted when it holds a comma, a
 * quote or a line break, quotes doubled. */
void jutsu_cli_csv_field(FILE *f, const char *s);

/* A table sized to its widest cells, the header in bold, each cell in its
 * tone (escape sequences take no width). Cells are copied. */
struct jutsu_tbl_col {
    const char *title;
    int         right;            /* 1: right-aligned (numbers)     */
};
struct jutsu_tbl {
    const struct jutsu_tbl_col *cols;
    size_t                      ncols, nrows, cap;
    char                      **cells;     /* nrows x ncols           */
    enum jutsu_cli_tone        *tones;
};
int  jutsu_tbl_init(struct jutsu_tbl *t, const struct jutsu_tbl_col *cols, size_t ncols);
/* ncols cells (NULL: ""), tones NULL or ncols of them; 0 or -1 (memory). */
int  jutsu_tbl_add(struct jutsu_tbl *t, const char *const *cells,
                   const enum jutsu_cli_tone *tones);
void jutsu_tbl_print(const struct jutsu_tbl *t, const struct jutsu_cli *cli, FILE *f,
                     const char *indent);
void jutsu_tbl_free(struct jutsu_tbl *t);

/* --- shared cells (core/cli/cli_fmt.c) ------------------------------------- */

/* A KPI for a person, as every report writes it: a fraction as a percent
 * with 2 places ("12.34%"), a ratio with 3 ("1.234"); "-" for NaN (NULL). */
void jutsu_cli_pct(char *buf, size_t n, double v);
void jutsu_cli_ratio(char *buf, size_t n, double v);

/* A stored JSON text (a row's positions_json or metrics) written into w
 * (core/base/json_writer.h) as jutsu_jw_json would write json-c's parse of it,
 * without the parse (core/cli/cli_json_stored.c): 0; or -1 for a text
 * outside the plain JSON this takes (blanks, \u escapes, a repeated key,
 * deep nesting, NULL...) or a PLAIN writer, w then as it was, for the
 * caller to parse. */
struct jutsu_jw;
int jutsu_jw_stored(struct jutsu_jw *w, const char *text);

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
int jutsu_cmd_trade_replay(struct jutsu_cli *cli);
int jutsu_cmd_backtest(struct jutsu_cli *cli);
int jutsu_cmd_config_override(struct jutsu_cli *cli);
int jutsu_cmd_user(struct jutsu_cli *cli);
int jutsu_cmd_completion(struct jutsu_cli *cli);
int jutsu_cmd_scheduler_status(struct jutsu_cli *cli);
int jutsu_cmd_trades_list(struct jutsu_cli *cli);
int jutsu_cmd_positions(struct jutsu_cli *cli);

#endif
