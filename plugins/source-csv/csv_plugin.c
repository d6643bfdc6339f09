/*
 * plugins/source-csv/csv_plugin.c — source-csv: daily (or intraday) bars
 * from CSV files. The descriptor, its config schema, init/destroy, and the
 * source ops: caps, fetch, list_symbols and read_file.
 *
 * `path` is either a directory of SYMBOL.csv files (the symbol is the file
 * name up to its first '.', matched case-insensitively) or one file, which
 * holds either one symbol (named by `symbol`, a yfinance Ticker line or
 * the file name, in that order) or several in a `symbol` column. A file is
 * read in chunks of whole lines into one buffer that the parser cuts in
 * place (csv_read.c, csv_split.c, csv_header.c, csv_rows.c): nothing is
 * allocated per row, and nothing is cached between fetches, so a file
 * replaced on disk is seen by the next fetch.
 *
 * Concurrency: no op keeps state between calls beyond the read-only
 * config, but the flag JUTSU_SOURCE_CONCURRENT is not claimed: a file
 * source gains nothing from parallel fetches of one disk.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "jutsu/error.h"
#include "jutsu/host.h"
#include "jutsu/log.h"
#include "jutsu/plugin.h"
#include "csv_int.h"

/* The settings, as host->cfg_fill writes them from the schema below. */
struct csv_conf {
    const char *path;              /* the host's, valid until destroy   */
    int         timeframe;         /* index into timeframe_choices      */
    const char *symbol;            /* NULL: not given                   */
    int         adj_close;         /* price_column: 1 for adj_close     */
    int         round;             /* rounding: JUTSU_MONEY_*           */
};

static const char *const timeframe_choices[] = { "1D", "1H", "5m", "15m", NULL };
static const char *const price_choices[] = { "close", "adj_close", NULL };
static const int price_values[] = { 0, 1 };
static const char *const rounding_choices[] = { "half_even", "exact", NULL };
static const int rounding_values[] = { JUTSU_MONEY_HALF_EVEN, JUTSU_MONEY_EXACT };

static const struct jutsu_cfg_key schema[] = {
    JUTSU_CFG_PATH_AT("path", JUTSU_CFG_REQUIRED | JUTSU_CFG_MUST_EXIST, NULL,
                      "A CSV file, or a directory of SYMBOL.csv files (one symbol each); "
                      "relative to the config file's directory", struct csv_conf, path),
    JUTSU_CFG_ENUM_AT("timeframe", timeframe_choices, NULL, "1D",
                      "The timeframe of the bars in the files", struct csv_conf, timeframe),
    JUTSU_CFG_KEY_AT("symbol", JUTSU_CFG_STR, NULL,
                     "The symbol when path is one file without a symbol column; default: its "
                     "Ticker line, else its name up to the first '.', upper-cased",
                     struct csv_conf, symbol),
    /* validated and shown, but not read here: the bars' data_source is
     * the host's (core/market names it after the plugin) */
    JUTSU_CFG_KEY("data_source", JUTSU_CFG_STR, "csv",
                  "Ignored, kept so that older configs load: bars are recorded with "
                  "data_source \"csv\", the plugin's name"),
    JUTSU_CFG_ENUM_AT("price_column", price_choices, price_values, "close",
                      "close (split-adjusted, what the original system traded on) or adj_close "
                      "(also dividend-adjusted; Open/High/Low are scaled by the same factor)",
                      struct csv_conf, adj_close),
    JUTSU_CFG_ENUM_AT("rounding", rounding_choices, rounding_values, "half_even",
                      "half_even rounds float artefacts (46.41999816894531 -> 46.419998) to 6 "
                      "decimals; exact rejects a row with more than 6", struct csv_conf, round),
    JUTSU_CFG_END
};

struct csv_src {
    const struct jutsu_host *host;
    jutsu_ctx   *ctx;
    char        *path;
    int          is_dir;
    char         symbol[CSV_SYMBOL_MAX];   /* from the config, or "" */
    int          round;
    int          adj_close;
    char         timeframe[8];
    const char  *timeframes[2];
};

/* One file to parse, and what the caller wants from it. */
struct file_req {
    const char  *file;
    const char  *want;        /* the symbol asked for; NULL: the file's own   */
    const char  *cfg_symbol;  /* the configured symbol of a single file, or NULL */
    int          name_is_key; /* directory: the file was found by its name    */
    int          explicit_sym;/* read_file(symbol): the caller names the file's */
    jutsu_time_t from, to;
    const struct jutsu_source_sink *sink;
};

/* The symbol a file name gives: the base name up to its first '.'. */
static int name_symbol(const char *path, char *out)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strchr(base, '.');
    return csv_symbol_copy(out, base, dot ? (size_t)(dot - base) : strlen(base));
}

/* A directory entry that serves a symbol: NAME.csv or NAME.anything.csv. */
static int entry_symbol(const char *name, char *out)
{
    size_t n = strlen(name);
    if (n < 5 || strcasecmp(name + n - 4, ".csv") != 0 || name[0] == '.')
        return JUTSU_EINVAL;
    return name_symbol(name, out);
}

/* The file of `symbol` in the directory: SYMBOL.csv exactly if present,
 * else the first (by name) whose symbol matches case-insensitively. */
static int find_file(struct csv_src *s, const char *symbol, char **out)
{
    char sym[CSV_SYMBOL_MAX], best[256] = "";
    size_t len = strlen(symbol);
    int count = 0, exact = 0;
    struct dirent *e;
    DIR *d = opendir(s->path);
    if (d == NULL) {
        s->host->set_error(s->ctx, "cannot read the directory %s: %s", s->path,
                           strerror(errno));
        return JUTSU_EIO;
    }
    while (!exact && (e = readdir(d)) != NULL) {
        if (e->d_type == DT_DIR || entry_symbol(e->d_name, sym) != 0 ||
            strcasecmp(sym, symbol) != 0 || strlen(e->d_name) >= sizeof(best))
            continue;
        count++;
        exact = strncmp(e->d_name, symbol, len) == 0 && strcmp(e->d_name + len, ".csv") == 0;
        if (exact || best[0] == '\0' || strcmp(e->d_name, best) < 0)
            strcpy(best, e->d_name);
    }
    closedir(d);
    if (count == 0)
        return JUTSU_ENOTFOUND;
    if (count > 1 && !exact)
        s->host->log(s->ctx, JUTSU_LOG_WARN, "%s: several files in %s serve %s; reading %s "
                     "(name one %s.csv to choose)", symbol, s->path, symbol, best, symbol);
    return asprintf(out, "%s/%s", s->path, best) < 0 ? JUTSU_ENOMEM : 0;
}

/* The symbol of a file without a symbol column. */
static int file_symbol(struct csv_src *s, const struct file_req *q, const struct csv_layout *l,
                       char *out)
{
    char name[CSV_SYMBOL_MAX];
    int have_name = name_symbol(q->file, name) == 0;
    if (q->name_is_key && l->ticker[0] && have_name && strcmp(l->ticker, name) != 0) {
        s->host->set_error(s->ctx, "%s:%u: the Ticker line names %s but the file name says %s: "
                           "rename the file or correct the line", q->file, l->ticker_line,
                           l->ticker, name);
        return JUTSU_EMALFORMED;
    }
    const char *sym = q->cfg_symbol ? q->cfg_symbol : l->ticker[0] ? l->ticker
                    : have_name ? name : NULL;
    if (sym == NULL) {
        s->host->set_error(s->ctx, "%s: the file name gives no symbol and the file has no "
                           "symbol column: set `symbol:`", q->file);
        return JUTSU_EINVAL;
    }
    strcpy(out, sym);
    return 0;
}

/* Opens a file and reads its header; the reason of a failure goes to
 * set_error. */
static int open_file(struct csv_src *s, const char *file, struct csv_reader *rd,
                     struct csv_layout *l)
{
    char why[768];
    int rc = csv_reader_open(rd, file, why, sizeof(why));
    if (rc == 0 && (rc = csv_layout_read(rd, s->adj_close, l, why, sizeof(why))) != 0)
        csv_reader_close(rd);
    if (rc == JUTSU_EIO && rd->err != 0)
        snprintf(why, sizeof(why), "cannot read %s: %s", file, strerror(rd->err));
    if (rc != 0 && rc != JUTSU_ENOMEM)
        s->host->set_error(s->ctx, "%s", why);
    return rc;
}

static int parse_file(struct csv_src *s, const struct file_req *q)
{
    char want[CSV_SYMBOL_MAX];
    struct csv_reader rd;
    struct csv_layout l;
    struct csv_job job = { .file = q->file, .round = s->round, .adj_close = s->adj_close,
                           .from = q->from, .to = q->to, .sink = q->sink };
    int rc;
    if (q->want && csv_symbol_copy(want, q->want, strlen(q->want)) != 0)
        return JUTSU_ENOTFOUND;      /* no file can hold it */
    if ((rc = open_file(s, q->file, &rd, &l)) != 0)
        return rc;
    if (l.col[CSV_SYMBOL] >= 0) {
        job.symbol = q->want ? want : NULL;
    } else if (q->explicit_sym) {
        memcpy(job.batch_symbol, want, sizeof(want));
    } else {
        if ((rc = file_symbol(s, q, &l, job.batch_symbol)) != 0)
            goto done;
        if (q->want && strcmp(want, job.batch_symbol) != 0) {
            rc = JUTSU_ENOTFOUND;
            goto done;
        }
    }
    rc = csv_rows(&l, &rd, &job);
    if (rc == JUTSU_EIO)
        s->host->set_error(s->ctx, "cannot read %s: %s", q->file, strerror(rd.err));
    if (rc == 0 && l.col[CSV_SYMBOL] >= 0 && q->want && job.matched == 0)
        rc = JUTSU_ENOTFOUND;
    s->host->log(s->ctx, JUTSU_LOG_DEBUG, "%s: %llu bar(s) delivered, %llu row(s) rejected%s",
                 q->file, (unsigned long long)job.delivered, (unsigned long long)job.rejected,
                 rc > 0 ? " (stopped by the receiver)" : "");
done:
    csv_reader_close(&rd);
    return rc;
}

static int csv_fetch(void *state, const struct jutsu_fetch_req *req,
                     const struct jutsu_source_sink *sink)
{
    struct csv_src *s = state;
    char *file = NULL;
    int rc;
    if (req == NULL || req->size < sizeof(*req) || req->symbol == NULL ||
        req->timeframe == NULL || sink == NULL || sink->size < sizeof(*sink) ||
        sink->bars == NULL)
        return JUTSU_EINVAL;
    if (strcmp(req->timeframe, s->timeframe) != 0)
        return JUTSU_ENOTFOUND;      /* the files hold one timeframe only */
    if (req->from > req->to)
        return 0;
    if (s->is_dir && (rc = find_file(s, req->symbol, &file)) != 0)
        return rc;
    struct file_req q = { .file = file ? file : s->path, .want = req->symbol,
                          .cfg_symbol = s->symbol[0] ? s->symbol : NULL,
                          .name_is_key = s->is_dir, .from = req->from, .to = req->to,
                          .sink = sink };
    rc = parse_file(s, &q);
    free(file);
    return rc;
}

static int csv_read_file(void *state, const char *path, const char *symbol,
                         const struct jutsu_source_sink *sink)
{
    if (path == NULL || sink == NULL || sink->size < sizeof(*sink) || sink->bars == NULL ||
        (symbol && (*symbol == '\0' || strlen(symbol) >= CSV_SYMBOL_MAX)))
        return JUTSU_EINVAL;
    struct file_req q = { .file = path, .want = symbol, .explicit_sym = symbol != NULL,
                          .from = INT64_MIN, .to = INT64_MAX, .sink = sink };
    return parse_file(state, &q);
}

static int list_dir(struct csv_src *s, struct csv_symset *set)
{
    char sym[CSV_SYMBOL_MAX];
    struct dirent *e;
    int rc = 0;
    DIR *d = opendir(s->path);
    if (d == NULL) {
        s->host->set_error(s->ctx, "cannot read the directory %s: %s", s->path,
                           strerror(errno));
        return JUTSU_EIO;
    }
    while (rc == 0 && (e = readdir(d)) != NULL)
        if (e->d_type != DT_DIR && entry_symbol(e->d_name, sym) == 0)
            rc = csv_symset_add(set, sym);
    closedir(d);
    return rc;
}

static int add_symbol(const char *symbol, void *set)
{
    return csv_symset_add(set, symbol);
}

static int list_file(struct csv_src *s, struct csv_symset *set)
{
    char sym[CSV_SYMBOL_MAX];
    struct csv_reader rd;
    struct csv_layout l;
    int rc = open_file(s, s->path, &rd, &l);
    if (rc != 0)
        return rc;
    if (l.col[CSV_SYMBOL] >= 0) {
        rc = csv_scan_symbols(&l, &rd, add_symbol, set);
        if (rc == JUTSU_EIO)
            s->host->set_error(s->ctx, "cannot read %s: %s", s->path, strerror(rd.err));
    } else {
        struct file_req q = { .file = s->path, .cfg_symbol = s->symbol[0] ? s->symbol : NULL };
        if ((rc = file_symbol(s, &q, &l, sym)) == 0)
            rc = csv_symset_add(set, sym);
    }
    csv_reader_close(&rd);
    return rc;
}

static int csv_list_symbols(void *state, int (*fn)(const char *symbol, void *arg), void *arg)
{
    struct csv_src *s = state;
    struct csv_symset set = { 0 };
    if (fn == NULL)
        return JUTSU_EINVAL;
    int rc = s->is_dir ? list_dir(s, &set) : list_file(s, &set);
    if (rc == 0)
        rc = csv_symset_each(&set, fn, arg);
    csv_symset_free(&set);
    return rc;
}

static int csv_caps(void *state, struct jutsu_source_caps *out)
{
    struct csv_src *s = state;
    if (out == NULL)
        return JUTSU_EINVAL;
    out->timeframes = s->timeframes;
    out->history_days = 0;
    out->requests_per_minute = 0;
    out->flags = JUTSU_SOURCE_FILES;
    return 0;
}

static int check_path(struct csv_src *s)
{
    struct stat st;
    if (stat(s->path, &st) != 0)
        return s->host->cfg_error(s->ctx, "path", "path %s: %s (give a CSV file or a directory "
                                  "of SYMBOL.csv files)", s->path, strerror(errno));
    s->is_dir = S_ISDIR(st.st_mode);
    if (!s->is_dir && !S_ISREG(st.st_mode))
        return s->host->cfg_error(s->ctx, "path", "path %s is neither a file nor a directory",
                                  s->path);
    if (s->is_dir && s->symbol[0])
        return s->host->cfg_error(s->ctx, "symbol", "symbol %s is for a single file, but path "
                                  "%s is a directory, whose file names give the symbols: "
                                  "remove symbol", s->symbol, s->path);
    return 0;
}

static int read_config(struct csv_src *s)
{
    const struct jutsu_host *h = s->host;
    struct csv_conf c = { 0 };
    if (h->cfg_fill(s->ctx, &c) != 0)
        return JUTSU_ECONFIG;       /* the host has said which key, and why */
    if (c.symbol && csv_symbol_copy(s->symbol, c.symbol, strlen(c.symbol)) != 0)
        return h->cfg_error(s->ctx, "symbol", "symbol \"%s\" is not a symbol (1 to %d "
                            "characters)", c.symbol, CSV_SYMBOL_MAX - 1);
    snprintf(s->timeframe, sizeof(s->timeframe), "%s", timeframe_choices[c.timeframe]);
    s->timeframes[0] = s->timeframe;
    s->timeframes[1] = NULL;
    s->adj_close = c.adj_close;
    s->round = c.round;
    if ((s->path = strdup(c.path)) == NULL)
        return JUTSU_ENOMEM;
    /* "dir/" and "dir" name one directory; keep file names clean. */
    for (size_t n = strlen(s->path); n > 1 && s->path[n - 1] == '/'; n--)
        s->path[n - 1] = '\0';
    return check_path(s);
}

static void csv_destroy(void *state)
{
    struct csv_src *s = state;
    if (s == NULL)
        return;
    free(s->path);
    free(s);
}

static int csv_init(const struct jutsu_host *host, jutsu_ctx *ctx, void **state)
{
    struct csv_src *s = calloc(1, sizeof(*s));
    int rc;
    if (s == NULL)
        return JUTSU_ENOMEM;
    s->host = host;
    s->ctx = ctx;
    if ((rc = read_config(s)) != 0) {
        csv_destroy(s);
        return rc;
    }
    host->log(ctx, JUTSU_LOG_INFO, "reading %s bars from %s %s (%s, rounding %s)",
              s->timeframe, s->is_dir ? "the directory" : "the file", s->path,
              s->adj_close ? "Adj Close" : "Close",
              s->round == JUTSU_MONEY_EXACT ? "exact" : "half to even");
    *state = s;
    return 0;
}

static const struct jutsu_source_ops ops = {
    .size         = sizeof(struct jutsu_source_ops),
    .caps         = csv_caps,
    .fetch        = csv_fetch,
    .list_symbols = csv_list_symbols,
    .read_file    = csv_read_file,
};

static const struct jutsu_plugin desc = {
    JUTSU_PLUGIN_HEADER,
    .kind        = JUTSU_KIND_SOURCE,
    .name        = "source-csv",
    .version     = "1.0.0",
    .description = "Market data bars from CSV files (Yahoo and yfinance layouts, "
                   "multi-symbol files)",
    .schema      = schema,
    .init        = csv_init,
    .destroy     = csv_destroy,
    .ops         = &ops,
};

JUTSU_PLUGIN_DECLARE(desc)
