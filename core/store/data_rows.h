/*
 * core/store/data_rows.h — the row machinery of the trading tables
 * (core/store/data_trading.c, core/store/data_daily.c).
 *
 * A table's column constraints are declared once as a rule table and
 * checked with check_rules before anything touches the database, so a
 * refusal names table.column and nothing has been written. Parameters are
 * bound $1, $2, ... in the order of the p_* calls, the first failure
 * sticking in the struct binds; columns are read 0, 1, ... in the order of
 * the r_* calls.
 *
 * Not thread-safe: like the session they work on.
 */
#ifndef JUTSU_CORE_DATA_ROWS_H
#define JUTSU_CORE_DATA_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

enum rule_kind { R_TEXT, R_ENUM, R_MONEY, R_FIXED };

/* One column's constraint: for R_TEXT `a` is the length; for R_FIXED `a`,
 * `b` are NUMERIC(a,b). */
struct col_rule {
    const char              *col;
    size_t                   off;
    enum rule_kind           kind;
    int                      a, b;
    int                      required;
    const char *const       *choices;
};

#define TEXT(st, f, max, req)  { #f, offsetof(st, f), R_TEXT, max, 0, req, NULL }
#define ENUM(st, f, ch, req)   { #f, offsetof(st, f), R_ENUM, 0, 0, req, ch }
#define MONEY(st, f, req)      { #f, offsetof(st, f), R_MONEY, 0, 0, req, NULL }
#define FIXED(st, f, p, sc, req) { #f, offsetof(st, f), R_FIXED, p, sc, req, NULL }
#define NRULES(r) (sizeof(r) / sizeof((r)[0]))

/* 0, or the first refusal (message recorded in the session). */
int check_rules(jutsu_dbs *s, const char *table, const void *row,
                const struct col_rule *rules, size_t n);
/* The (strategy, mode) every trading read is scoped to: both required. */
int check_scope(jutsu_dbs *s, const char *table, const char *id_col, const char *id,
                const char *mode);

struct binds {
    jutsu_dbs  *s;
    jutsu_stmt *st;
    int         i;      /* the last parameter bound */
    int         rc;     /* the first failure        */
};

/* Each binds the next parameter unless an earlier one failed; NULL/""
 * text, JUTSU_INT_NULL, JUTSU_MONEY_NULL and NaN bind SQL NULL. */
void p_text(struct binds *b, const char *v);
void p_int(struct binds *b, int32_t v);
void p_money(struct binds *b, jutsu_money_t v);
void p_fixed(struct binds *b, double v, int scale);
void p_time(struct binds *b, jutsu_time_t v);
void p_date(struct binds *b, jutsu_date_t v);
void p_bool(struct binds *b, int32_t v);
void p_double(struct binds *b, double v);

struct cols {
    jutsu_dbs  *s;
    jutsu_stmt *st;
    int         i;
    int         copy;   /* single-row gets copy text into the arena */
};

const char   *r_text(struct cols *c);
int64_t       r_id(struct cols *c);
int32_t       r_int(struct cols *c);
jutsu_money_t r_money(struct cols *c);
double        r_fixed(struct cols *c, int scale);
jutsu_time_t  r_time(struct cols *c);
jutsu_date_t  r_date(struct cols *c);
int32_t       r_bool(struct cols *c);
double        r_double(struct cols *c);   /* DOUBLE PRECISION; NULL -> NaN */

typedef void (*row_reader)(struct cols *c, void *row);

/* Steps a bound statement, handing each row to fn; finalizes it (also
 * when binding failed, which is then the result). */
int read_each(struct binds *b, const char *what, row_reader rd, void *row,
              jutsu_row_fn fn, void *arg);
/* Reads the first row into `row`; JUTSU_ENOENT with no message when there
 * is none (the caller names what was missing). */
int read_one(struct binds *b, const char *what, row_reader rd, void *row);
/* Runs a bound write (the caller is inside tx_enter/tx_leave). */
int write_one(struct binds *b, const char *what);

#endif
