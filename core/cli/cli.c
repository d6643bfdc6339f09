/*
 * core/cli/cli.c — global options, command lookup, loading what a command
 * needs, and the exit-code discipline.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jutsu/error.h"
#include "cli/cli.h"
#include "cli/cli_suggest.h"
#include "base/log.h"
#include "config/cfg.h"
#include "store/store.h"

/* The install prefix's etc (core/CMakeLists.txt): /usr/local/etc for a
 * default `cmake --install`, /etc for a package (prefix /usr). */
#ifndef JUTSU_SYSCONF_DIR
#define JUTSU_SYSCONF_DIR "/etc"
#endif
#define DEFAULT_CONFIG JUTSU_SYSCONF_DIR "/jutsu/jutsu.yaml"
/* The config a source tree runs with, named in hints. */
#define REPO_CONFIG    "conf/jutsu.yaml"

void jutsu_cli_error(const char *fmt, ...)
{
    va_list ap;
    fputs("jutsu: error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void jutsu_cli_db_error(jutsu_dbs *s)
{
    jutsu_cli_error("%s", jutsu_dbs_error(s));
    if (*jutsu_dbs_error_detail(s))
        fprintf(stderr, "  detail: %s\n", jutsu_dbs_error_detail(s));
    if (*jutsu_dbs_error_hint(s))
        fprintf(stderr, "  hint: %s\n", jutsu_dbs_error_hint(s));
}

/* The usage line, folded before column 80 at a space outside brackets (an
 * option and its value stay together) and continued under the command's
 * first argument, so that a long usage reads in an 80-column terminal. */
static void print_usage_line(FILE *f, const struct jutsu_cmd *c)
{
    int col = fprintf(f, "usage: jutsu [-c FILE] %s", c->name);
    int indent = col + 1 <= 40 ? col + 1 : 8;
    for (const char *p = c->usage; *p;) {
        const char *q = p;
        for (int depth = 0; *q && (*q != ' ' || depth > 0); q++)
            depth += *q == '[' ? 1 : *q == ']' && depth > 0 ? -1 : 0;
        int len = (int)(q - p);
        if (col + 1 + len > 79 && col > indent) {
            fprintf(f, "\n%*s", indent, "");
            col = indent;
        } else {
            fputc(' ', f);
            col++;
        }
        fprintf(f, "%.*s", len, p);
        col += len;
        p = *q ? q + 1 : q;
    }
    fputc('\n', f);
}

void jutsu_cli_print_help(FILE *f, const struct jutsu_cmd *c)
{
    print_usage_line(f, c);
    fprintf(f, "\n%s\n\n%s\n", c->summary, c->help);
}

int jutsu_cli_usage(struct jutsu_cli *cli, const char *fmt, ...)
{
    va_list ap;
    fputs("jutsu: usage error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    if (cli && cli->cmd) {
        print_usage_line(stderr, cli->cmd);
        fprintf(stderr, "(see `jutsu help %s`)\n", cli->cmd->name);
    }
    return JUTSU_EXIT_USAGE;
}

static void print_global_help(FILE *f)
{
    fprintf(f,
        "jutsu %s: a service for algorithmic-trading data, built from plugins.\n\n"
        "usage: jutsu [GLOBAL OPTIONS] COMMAND [ARGS]\n\n"
        "global options:\n"
        "  -c, --config FILE     config file (default: $JUTSU_CONFIG,\n"
        "                        else %s)\n"
        "      --log-level L     error, warn, info, debug or trace (overrides the config)\n"
        "      --log-format F    text, json or journal\n"
        "  -v, --verbose         same as --log-level debug\n"
        "  -q, --quiet           same as --log-level warn\n"
        "      --no-color        no colours (also with NO_COLOR set, or not a terminal)\n"
        "  -h, --help            this help\n"
        "      --version         print the version\n\n"
        "commands:\n", JUTSU_VERSION, DEFAULT_CONFIG);
    for (const struct jutsu_cmd *c = jutsu_commands; c->name; c++)
        fprintf(f, "  %-18s %s\n", c->name, c->summary);
    fprintf(f,
        "\nEvery command that prints data accepts --format json.\n"
        "`jutsu help COMMAND` describes one command.\n\n"
        "exit codes: 0 success, 1 runtime failure, 2 usage error, 3 configuration error\n");
}

int jutsu_cmd_version(struct jutsu_cli *cli)
{
    int rc = jutsu_cli_parse(cli, NULL, NULL, NULL);
    if (rc != 0)
        return rc;
    if (cli->format == JUTSU_FMT_JSON)
        printf("{\"version\":\"%s\",\"abi_major\":%d,\"abi_minor\":%d}\n",
               JUTSU_VERSION, JUTSU_ABI_MAJOR, JUTSU_ABI_MINOR);
    else
        printf("jutsu %s (plugin ABI %d.%d)\n", JUTSU_VERSION, JUTSU_ABI_MAJOR, JUTSU_ABI_MINOR);
    return JUTSU_EXIT_OK;
}

/* The command whose words are the longest prefix of argv; *used = words. */
static const struct jutsu_cmd *lookup(int argc, char **argv, int *used)
{
    const struct jutsu_cmd *best = NULL;
    int best_words = 0;
    for (const struct jutsu_cmd *c = jutsu_commands; c->name; c++) {
        const char *p = c->name;
        int w = 0;
        while (*p && w < argc) {
            size_t len = strcspn(p, " ");
            if (strlen(argv[w]) != len || strncmp(argv[w], p, len) != 0)
                break;
            p += len;
            w++;
            if (*p == ' ')
                p++;
            else
                break;
        }
        if (*p == '\0' && w > best_words) {
            best = c;
            best_words = w;
        }
    }
    *used = best_words;
    return best;
}

/* The command nearest to the first words of argv, if it is near enough to
 * be a slip of the fingers (cli_suggest.c's measure: "sycn", "data shwo"),
 * so "frobnicate" gets no guess. Each command is set against as many
 * words as its name has; *words is that count for the one returned. */
static const struct jutsu_cmd *nearest(int argc, char **argv, int *words)
{
    enum { MAX_WORDS = 4 };
    char typed[MAX_WORDS][128];
    struct jutsu_suggest sg[MAX_WORDS];
    for (int k = 1; k < MAX_WORDS && k <= argc; k++) {
        /* command names are short: a longer word cannot be near one anyway */
        snprintf(typed[k], sizeof(typed[k]), "%.62s%s%.62s", k > 1 ? typed[k - 1] : "",
                 k > 1 ? " " : "", argv[k - 1]);
        jutsu_cli_suggest_init(&sg[k], typed[k]);
    }
    for (const struct jutsu_cmd *c = jutsu_commands; c->name; c++) {
        int k = 1;
        for (const char *p = c->name; *p; p++)
            k += *p == ' ';
        if (k < MAX_WORDS && k <= argc)
            jutsu_cli_suggest_offer(&sg[k], c->name);
    }
    const char *best = NULL;
    int best_dist = 0;
    for (int k = 1; k < MAX_WORDS && k <= argc; k++) {
        const char *b = jutsu_cli_suggest_best(&sg[k]);
        if (b != NULL && (best == NULL || sg[k].best_dist < best_dist)) {
            best = b;
            best_dist = sg[k].best_dist;
            *words = k;
        }
    }
    for (const struct jutsu_cmd *c = jutsu_commands; best && c->name; c++)
        if (strcmp(c->name, best) == 0)
            return c;
    return NULL;
}

/* "; did you mean `sync`?" for the words typed, or "" (buf holds it). */
static const char *did_you_mean(int argc, char **argv, char *typed, size_t tsize, char *buf,
                                size_t size)
{
    int words = 1;
    const struct jutsu_cmd *c = nearest(argc, argv, &words);
    snprintf(typed, tsize, "%s", argc > 0 ? argv[0] : "");
    if (c == NULL)
        return "";
    for (int w = 1; w < words; w++) {
        size_t len = strlen(typed);
        snprintf(typed + len, tsize - len, " %s", argv[w]);
    }
    snprintf(buf, size, "; did you mean `%s`?", c->name);
    return buf;
}

/* Lists the commands starting with `word` (for "jutsu config"); f NULL:
 * only counts them. */
static int print_group(FILE *f, const char *word)
{
    int n = 0;
    size_t len = strlen(word);
    for (const struct jutsu_cmd *c = jutsu_commands; c->name; c++)
        if (strncmp(c->name, word, len) == 0 && c->name[len] == ' ') {
            if (f && n == 0)
                fprintf(f, "commands of `%s`:\n", word);
            if (f)
                fprintf(f, "  %-18s %s\n", c->name, c->summary);
            n++;
        }
    return n;
}

int jutsu_cmd_help(struct jutsu_cli *cli)
{
    int rc = jutsu_cli_parse(cli, NULL, NULL, NULL);
    if (rc != 0)
        return rc;
    if (cli->argc <= 1) {
        print_global_help(stdout);
        return JUTSU_EXIT_OK;
    }
    int used;
    const struct jutsu_cmd *c = lookup(cli->argc - 1, cli->argv + 1, &used);
    if (c == NULL || used != cli->argc - 1) {
        char typed[128], hint[160];
        if (cli->argc == 2 && print_group(stdout, cli->argv[1]))
            return JUTSU_EXIT_OK;
        const char *mean = did_you_mean(cli->argc - 1, cli->argv + 1, typed, sizeof(typed),
                                        hint, sizeof(hint));
        return jutsu_cli_usage(cli, "no command \"%s\"%s%s", *mean ? typed : cli->argv[1],
                               mean, *mean ? "" : "; `jutsu help` lists them");
    }
    jutsu_cli_print_help(stdout, c);
    if (strchr(c->formats, ','))
        printf("\n--format: %s\n", c->formats);
    return JUTSU_EXIT_OK;
}

static int format_parse(const char *name, int *out)
{
    static const struct { const char *name; int fmt; } fmts[] = {
        { "text", JUTSU_FMT_TEXT }, { "table", JUTSU_FMT_TEXT }, { "json", JUTSU_FMT_JSON },
        { "yaml", JUTSU_FMT_YAML }, { "csv", JUTSU_FMT_CSV },
    };
    for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++)
        if (strcmp(name, fmts[i].name) == 0) {
            *out = fmts[i].fmt;
            return 0;
        }
    return JUTSU_EINVAL;
}

static int format_allowed(const char *list, const char *name)
{
    size_t len = strlen(name);
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        if (n == len && strncmp(p, name, n) == 0)
            return 1;
        p += n;
        if (*p == ',')
            p++;
    }
    /* "table" is the text format's other name */
    return strcmp(name, "table") == 0 && format_allowed(list, "text");
}

int jutsu_cli_parse(struct jutsu_cli *cli, const struct option *longopts,
                    int (*opt)(struct jutsu_cli *cli, int c, const char *arg, void *ud), void *ud)
{
    struct option all[32];
    size_t n = 0;
    for (; longopts && longopts[n].name && n < 28; n++)
        all[n] = longopts[n];
    all[n++] = (struct option){ "format", required_argument, NULL, 'F' };
    all[n++] = (struct option){ "help", no_argument, NULL, 'h' };
    all[n] = (struct option){ NULL, 0, NULL, 0 };

    /* the first format in the list is the command's default */
    char first[16];
    size_t flen = strcspn(cli->cmd->formats, ",");
    snprintf(first, sizeof(first), "%.*s", (int)flen, cli->cmd->formats);
    format_parse(first, &cli->format);

    optind = 0;          /* glibc: full reinitialisation */
    opterr = 0;
    int c;
    while ((c = getopt_long(cli->argc, cli->argv, ":h", all, NULL)) != -1) {
        int rc;
        switch (c) {
        case 'F':
            if (!format_allowed(cli->cmd->formats, optarg) || format_parse(optarg, &cli->format))
                return jutsu_cli_usage(cli, "--format %s is not supported here (use one of: %s)",
                                       optarg, cli->cmd->formats);
            break;
        case 'h':
            jutsu_cli_print_help(stdout, cli->cmd);
            return -1;
        case ':':
            return jutsu_cli_usage(cli, "option %s needs a value", cli->argv[optind - 1]);
        case '?':
            return jutsu_cli_usage(cli, "unknown option %s", cli->argv[optind - 1]);
        default:
            if (opt == NULL || (rc = opt(cli, c, optarg, ud)) != 0)
                return opt ? rc : jutsu_cli_usage(cli, "unknown option");
        }
    }
    /* keep argv[0] (the command) and the positional arguments */
    int npos = cli->argc - optind;
    memmove(cli->argv + 1, cli->argv + optind, (size_t)npos * sizeof(*cli->argv));
    cli->argc = npos + 1;
    return 0;
}

/* A config file that cannot be read is the first thing a new user meets
 * (`jutsu data status` in a fresh clone): say how a config is named, and
 * where the repository's is, beside the reason. */
static int unreadable_config(struct jutsu_cli *cli, struct jutsu_diag *diag)
{
    if (access(cli->config_path, R_OK) == 0)
        return 0;
    const char *why = strerror(errno);
    if (!cli->config_explicit)
        jutsu_diag_add(diag, "%s: cannot read the config file: %s\n"
                       "  hint: no -c FILE or $JUTSU_CONFIG named a config, so the installed "
                       "default was tried; the repository's default is " REPO_CONFIG ": "
                       "`jutsu -c " REPO_CONFIG " %s%s`", cli->config_path, why, cli->cmd->name,
                       cli->argc > 1 ? " ..." : "");
    else
        jutsu_diag_add(diag, "%s: cannot read the config file: %s\n"
                       "  hint: %s names the config file; the repository's default is "
                       REPO_CONFIG, cli->config_path, why,
                       cli->config_from_env ? "$JUTSU_CONFIG" : "-c FILE");
    return JUTSU_EIO;
}

int jutsu_cli_load(struct jutsu_cli *cli, struct jutsu_diag *diag)
{
    unsigned needs = cli->cmd->needs;
    int rc;
    if (needs == JUTSU_NEED_NOTHING)
        return 0;
    if ((rc = jutsu_app_new(&cli->app)) != 0)
        return rc;
    if ((needs & JUTSU_NEED_CONFIG_IF_ANY) && !cli->config_explicit &&
        access(cli->config_path, F_OK) != 0)
        /* no config file: the built-in plugin path still works */
        return jutsu_app_load_config_string(cli->app, "(built-in defaults)", "{}", diag);
    if ((rc = unreadable_config(cli, diag)) != 0)
        return rc;
    rc = jutsu_app_load_config(cli->app, cli->config_path, diag);
    if (rc == 0 && (needs & JUTSU_NEED_PLUGINS))
        rc = jutsu_app_load_plugins(cli->app, diag);
    /* only config check looks at the disk: the other commands meet a
     * missing file where they use it, and `config show` must still show
     * where a path points when it is wrong */
    if (rc == 0 && cli->cmd->run == jutsu_cmd_config_check)
        rc = jutsu_cfg_check_paths(cli->app->cfg, diag);
    return rc;
}

int jutsu_cli_load_or_report(struct jutsu_cli *cli)
{
    struct jutsu_diag diag;
    jutsu_diag_init(&diag);
    int rc = jutsu_cli_load(cli, &diag);
    if (rc != 0) {
        jutsu_diag_print(&diag, stderr, "jutsu: error: ");
        if (jutsu_diag_count(&diag) == 0)
            jutsu_cli_error("%s: %s", cli->config_path, jutsu_strerror(rc));
    }
    jutsu_diag_free(&diag);
    if (rc == 0)
        return JUTSU_EXIT_OK;
    return rc == JUTSU_ENOMEM ? JUTSU_EXIT_FAILURE : JUTSU_EXIT_CONFIG;
}

int jutsu_cli_start_storage(struct jutsu_cli *cli, unsigned kinds, jutsu_dbs **s)
{
    *s = NULL;
    int rc = jutsu_cli_load_or_report(cli);
    if (rc)
        return rc;
    if (jutsu_app_find(cli->app, JUTSU_STORAGE_INSTANCE) == NULL) {
        jutsu_cli_error("%s configures no database (set database.type, or DATABASE_URL)",
                        cli->config_path);
        return JUTSU_EXIT_CONFIG;
    }
    if (jutsu_app_start_kinds(cli->app, (1u << JUTSU_KIND_STORAGE) | kinds))
        return JUTSU_EXIT_FAILURE;
    if ((rc = jutsu_app_dbs_open(cli->app, s)) != 0) {
        jutsu_cli_error("cannot connect to the database: %s", jutsu_strerror(rc));
        return JUTSU_EXIT_FAILURE;
    }
    if ((rc = jutsu_app_ensure_schema(cli->app, *s)) != 0) {
        jutsu_cli_db_error(*s);
        jutsu_dbs_close(*s);
        *s = NULL;
        return JUTSU_EXIT_FAILURE;
    }
    return 0;
}

int jutsu_cli_no_args(struct jutsu_cli *cli)
{
    int rc = jutsu_cli_parse(cli, NULL, NULL, NULL);
    if (rc == 0 && cli->argc > 1)
        rc = jutsu_cli_usage(cli, "unexpected argument \"%s\"", cli->argv[1]);
    return rc;
}

/* The log settings of the command line. */
struct global_opts {
    int level;           /* -1: not given                         */
    int format;
    int format_given;
    int no_color;
};

/* One global option, before or after the command (c as getopt_long gives
 * it, for --help and --version too). -1 to go on, else the exit code. */
static int global_option(int c, const char *arg, const char *given, struct jutsu_cli *cli,
                         struct global_opts *g)
{
    switch (c) {
    case 'c':
        cli->config_path = arg;
        cli->config_explicit = 1;
        return -1;
    case 'L':
        if (jutsu_log_level_parse(arg, &g->level) != 0)
            return jutsu_cli_usage(NULL, "--log-level %s: use error, warn, info, debug or trace",
                                   arg);
        return -1;
    case 'O':
        if (jutsu_log_format_parse(arg, &g->format) != 0)
            return jutsu_cli_usage(NULL, "--log-format %s: use text, json or journal", arg);
        g->format_given = 1;
        return -1;
    case 'v': g->level = JUTSU_LOG_DEBUG; return -1;
    case 'q': g->level = JUTSU_LOG_WARN; return -1;
    case 'N': g->no_color = 1; return -1;
    case 'h': print_global_help(stdout); return JUTSU_EXIT_OK;
    case 'V':
        printf("jutsu %s (plugin ABI %d.%d)\n", JUTSU_VERSION, JUTSU_ABI_MAJOR, JUTSU_ABI_MINOR);
        return JUTSU_EXIT_OK;
    case ':': return jutsu_cli_usage(NULL, "option %s needs a value", given);
    default:  return jutsu_cli_usage(NULL, "unknown option %s (see `jutsu --help`)", given);
    }
}

/* Parses the options before the command. Returns -1 to go on to the
 * command, else the exit code (--help, --version, a usage error). */
static int parse_global(int argc, char **argv, struct jutsu_cli *cli, struct global_opts *g)
{
    static const struct option global[] = {
        { "config",     required_argument, NULL, 'c' },
        { "log-level",  required_argument, NULL, 'L' },
        { "log-format", required_argument, NULL, 'O' },
        { "verbose",    no_argument,       NULL, 'v' },
        { "quiet",      no_argument,       NULL, 'q' },
        { "no-color",   no_argument,       NULL, 'N' },
        { "help",       no_argument,       NULL, 'h' },
        { "version",    no_argument,       NULL, 'V' },
        { NULL, 0, NULL, 0 }
    };
    int c, rc;
    g->level = -1;
    g->format_given = 0;
    g->no_color = 0;
    jutsu_log_format_parse("auto", &g->format);
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:c:vqh", global, NULL)) != -1)
        if ((rc = global_option(c, optarg, argv[optind - 1], cli, g)) >= 0)
            return rc;
    return -1;
}

/* The global options that may follow the command's words, as written
 * there: exact words only, so that a command's own options and arguments
 * ("db downgrade -1", "backtest --capital") are never taken for one. */
static const struct {
    const char *word;
    int         c;
    int         has_arg;
} trailing[] = {
    { "-c", 'c', 1 },          { "--config", 'c', 1 },
    { "--log-level", 'L', 1 }, { "--log-format", 'O', 1 },
    { "-v", 'v', 0 },          { "--verbose", 'v', 0 },
    { "-q", 'q', 0 },          { "--quiet", 'q', 0 },
    { "--no-color", 'N', 0 },
};

/* Which global option argv[*i] is (0: none), and its value: the next word
 * (*i moves on), after '=' of a long one, or glued to -c. */
static int trailing_option(int argc, char **argv, int *i, const char **arg)
{
    const char *a = argv[*i];
    *arg = NULL;
    for (size_t t = 0; t < sizeof(trailing) / sizeof(trailing[0]); t++) {
        size_t len = strlen(trailing[t].word);
        if (strncmp(a, trailing[t].word, len) != 0)
            continue;
        if (a[len] == '\0') {
            if (trailing[t].has_arg && *i + 1 < argc)
                *arg = argv[++*i];
            return trailing[t].has_arg && *arg == NULL ? ':' : trailing[t].c;
        }
        if (trailing[t].has_arg && (a[len] == '=' || len == 2)) {
            *arg = a + len + (a[len] == '=');
            return trailing[t].c;
        }
    }
    return 0;
}

/* Takes the global options out of argv[from..*argc) (up to a "--"),
 * compacting the rest, so that `jutsu data status -c FILE` is `jutsu -c
 * FILE data status`. -1 to go on, else the exit code of a usage error. */
static int trailing_globals(int *argc, char **argv, int from, struct jutsu_cli *cli,
                            struct global_opts *g)
{
    int out = from, i = from;
    for (; i < *argc && strcmp(argv[i], "--") != 0; i++) {
        const char *arg, *given = argv[i];
        int c = trailing_option(*argc, argv, &i, &arg), rc;
        if (c == 0)
            argv[out++] = argv[i];
        else if ((rc = global_option(c, arg, given, cli, g)) >= 0)
            return rc;
    }
    while (i < *argc)
        argv[out++] = argv[i++];
    argv[out] = NULL;
    *argc = out;
    return -1;
}

/* An unknown command: the nearest one if it is close, else the group's
 * commands if the first word is one ("jutsu data"), else a pointer to
 * `jutsu help`. */
static int unknown_command(int argc, char **argv)
{
    char typed[128], hint[160];
    const char *mean = did_you_mean(argc, argv, typed, sizeof(typed), hint, sizeof(hint));
    if (*mean)
        return jutsu_cli_usage(NULL, "unknown command \"%s\"%s", typed, mean);
    if (argc > 1 && print_group(NULL, argv[0]) > 0)
        jutsu_cli_usage(NULL, "unknown command \"%s %s\"", argv[0], argv[1]);
    if (print_group(stderr, argv[0]))
        return JUTSU_EXIT_USAGE;
    return jutsu_cli_usage(NULL, "unknown command \"%s\" (see `jutsu help`)", argv[0]);
}

int jutsu_cli_main(int argc, char **argv)
{
    struct jutsu_cli cli = { 0 };
    struct global_opts g;
    int rc = parse_global(argc, argv, &cli, &g);
    if (rc >= 0)
        return rc;
    int first = optind, used;
    if (first >= argc) {
        print_global_help(stderr);
        return JUTSU_EXIT_USAGE;
    }
    const struct jutsu_cmd *cmd = lookup(argc - first, argv + first, &used);
    if (cmd == NULL)
        return unknown_command(argc - first, argv + first);
    if ((rc = trailing_globals(&argc, argv, first + used, &cli, &g)) >= 0)
        return rc;
    const char *env = getenv("JUTSU_LOG_LEVEL");
    if (g.level < 0 && env && *env && jutsu_log_level_parse(env, &g.level) != 0)
        return jutsu_cli_usage(NULL, "JUTSU_LOG_LEVEL=%s: use error, warn, info, debug "
                               "or trace", env);
    jutsu_log_configure(JUTSU_LOG_INFO, g.format);
    jutsu_log_pin(g.level, g.format_given ? g.format : -1);

    if (cli.config_path == NULL) {
        env = getenv("JUTSU_CONFIG");
        cli.config_path = env && *env ? env : DEFAULT_CONFIG;
        cli.config_explicit = cli.config_from_env = env && *env;
    }
    cli.cmd = cmd;
    cli.color = jutsu_cli_color_wanted(g.no_color);
    /* one-shot commands print their result; their progress notes are
     * noise unless asked for (-v, --log-level). serve logs what it does. */
    if (g.level < 0 && cmd->run != jutsu_cmd_serve)
        jutsu_log_pin(JUTSU_LOG_WARN, g.format_given ? g.format : -1);
    /* argv[0] of the command is its last word */
    cli.argv = argv + first + used - 1;
    cli.argc = argc - first - used + 1;

    rc = cmd->run(&cli);
    if (rc < 0)    /* --help was printed */
        rc = JUTSU_EXIT_OK;
    jutsu_app_free(cli.app);
    return rc;
}
