/*
 * plugins/source-csv/csv_int.h — the CSV source's parser, shared by its
 * files: csv_read.c reads a file in chunks of whole lines, csv_split.c cuts
 * a line into fields, csv_header.c finds the layout of a file, csv_rows.c
 * turns its rows into bars, csv_plugin.c finds files and speaks struct
 * jutsu_source_ops.
 *
 * A row is cut in place in the reader's buffer, which the parser may write
 * to (quoted fields are unescaped in place), so that no row ever
 * allocates. Nothing here is shared between calls: each fetch has its own
 * reader, and so the parser is reentrant.
 */
#ifndef JUTSU_SOURCE_CSV_INT_H
#define JUTSU_SOURCE_CSV_INT_H

#include <stddef.h>
#include <stdint.h>

#include "jutsu/source.h"

/* The columns a layout maps; CSV_NCOL counts them. */
enum csv_col {
    CSV_DATE, CSV_OPEN, CSV_HIGH, CSV_LOW, CSV_CLOSE, CSV_ADJ, CSV_VOLUME, CSV_SYMBOL,
    CSV_NCOL
};

#define CSV_MAX_FIELDS  64     /* fields read per row; more are counted only */
#define CSV_BATCH       4096   /* bars per sink->bars call                   */
#define CSV_SYMBOL_MAX  32     /* longest symbol, with its NUL               */
#define CSV_NAME_MAX    24     /* a column's name as the header writes it    */
#define CSV_PAD         8      /* NUL bytes after a buffer's end (see csv_split) */
#define CSV_CHUNK       (1u << 20)  /* bytes read at a time (see csv_read.c)  */

/* One field of a row: borrowed from the file buffer. */
struct csv_field {
    const char *p;
    uint32_t    len;
    uint32_t    quoted;    /* it was quoted (then "1,234" may be in it)    */
};

/* One row, as csv_split() leaves it. */
struct csv_row {
    struct csv_field f[CSV_MAX_FIELDS];
    int      n;            /* fields in the row (may exceed CSV_MAX_FIELDS) */
    uint32_t line;         /* its first line, 1-based                       */
    const char *bad;       /* non-NULL: why the row cannot be split         */
};

/* Where the columns of a file are, found from its header line(s). */
struct csv_layout {
    int      col[CSV_NCOL];               /* field index, -1 if absent      */
    char     name[CSV_NCOL][CSV_NAME_MAX]; /* as written, for messages       */
    int      nheader;                      /* fields in the header line      */
    char     ticker[CSV_SYMBOL_MAX];       /* yfinance "Ticker" line, or ""  */
    uint32_t ticker_line;
};

/* A file being read: [p, safe) holds complete lines not parsed yet. */
struct csv_reader {
    const char *file;
    int      fd;
    char    *buf;          /* cap bytes and CSV_PAD NULs                   */
    size_t   cap;
    char    *p, *safe, *end;
    uint32_t line;         /* number of the line at p                      */
    int      eof;
    int      err;          /* errno of a failed read                       */
    int      held;         /* csv_unread_row: held_row comes next          */
    struct csv_row held_row;
};

/* The bars a file has delivered lately, by symbol and time (see
 * csv_seen.c): the last CSV_SEEN_WINDOW to CSV_SEEN_WINDOW * 2 of them, so
 * that memory does not grow with the file. Zero-initialise; csv_seen_free
 * when done. */
#define CSV_SEEN_WINDOW (1u << 16)
struct csv_seen_bar {
    jutsu_time_t  ts;
    jutsu_money_t open, high, low, close;
    int64_t       volume;
    uint32_t      line, sym;
};
struct csv_seen_gen {
    struct csv_seen_bar *v;
    size_t    n, cap;
    uint32_t *slot;                  /* index into v, or UINT32_MAX      */
    size_t    nslot;
};
struct csv_seen {
    struct csv_seen_gen cur, old;    /* the newest bars; the ones before */
    char    (*sym)[CSV_SYMBOL_MAX];  /* interned symbols                 */
    size_t    nsym;
    uint32_t *symslot, last;
    size_t    nsymslot;
};

/* What a parse delivers, and to whom. */
struct csv_job {
    const char *file;          /* for "FILE:LINE" in rejects                */
    int         round;         /* JUTSU_MONEY_EXACT or JUTSU_MONEY_HALF_EVEN */
    int         adj_close;     /* Close from "Adj Close", O/H/L scaled by it */
    const char *symbol;        /* symbol-column files: only rows of this one
                                  (upper case); NULL = every row            */
    char        batch_symbol[CSV_SYMBOL_MAX]; /* named to sink->bars: the
                                  file's symbol, or (symbol column) the rows' */
    jutsu_time_t from, to;     /* inclusive                                 */
    const struct jutsu_source_sink *sink;
    struct csv_seen seen;      /* zero; csv_rows frees it                  */
    /* results */
    uint64_t    matched;       /* rows of `symbol` (or any) seen, good or bad */
    uint64_t    delivered, rejected;
};

/* Opens a file for reading and reads its first chunk. 0, JUTSU_EIO (the
 * reason, "cannot read FILE: ...", in why) or JUTSU_ENOMEM. */
int  csv_reader_open(struct csv_reader *rd, const char *file, char *why, size_t whysz);
void csv_reader_close(struct csv_reader *rd);
/* Steps over a UTF-8 byte order mark at the start of the file. */
void csv_reader_skip_bom(struct csv_reader *rd);
/* The next row: 1, 0 at the end of the file, JUTSU_EIO (errno in rd->err)
 * or JUTSU_ENOMEM. The row's fields stay valid until the next call. */
int  csv_next_row(struct csv_reader *rd, struct csv_row *r);
/* Makes the row just read the next one again. */
void csv_unread_row(struct csv_reader *rd, const struct csv_row *r);

/* Splits the row starting at *pos (which must be < end; end[0..CSV_PAD)
 * must be NUL bytes: the splitter's sentinel) into r and moves *pos past
 * its line end; *line is the number of the row's line and is advanced.
 * Quoted fields are unescaped in place. */
void csv_split(char **pos, char *end, uint32_t *line, struct csv_row *r);

/* Nonzero if the row has no non-empty field (a blank line, or only commas). */
int csv_row_blank(const struct csv_row *r);

/* Reads the header of a file just opened (after a UTF-8 BOM and blank
 * lines): one line naming the columns, or yfinance's three (Price / Ticker
 * / Date), leaving the reader at the first data row. 0, JUTSU_EMALFORMED
 * with the reason ("FILE:LINE: ...") in why, or the reader's error. */
int csv_layout_read(struct csv_reader *rd, int adj_close, struct csv_layout *l, char *why,
                    size_t whysz);

/* Parses the data rows and delivers them in batches of one symbol each.
 * Returns 0, the sink's nonzero stop value, or the reader's error. */
int csv_rows(const struct csv_layout *l, struct csv_reader *rd, struct csv_job *job);

/* Calls fn(symbol, arg) once per distinct value of the symbol column,
 * upper-cased and sorted; stops at fn's nonzero return and returns it.
 * 0, fn's value, or the reader's error. */
int csv_scan_symbols(const struct csv_layout *l, struct csv_reader *rd,
                     int (*fn)(const char *symbol, void *arg), void *arg);

/* A set of symbols, each at most CSV_SYMBOL_MAX-1 bytes. Zero-initialise. */
struct csv_symset {
    char  (*v)[CSV_SYMBOL_MAX];
    size_t n, cap;
};
/* 0 or JUTSU_ENOMEM; a symbol equal to the last one added costs nothing. */
int  csv_symset_add(struct csv_symset *s, const char *symbol);
/* fn for each distinct symbol in sorted order; stops at and returns fn's
 * nonzero value. */
int  csv_symset_each(struct csv_symset *s, int (*fn)(const char *symbol, void *arg), void *arg);
void csv_symset_free(struct csv_symset *s);

/* Remembers bar b of symbol sym, unless a bar of that symbol and time is
 * among those remembered: then *earlier points to it (valid until the next
 * call) and b is not added. 0 or JUTSU_ENOMEM. */
int  csv_seen_check(struct csv_seen *s, const char *sym, const struct jutsu_bar *b,
                    const struct csv_seen_bar **earlier);
void csv_seen_free(struct csv_seen *s);

/* Copies text[0..len) upper-cased into out (CSV_SYMBOL_MAX bytes);
 * 0, or JUTSU_EINVAL when empty or too long. */
int csv_symbol_copy(char *out, const char *text, size_t len);

#endif
