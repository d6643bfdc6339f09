/*
 * plugins/source-csv/csv_header.c — finding the layout of a bar file from
 * its header.
 *
 * Columns are recognised by name, not by position, because the layouts
 * seen in the wild put the same columns in different orders: Yahoo's web
 * export (Date,Open,High,Low,Close,Adj Close,Volume), yfinance's flat
 * file (Date,Adj Close,Close,High,Low,Open,Volume), multi-symbol files
 * (symbol,date,open,...). Names are compared case-insensitively and with
 * everything but letters and digits dropped, so "Adj Close", "adj_close"
 * and "AdjClose" are one column.
 *
 * Newer yfinance writes three header lines: "Price,Adj Close,..." (the
 * first column, which holds the dates, is called Price), "Ticker,TLT,..."
 * and "Date,,,,,,". The Ticker line names the symbol; a file whose Ticker
 * line names several (yfinance's wide multi-ticker download) is refused,
 * since its columns would mix symbols.
 */
#include <stdio.h>
#include <string.h>

#include "jutsu/error.h"
#include "csv_int.h"

static const struct {
    const char *key;     /* normalised name */
    int         col;
} names[] = {
    { "date", CSV_DATE }, { "timestamp", CSV_DATE }, { "datetime", CSV_DATE },
    { "open", CSV_OPEN }, { "high", CSV_HIGH }, { "low", CSV_LOW }, { "close", CSV_CLOSE },
    { "adjclose", CSV_ADJ }, { "volume", CSV_VOLUME },
    { "symbol", CSV_SYMBOL }, { "ticker", CSV_SYMBOL },
};

static const char *const col_title[CSV_NCOL] = {
    "Date", "Open", "High", "Low", "Close", "Adj Close", "Volume", "symbol"
};

/* Lower-case letters and digits of f, at most size-1 of them. */
static void normalise(const struct csv_field *f, char *out, size_t size)
{
    size_t n = 0;
    for (uint32_t i = 0; i < f->len && n + 1 < size; i++) {
        char c = f->p[i];
        if (c >= 'A' && c <= 'Z')
            out[n++] = (char)(c - 'A' + 'a');
        else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            out[n++] = c;
    }
    out[n] = '\0';
}

static int lookup(const char *key)
{
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(names[i].key, key) == 0)
            return names[i].col;
    return -1;
}

static void set_name(struct csv_layout *l, int col, const struct csv_field *f)
{
    size_t n = f->len < CSV_NAME_MAX - 1 ? f->len : CSV_NAME_MAX - 1;
    memcpy(l->name[col], f->p, n);
    l->name[col][n] = '\0';
}

/* Maps the header row's fields to columns. *price is the index of a
 * "Price" column (yfinance's three-line header), else -1. */
static int map_columns(const char *file, const struct csv_row *r, struct csv_layout *l,
                       int *price, char *why, size_t whysz)
{
    char key[32];
    int n = r->n < CSV_MAX_FIELDS ? r->n : CSV_MAX_FIELDS;
    *price = -1;
    for (int i = 0; i < n; i++) {
        normalise(&r->f[i], key, sizeof(key));
        int col = lookup(key);
        if (col < 0) {
            if (strcmp(key, "price") == 0 && *price < 0)
                *price = i;
            continue;
        }
        if (l->col[col] >= 0) {
            snprintf(why, whysz, "%s:%u: the header has two %s columns (fields %d and %d)",
                     file, r->line, col_title[col], l->col[col] + 1, i + 1);
            return JUTSU_EMALFORMED;
        }
        l->col[col] = i;
        set_name(l, col, &r->f[i]);
    }
    return 0;
}

/* The Ticker line's symbol: every non-empty field after the first must
 * name the same one. */
static int read_ticker(const char *file, const struct csv_row *r, struct csv_layout *l,
                       char *why, size_t whysz)
{
    char sym[CSV_SYMBOL_MAX];
    int n = r->n < CSV_MAX_FIELDS ? r->n : CSV_MAX_FIELDS;
    for (int i = 1; i < n; i++) {
        const struct csv_field *f = &r->f[i];
        if (f->len == 0)
            continue;
        if (csv_symbol_copy(sym, f->p, f->len) != 0) {
            snprintf(why, whysz, "%s:%u: the Ticker line names \"%.*s\", which is not a "
                     "symbol", file, r->line, (int)(f->len < 40 ? f->len : 40), f->p);
            return JUTSU_EMALFORMED;
        }
        if (l->ticker[0] && strcmp(l->ticker, sym) != 0) {
            snprintf(why, whysz, "%s:%u: the Ticker line names several symbols (%s, %s): "
                     "a yfinance multi-ticker download; save one symbol per file", file,
                     r->line, l->ticker, sym);
            return JUTSU_EMALFORMED;
        }
        memcpy(l->ticker, sym, sizeof(sym));
    }
    l->ticker_line = r->line;
    return 0;
}

/* After a "Price" header: consume the Ticker and Date lines that follow. */
static int read_yfinance_lines(struct csv_reader *rd, struct csv_layout *l, char *why,
                               size_t whysz)
{
    struct csv_row r;
    char key[32];
    for (int k = 0; k < 2; k++) {
        int rc = csv_next_row(rd, &r);
        if (rc <= 0)
            return rc;
        /* A row that could not be split is data (rejected with its line),
         * not a header line: its fields are not looked at. */
        if (r.bad != NULL) {
            csv_unread_row(rd, &r);
            return 0;
        }
        normalise(&r.f[0], key, sizeof(key));
        if (strcmp(key, "ticker") == 0) {
            if ((rc = read_ticker(rd->file, &r, l, why, whysz)) != 0)
                return rc;
        } else if (strcmp(key, "date") != 0) {
            csv_unread_row(rd, &r);     /* already data */
            return 0;
        }
    }
    return 0;
}

/* Names the required columns the header lacks, into why. */
static int check_required(const char *file, uint32_t line, const struct csv_layout *l,
                          int adj_close, char *why, size_t whysz)
{
    static const int required[] = { CSV_DATE, CSV_OPEN, CSV_HIGH, CSV_LOW, CSV_CLOSE,
                                    CSV_VOLUME };
    char missing[128] = "";
    size_t used = 0;
    for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
        if (l->col[required[i]] < 0)
            used += (size_t)snprintf(missing + used, sizeof(missing) - used, "%s%s",
                                     used ? ", " : "", col_title[required[i]]);
    if (adj_close && l->col[CSV_ADJ] < 0)
        used += (size_t)snprintf(missing + used, sizeof(missing) - used,
                                 "%sAdj Close (price_column: adj_close)", used ? ", " : "");
    if (used == 0)
        return 0;
    snprintf(why, whysz, "%s:%u: the header has no %s column; a bar file needs Date (or "
             "timestamp), Open, High, Low, Close and Volume, in any order", file, line, missing);
    return JUTSU_EMALFORMED;
}

int csv_layout_read(struct csv_reader *rd, int adj_close, struct csv_layout *l, char *why,
                    size_t whysz)
{
    struct csv_row r;
    int price, rc;

    memset(l, 0, sizeof(*l));
    for (int i = 0; i < CSV_NCOL; i++)
        l->col[i] = -1;
    csv_reader_skip_bom(rd);
    do {
        if ((rc = csv_next_row(rd, &r)) < 0)
            return rc;
        if (rc == 0) {
            snprintf(why, whysz, "%s: the file is empty: no header line", rd->file);
            return JUTSU_EMALFORMED;
        }
    } while (csv_row_blank(&r));
    if (r.bad != NULL) {
        snprintf(why, whysz, "%s:%u: header: %s", rd->file, r.line, r.bad);
        return JUTSU_EMALFORMED;
    }
    rc = map_columns(rd->file, &r, l, &price, why, whysz);
    /* A wide multi-ticker download repeats every column: say that rather
     * than "two Close columns". */
    if (l->col[CSV_DATE] < 0 && price >= 0) {
        int rc2 = read_yfinance_lines(rd, l, why, whysz);
        if (rc2 != 0)
            return rc2;
        l->col[CSV_DATE] = price;
        strcpy(l->name[CSV_DATE], "Date");
    }
    if (rc != 0)
        return rc;
    l->nheader = r.n;
    return check_required(rd->file, r.line, l, adj_close, why, whysz);
}
