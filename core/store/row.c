/*
 * core/store/row.c — a row's columns checked, bound, read and listed from
 * its table (see row.h).
 */
#include <math.h>
#include <string.h>

#include "jutsu/error.h"
#include "store/row.h"

const struct jutsu_col *jutsu_row_col(const struct jutsu_table *t, const char *name)
{
    for (size_t i = 0; name && i < t->ncols; i++)
        if (strcmp(t->cols[i].name, name) == 0)
            return &t->cols[i];
    return NULL;
}

/* The field of column c in a row. */
#define FIELD(row, c, type) ((type)((const char *)(row) + (c)->off))

/* --- rules ----------------------------------------------------------------- */

int jutsu_row_check(jutsu_dbs *s, const struct jutsu_table *t, const void *row, int mode)
{
    for (size_t i = 0; i < t->ncols; i++) {
        const struct jutsu_col *c = &t->cols[i];
        int req = (c->flags & JUTSU_COL_REQUIRED) || (mode == JUTSU_ROW_UPDATE && c->def);
        int rc = 0;
        switch (c->type) {
        case JUTSU_COL_TEXT: {
            const char *v = *FIELD(row, c, const char *const *);
            rc = c->choices ? jutsu_check_enum(s, t->name, c->name, v, c->choices, req)
                            : (c->max || req) ? jutsu_check_text(s, t->name, c->name, v,
                                                                 c->max, req) : 0;
            break;
        }
        case JUTSU_COL_MONEY:
            rc = jutsu_check_money(s, t->name, c->name, *FIELD(row, c, const jutsu_money_t *),
                                   req);
            break;
        case JUTSU_COL_FIXED:
            rc = jutsu_check_fixed(s, t->name, c->name, *FIELD(row, c, const double *),
                                   c->precision, c->scale, req);
            break;
        default:
            break;
        }
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* --- values ---------------------------------------------------------------- */

/* 10^0 .. 10^22: every one exact in a double */
static const double pow10_tab[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
                                    1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
                                    1e20, 1e21, 1e22 };

double jutsu_row_pow10(int k)
{
    if (k >= 0 && k < (int)(sizeof(pow10_tab) / sizeof(pow10_tab[0])))
        return pow10_tab[k];
    return pow(10.0, k);
}

/* Column c of `row` as a database value, into *v; `insert` applies text
 * defaults. Returns nonzero for a value no column can hold (an infinite
 * DOUBLE). Writes into *v rather than returning the struct: this runs
 * for every column of every bar of a bulk load. */
static int value_of(const struct jutsu_col *c, const void *row, jutsu_time_t now, int insert,
                    struct jutsu_db_value *v)
{
    /* a stamp-only column has no field: no pointer is made for it */
    const char *f = c->off == JUTSU_COL_NOFIELD ? NULL : (const char *)row + c->off;
    *v = jutsu_db_null();
    switch (c->type) {
    case JUTSU_COL_TEXT: {
        const char *t = *(const char *const *)f;
        if ((t == NULL || *t == '\0') && insert && c->def)
            t = c->def;
        if (t && *t)
            *v = jutsu_db_text(t, (uint32_t)strlen(t));
        return 0;
    }
    case JUTSU_COL_INT: {
        int32_t x = *(const int32_t *)f;
        if (x != JUTSU_INT_NULL || (c->flags & JUTSU_COL_NOTNULL))
            *v = jutsu_db_int(x);
        return 0;
    }
    case JUTSU_COL_INT64: {
        int64_t x = *(const int64_t *)f;
        if (x != 0 || !(c->flags & JUTSU_COL_NULL0))
            *v = jutsu_db_int(x);
        return 0;
    }
    case JUTSU_COL_BOOL: {
        int32_t x = *(const int32_t *)f;
        if (x != JUTSU_INT_NULL || (c->flags & JUTSU_COL_NOTNULL))
            *v = jutsu_db_bool(x);
        return 0;
    }
    case JUTSU_COL_MONEY: {
        jutsu_money_t x = *(const jutsu_money_t *)f;
        if (x != JUTSU_MONEY_NULL)
            *v = jutsu_db_money(x);
        return 0;
    }
    case JUTSU_COL_FIXED: {
        double x = *(const double *)f;
        /* round half to even at the column's scale; the range was checked */
        if (!isnan(x))
            *v = jutsu_db_decimal((int64_t)nearbyint(x * pow10_tab[c->scale]), c->scale);
        return 0;
    }
    case JUTSU_COL_DOUBLE: {
        double x = *(const double *)f;
        if (!isnan(x))
            *v = jutsu_db_double(x);
        return isinf(x);
    }
    case JUTSU_COL_TIME: {
        jutsu_time_t x = f == NULL ? 0 : *(const jutsu_time_t *)f;
        if ((c->flags & JUTSU_COL_STAMP) || (x == 0 && (c->flags & JUTSU_COL_NOW)))
            x = now;
        if (x != 0 || !(c->flags & JUTSU_COL_NULL0))
            *v = jutsu_db_time(x);
        return 0;
    }
    case JUTSU_COL_DATE:
        *v = jutsu_db_date(*(const jutsu_date_t *)f);
        return 0;
    case JUTSU_COL_BYTES: {
        const void *p = *(const void *const *)f;
        if (p != NULL)
            *v = jutsu_db_bytes(p, (uint32_t)*(const size_t *)((const char *)row + c->len_off));
        return 0;
    }
    }
    return 0;
}

void jutsu_q_row(struct jutsu_q *q, const struct jutsu_sql *sql, const void *row,
                 jutsu_time_t now)
{
    const struct jutsu_table *t = sql->table;
    int insert = sql->kind != JUTSU_SQL_UPDATE;
    for (size_t i = 0; i < t->ncols && q->rc == 0; i++) {
        const struct jutsu_col *c = &t->cols[i];
        if (!jutsu_sql_binds(sql->kind, c))
            continue;
        struct jutsu_db_value v;
        if (value_of(c, row, now, insert, &v) != 0) {
            /* infinities never reach the database */
            q->rc = jutsu_dbs_fail(q->s, JUTSU_ERANGE, "parameter $%d: an infinite value",
                                   q->param + 1);
            return;
        }
        jutsu_q_value(q, v);
    }
}

void jutsu_q_prepare_row(struct jutsu_q *q, jutsu_dbs *s, struct jutsu_sql *sql,
                         const void *row, jutsu_time_t now, const char *what)
{
    if (jutsu_q_prepare_sql(q, s, sql, what) == 0)
        jutsu_q_row(q, sql, row, now);
}

size_t jutsu_row_names(const struct jutsu_table *t, const char **names, size_t max,
                       const char **keys, size_t *nkeys)
{
    size_t n = 0, k = 0;
    for (size_t i = 0; i < t->ncols && n < max; i++) {
        const struct jutsu_col *c = &t->cols[i];
        if (!jutsu_sql_binds(JUTSU_SQL_INSERT, c))
            continue;
        names[n++] = c->name;
        if (keys && (c->flags & JUTSU_COL_KEY))
            keys[k++] = c->name;
    }
    if (nkeys)
        *nkeys = k;
    return n;
}

int jutsu_row_values(const struct jutsu_table *t, const void *row, jutsu_time_t now,
                     struct jutsu_db_value *v, size_t max, size_t *n)
{
    int bad = 0;
    *n = 0;
    for (size_t i = 0; i < t->ncols && *n < max; i++)
        if (jutsu_sql_binds(JUTSU_SQL_INSERT, &t->cols[i]))
            bad |= value_of(&t->cols[i], row, now, 1, &v[(*n)++]);
    return bad ? JUTSU_ERANGE : 0;
}

/* --- reading --------------------------------------------------------------- */

static void read_col(struct jutsu_q *q, const struct jutsu_col *c, char *f)
{
    struct jutsu_db_value v;
    switch (c->type) {
    case JUTSU_COL_TEXT:
        *(const char **)f = jutsu_q_col_text(q);
        return;
    case JUTSU_COL_INT:
        *(int32_t *)f = (int32_t)jutsu_q_col_int(q, (c->flags & JUTSU_COL_READ0) ? 0
                                                                                : JUTSU_INT_NULL);
        return;
    case JUTSU_COL_INT64:
        *(int64_t *)f = jutsu_q_col_int(q, 0);
        return;
    case JUTSU_COL_BOOL:
        v = jutsu_q_column(q, JUTSU_DB_BOOL, 0);
        *(int32_t *)f = v.type != JUTSU_DB_NULL ? v.v.i != 0
                        : (c->flags & JUTSU_COL_READ1) ? 1
                        : (c->flags & JUTSU_COL_READ0) ? 0 : JUTSU_INT_NULL;
        return;
    case JUTSU_COL_MONEY:
        *(jutsu_money_t *)f = jutsu_q_col_money(q);
        return;
    case JUTSU_COL_FIXED:
        v = jutsu_q_column(q, JUTSU_DB_DECIMAL, c->scale);
        *(double *)f = v.type == JUTSU_DB_NULL ? NAN : (double)v.v.i / pow10_tab[c->scale];
        return;
    case JUTSU_COL_DOUBLE:
        v = jutsu_q_column(q, JUTSU_DB_DOUBLE, 0);
        *(double *)f = v.type == JUTSU_DB_NULL ? NAN : v.v.f;
        return;
    case JUTSU_COL_TIME:
        *(jutsu_time_t *)f = jutsu_q_col_time(q);
        return;
    case JUTSU_COL_DATE:
        v = jutsu_q_column(q, JUTSU_DB_DATE, 0);
        *(jutsu_date_t *)f = v.type == JUTSU_DB_NULL ? 0 : v.v.d;
        return;
    case JUTSU_COL_BYTES: {
        size_t *len = (size_t *)(f - c->off + c->len_off);
        v = jutsu_q_column(q, JUTSU_DB_BYTES, 0);
        *len = v.type == JUTSU_DB_NULL ? 0 : v.len;
        *(const void **)f = v.type == JUTSU_DB_NULL ? NULL
                            : q->copy ? jutsu_dbs_arena_copy(q->s, v.v.b, v.len) : v.v.b;
        return;
    }
    }
}

/* A column a JUTSU_SQL_ONLY select did not read: NULL as its type spells
 * it, so that no reader takes a zero for a value. */
static void null_col(const struct jutsu_col *c, char *f)
{
    switch (c->type) {
    case JUTSU_COL_INT:
    case JUTSU_COL_BOOL:
        *(int32_t *)f = JUTSU_INT_NULL;
        return;
    case JUTSU_COL_MONEY:
        *(jutsu_money_t *)f = JUTSU_MONEY_NULL;
        return;
    case JUTSU_COL_FIXED:
    case JUTSU_COL_DOUBLE:
        *(double *)f = NAN;
        return;
    default:
        return;   /* text, bytes, times, dates, int64: zero (NULL) already */
    }
}

/* The current result row of a SELECT built from `t`, into `row` (zeroed
 * first; a column q->only leaves out NULL). */
static void read_row(struct jutsu_q *q, const struct jutsu_table *t, void *row)
{
    memset(row, 0, t->row_size);
    for (size_t i = 0; i < t->ncols; i++) {
        if (!jutsu_sql_reads(&t->cols[i]))
            continue;
        if (q->only == 0 || (i < 64 && ((q->only >> i) & 1)))
            read_col(q, &t->cols[i], (char *)row + t->cols[i].off);
        else
            null_col(&t->cols[i], (char *)row + t->cols[i].off);
    }
}

int jutsu_q_one(struct jutsu_q *q, const struct jutsu_table *t, void *row)
{
    q->copy = 1;
    int rc = jutsu_q_step(q);
    if (rc == JUTSU_DB_ROW)
        read_row(q, t, row);
    else if (rc == JUTSU_DB_DONE && q->rc == 0)
        q->rc = JUTSU_ENOENT;
    return jutsu_q_done(q);
}

int jutsu_q_each(struct jutsu_q *q, const struct jutsu_table *t, void *row,
                 jutsu_row_fn fn, void *arg)
{
    int stop = 0;
    while (stop == 0 && jutsu_q_step(q) == JUTSU_DB_ROW) {
        read_row(q, t, row);
        stop = fn(row, arg);
    }
    int rc = jutsu_q_done(q);
    return stop ? stop : rc;
}
