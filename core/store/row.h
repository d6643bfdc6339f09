/*
 * core/store/row.h — a table's columns, declared once as data.
 *
 * Each row type of the data API (include/jutsu/data.h) has one column
 * table: for every column its SQL name, where its value lives in the row
 * struct, its type and scale, how NULL is spelled in the struct, when the
 * host writes it, and the rule it must meet. Everything a data function
 * needs to say about a row's columns is derived from that one table:
 *
 *   jutsu_row_check    the rules, in column order, before any SQL runs
 *   struct jutsu_sql   the statement text: column lists, placeholders,
 *                      ON CONFLICT and UPDATE SET clauses
 *   jutsu_q_row        the parameters, bound in the statement's order
 *   jutsu_q_one/_each  result rows read into the struct
 *   jutsu_row_values   the values of a bulk load
 *
 * so a column added to a table is added in one place, and the column list
 * of a statement, its parameter numbers and its reads cannot disagree.
 *
 * NULL in the structs: NULL or "" text, JUTSU_MONEY_NULL, NaN (FIXED,
 * DOUBLE), JUTSU_INT_NULL (INT, BOOL, unless JUTSU_COL_NOTNULL), and 0
 * for times and ids whose column says so (JUTSU_COL_NULL0). On reads a
 * NULL becomes the same, but that an INT64, TIME or DATE reads 0, and a
 * READ0 or READ1 column 0 or 1.
 *
 * The rules (jutsu_row_check) are a TEXT column's length, choices and
 * REQUIRED, a MONEY column's range and REQUIRED, and a FIXED column's
 * precision and REQUIRED; a data function checks whatever else its table
 * needs (a positive quantity, a row id) itself.
 */
#ifndef JUTSU_CORE_STORE_ROW_H
#define JUTSU_CORE_STORE_ROW_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

enum jutsu_col_type {
    JUTSU_COL_TEXT = 1,  /* const char *                                       */
    JUTSU_COL_INT,       /* int32_t; JUTSU_INT_NULL is NULL                     */
    JUTSU_COL_INT64,     /* int64_t; never NULL (0 with JUTSU_COL_NULL0)        */
    JUTSU_COL_BOOL,      /* int32_t 0/1; JUTSU_INT_NULL is NULL                 */
    JUTSU_COL_MONEY,     /* jutsu_money_t; NUMERIC(18,6)                        */
    JUTSU_COL_FIXED,     /* double stored as NUMERIC(precision, scale)          */
    JUTSU_COL_DOUBLE,    /* double, DOUBLE PRECISION; infinities refused        */
    JUTSU_COL_TIME,      /* jutsu_time_t                                        */
    JUTSU_COL_DATE,      /* jutsu_date_t                                        */
    JUTSU_COL_BYTES      /* const void * with its size_t length at len_off      */
};

enum jutsu_col_flag {
    JUTSU_COL_REQUIRED = 1u << 0,  /* rule: a value is required                      */
    JUTSU_COL_ID       = 1u << 1,  /* the generated key: read, never written          */
    JUTSU_COL_READONLY = 1u << 2,  /* filled by the database's default: read only    */
    JUTSU_COL_KEY      = 1u << 3,  /* the natural key: ON CONFLICT's target, never
                                      updated                                       */
    JUTSU_COL_KEEP     = 1u << 4,  /* written by the insert, kept by upserts and
                                      updates (created_at)                          */
    JUTSU_COL_LATER    = 1u << 5,  /* left out of inserts: a later update sets it    */
    JUTSU_COL_NOW      = 1u << 6,  /* TIME: 0 is written as now                      */
    JUTSU_COL_STAMP    = 1u << 7,  /* TIME: always written as now (the row's value
                                      is ignored)                                   */
    JUTSU_COL_NULL0    = 1u << 8,  /* TIME, INT64: 0 is written as NULL              */
    JUTSU_COL_READ0    = 1u << 9,  /* INT, BOOL: a NULL reads as 0                   */
    JUTSU_COL_READ1    = 1u << 10, /* BOOL: a NULL reads as 1                        */
    JUTSU_COL_KPI      = 1u << 11, /* daily_performance: a KPI plugin may fill it    */
    JUTSU_COL_NOTNULL  = 1u << 12  /* INT, BOOL: NOT NULL, written as the field holds
                                      it, JUTSU_INT_NULL included (a BOOL's is true) */
};

/* No field in the row struct: the column is written (a stamp), never read. */
#define JUTSU_COL_NOFIELD ((size_t)-1)

struct jutsu_col {
    const char         *name;       /* the SQL column                               */
    size_t              off;        /* of the field in the row struct               */
    size_t              len_off;    /* BYTES: of the size_t length                  */
    uint16_t            type;       /* enum jutsu_col_type                          */
    uint16_t            flags;      /* enum jutsu_col_flag                          */
    uint8_t             precision;  /* FIXED: NUMERIC(precision, scale)             */
    uint8_t             scale;
    uint16_t            max;        /* TEXT rule: characters; 0 = unlimited         */
    const char *const  *choices;    /* TEXT rule: one of these (NULL-ended)         */
    const char         *def;        /* TEXT: written instead of NULL or "" on insert */
};

struct jutsu_table {
    const char             *name;
    const struct jutsu_col *cols;
    size_t                  ncols;
    size_t                  row_size;
};

/* Initialisers; `st` is the row struct, `f` its field, named as the column
 * unless the _AS form names the column. */
#define JUTSU_COL_(st, f, col, t, fl) \
    .name = (col), .off = offsetof(st, f), .type = (t), .flags = (fl)
#define COL_ID(st, f)                  { JUTSU_COL_(st, f, #f, JUTSU_COL_INT64, JUTSU_COL_ID) }
#define COL_TEXT(st, f, max_, fl)      { JUTSU_COL_(st, f, #f, JUTSU_COL_TEXT, fl), \
                                         .max = (max_) }
#define COL_ENUM(st, f, ch, fl)        { JUTSU_COL_(st, f, #f, JUTSU_COL_TEXT, fl), \
                                         .choices = (ch) }
#define COL_ENUM_DEF(st, f, ch, d)     { JUTSU_COL_(st, f, #f, JUTSU_COL_TEXT, 0), \
                                         .choices = (ch), .def = (d) }
#define COL_INT(st, f, fl)             { JUTSU_COL_(st, f, #f, JUTSU_COL_INT, fl) }
#define COL_INT64(st, f, fl)           { JUTSU_COL_(st, f, #f, JUTSU_COL_INT64, fl) }
#define COL_BOOL(st, f, fl)            { JUTSU_COL_(st, f, #f, JUTSU_COL_BOOL, fl) }
#define COL_MONEY(st, f, fl)           { JUTSU_COL_(st, f, #f, JUTSU_COL_MONEY, fl) }
#define COL_FIXED(st, f, p, sc, fl)    { JUTSU_COL_(st, f, #f, JUTSU_COL_FIXED, fl), \
                                         .precision = (p), .scale = (sc) }
#define COL_DOUBLE(st, f, fl)          { JUTSU_COL_(st, f, #f, JUTSU_COL_DOUBLE, fl) }
#define COL_TIME(st, f, fl)            { JUTSU_COL_(st, f, #f, JUTSU_COL_TIME, fl) }
#define COL_TIME_AS(st, f, col, fl)    { JUTSU_COL_(st, f, col, JUTSU_COL_TIME, fl) }
#define COL_DATE(st, f, fl)            { JUTSU_COL_(st, f, #f, JUTSU_COL_DATE, fl) }
#define COL_BYTES(st, f, lenf)         { JUTSU_COL_(st, f, #f, JUTSU_COL_BYTES, 0), \
                                         .len_off = offsetof(st, lenf) }
/* A time the host stamps and nobody reads back through this struct. */
#define COL_STAMP_ONLY(col, fl)        { .name = (col), .off = JUTSU_COL_NOFIELD, \
                                         .type = JUTSU_COL_TIME, .flags = (fl) }

#define JUTSU_TABLE(sqlname, st, cols) \
    { (sqlname), (cols), sizeof(cols) / sizeof((cols)[0]), sizeof(st) }

/* The column called `name`, or NULL. */
const struct jutsu_col *jutsu_row_col(const struct jutsu_table *t, const char *name);

/*
 * Rows of table t many per statement, through the driver's bulk path, into
 * a store that holds none of them yet (a backtest's, just made): inside
 * the session's open transaction (JUTSU_ESTATE without one). _add takes a
 * row the caller has checked, copied: it may go once _add returns; whole
 * statements of rows are written as they fill. JUTSU_ERANGE from _add (an
 * infinite value) refuses that row alone; any other failure ends the
 * writer (later _adds and _end(keep = 1) return it): rows gathered before
 * may be lost, so the caller rolls its transaction back. _end writes what
 * is still gathered (keep = 1) or drops it (keep = 0: statements already
 * written stay in the transaction, for the caller to roll back), and frees
 * the writer; a row that met an existing one makes it fail with
 * JUTSU_EEXIST (run the table's upsert instead). Until _end, reads of t on
 * the session may not see every row added. Other statements may run on the
 * session between _adds on SQLite; the PostgreSQL driver loads through
 * COPY, so there nothing else may (the backtest's store is SQLite).
 */
struct jutsu_row_bulk;
int jutsu_row_bulk_begin(jutsu_dbs *s, const struct jutsu_table *t,
                         struct jutsu_row_bulk **out);
int jutsu_row_bulk_add(struct jutsu_row_bulk *w, const void *row);
int jutsu_row_bulk_end(struct jutsu_row_bulk *w, int keep);

/* 10^k, from a table for 0..22 (exact, and pow() was 3% of a backtest's
 * time in the NUMERIC(p,s) checks). */
double jutsu_row_pow10(int k);

enum jutsu_row_check_mode {
    JUTSU_ROW_INSERT = 0,   /* a column with a default may be empty        */
    JUTSU_ROW_UPDATE = 1    /* no default applies: such a column is required */
};
/* The rules of every column of `row`, in column order: 0, or the first
 * refusal (JUTSU_EINVAL or JUTSU_ERANGE) with its message, which names
 * table.column and the value. */
int jutsu_row_check(jutsu_dbs *s, const struct jutsu_table *t, const void *row, int mode);

/* --- statements built from a table (core/store/row_sql.c) ---------------- */

enum jutsu_sql_kind {
    JUTSU_SQL_SELECT = 1,   /* SELECT <read cols> FROM t <tail>                          */
    JUTSU_SQL_INSERT,       /* INSERT INTO t (<written>) VALUES ($1..) <tail>             */
    JUTSU_SQL_UPSERT,       /* ... ON CONFLICT (<key>) DO UPDATE SET <updated> <tail>     */
    JUTSU_SQL_UPSERT_CHANGED, /* the same, only where an updated column (but the NOW and
                                 STAMP ones) IS DISTINCT FROM the row's: a row written
                                 again with the same values is left alone              */
    JUTSU_SQL_UPDATE        /* UPDATE t SET <updated> = $1.. WHERE id = $n+1               */
};

/*
 * A statement's text, built from its table the first time it is used and
 * kept for the life of the process (drivers cache prepared statements by
 * text, so the text must be the same every time). Declare each as a static
 * object: static struct jutsu_sql q = JUTSU_SQL(&table, JUTSU_SQL_SELECT,
 * "WHERE id = $1"). Building is thread-safe.
 */
struct jutsu_sql {
    const struct jutsu_table *table;
    int                       kind;     /* enum jutsu_sql_kind */
    const char               *tail;     /* after the built part, or NULL */
    _Atomic(char *)           text;
    /* a SELECT of some columns only: their names, blank-separated (NULL:
     * every readable one), and the set of them once the text is built */
    const char               *only;
    uint64_t                  only_mask;
};
#define JUTSU_SQL(table, kind, tail) { (table), (kind), (tail), NULL, NULL, 0 }
/* A SELECT of the columns named in `only` (a reader that needs few of a
 * wide row's: a row read through it holds those, and every other field
 * NULL as the row types spell it). A name the table lacks is a bug the
 * build refuses (jutsu_sql_text returns NULL). */
#define JUTSU_SQL_ONLY(table, only, tail) { (table), JUTSU_SQL_SELECT, (tail), NULL, (only), 0 }

/* The text, or NULL when out of memory. */
const char *jutsu_sql_text(struct jutsu_sql *sql);

/* Whether a statement of `kind` takes column c as a parameter (in column
 * order; an UPDATE's id comes after them). */
static inline int jutsu_sql_binds(int kind, const struct jutsu_col *c)
{
    if (c->flags & (JUTSU_COL_ID | JUTSU_COL_READONLY))
        return 0;
    if (kind == JUTSU_SQL_UPDATE)
        return !(c->flags & (JUTSU_COL_KEEP | JUTSU_COL_KEY));
    return kind != JUTSU_SQL_SELECT && !(c->flags & JUTSU_COL_LATER);
}

/* Whether a SELECT built from the table reads column c. */
static inline int jutsu_sql_reads(const struct jutsu_col *c)
{
    return c->off != JUTSU_COL_NOFIELD;
}

/* --- values (core/store/row.c) -------------------------------------------- */

/* Binds `row`'s columns that `sql` writes, in its order, as the next
 * parameters; `now` stamps NOW and STAMP times. A text column's `def`
 * replaces NULL or "". */
void jutsu_q_row(struct jutsu_q *q, const struct jutsu_sql *sql, const void *row,
                 jutsu_time_t now);
/* jutsu_q_prepare_sql then jutsu_q_row: the statement of a write, ready to
 * run. A failure stays in q for the exec to return. */
void jutsu_q_prepare_row(struct jutsu_q *q, jutsu_dbs *s, struct jutsu_sql *sql,
                         const void *row, jutsu_time_t now, const char *what);
/* Steps to the first row and reads it with text copied into the arena:
 * 0, JUTSU_ENOENT (no message: the caller names what is missing), or the
 * error. Ends the query. */
int  jutsu_q_one(struct jutsu_q *q, const struct jutsu_table *t, void *row);
/* Hands each result row, read into `row`, to fn, until fn returns
 * nonzero (returned) or the rows end (0). Ends the query. */
int  jutsu_q_each(struct jutsu_q *q, const struct jutsu_table *t, void *row,
                  jutsu_row_fn fn, void *arg);

/* The written columns of `t` (as an INSERT writes them): their names into
 * names[] (for bulk_begin) and, for a row, their values into v[]; the
 * count, at most max. Key columns' names go to keys[] too (may be NULL). */
size_t jutsu_row_names(const struct jutsu_table *t, const char **names, size_t max,
                       const char **keys, size_t *nkeys);
/* The row's values: 0, or JUTSU_ERANGE for one no column can hold (an
 * infinite DOUBLE); *n is the count. */
int    jutsu_row_values(const struct jutsu_table *t, const void *row, jutsu_time_t now,
                        struct jutsu_db_value *v, size_t max, size_t *n);

#endif
