/*
 * core/store/data_rows.c — the row machinery the trading tables share: rule-table
 * validation, binding parameters in order, reading columns in order, and
 * the read/write loops (see data_rows.h).
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>

#include "jutsu/error.h"
#include "store/data_rows.h"

int check_rules(jutsu_dbs *s, const char *table, const void *row,
                       const struct col_rule *rules, size_t n)
{
    const char *base = row;
    for (size_t i = 0; i < n; i++) {
        const struct col_rule *r = &rules[i];
        const void *f = base + r->off;
        int rc = 0;
        switch (r->kind) {
        case R_TEXT:
            rc = check_text(s, table, r->col, *(const char *const *)f, (size_t)r->a,
                            r->required);
            break;
        case R_ENUM:
            rc = check_enum(s, table, r->col, *(const char *const *)f, r->choices, r->required);
            break;
        case R_MONEY:
            rc = check_money(s, table, r->col, *(const jutsu_money_t *)f, r->required);
            break;
        case R_FIXED:
            rc = check_fixed(s, table, r->col, *(const double *)f, r->a, r->b, r->required);
            break;
        }
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* The (strategy, mode) every trading read is scoped to: both required, so a
 * NULL never turns into "no filter" or a silent empty answer. */
int check_scope(jutsu_dbs *s, const char *table, const char *id_col, const char *id,
                       const char *mode)
{
    int rc;
    if ((rc = check_text(s, table, id_col, id, 50, 1)) ||
        (rc = check_enum(s, table, "mode", mode, jutsu_modes, 1)))
        return rc;
    return 0;
}

/* --- binding parameters $1, $2, ... in order; the first failure sticks -- */

/* Each binds the next parameter unless an earlier one failed. */
void p_text(struct binds *b, const char *v)
{ if (b->rc == 0) b->rc = b_text(b->s, b->st, ++b->i, v); }
void p_int(struct binds *b, int32_t v)
{ if (b->rc == 0) b->rc = b_int_null(b->s, b->st, ++b->i, v); }
void p_money(struct binds *b, jutsu_money_t v)
{ if (b->rc == 0) b->rc = b_money(b->s, b->st, ++b->i, v); }
void p_fixed(struct binds *b, double v, int scale)
{ if (b->rc == 0) b->rc = b_fixed(b->s, b->st, ++b->i, v, scale); }
void p_time(struct binds *b, jutsu_time_t v)
{ if (b->rc == 0) b->rc = b_time(b->s, b->st, ++b->i, v); }
void p_date(struct binds *b, jutsu_date_t v)
{ if (b->rc == 0) b->rc = b_date(b->s, b->st, ++b->i, v); }

/* A nullable BOOLEAN: JUTSU_INT_NULL is NULL, like the int columns. */
void p_bool(struct binds *b, int32_t v)
{
    if (b->rc != 0)
        return;
    if (v != JUTSU_INT_NULL) {
        b->rc = b_bool(b->s, b->st, ++b->i, v);
        return;
    }
    struct jutsu_db_value null = jutsu_db_null();
    int rc = b->s->ops->bind(b->st, ++b->i, &null);
    b->rc = rc ? q_fail(b->s, rc, "bind") : 0;
}

/* A DOUBLE PRECISION column (running statistics kept exactly): NaN is
 * NULL. Infinities never reach the database. */
void p_double(struct binds *b, double v)
{
    if (b->rc != 0)
        return;
    struct jutsu_db_value x = isnan(v) ? jutsu_db_null() : jutsu_db_double(v);
    if (isinf(v)) {
        b->rc = jutsu_dbs_fail(b->s, JUTSU_ERANGE, "parameter $%d: an infinite value", b->i + 1);
        return;
    }
    int rc = b->s->ops->bind(b->st, ++b->i, &x);
    b->rc = rc ? q_fail(b->s, rc, "bind") : 0;
}

/* --- reading columns 0, 1, ... in order ---------------------------------
 * Statements, not one initializer: the order in which initializer
 * expressions run is unspecified, and the column counter depends on it. */

const char *r_text(struct cols *c)
{ return c_text(c->s, c->st, c->i++, c->copy); }
int64_t r_id(struct cols *c)
{ return c_int(c->s, c->st, c->i++, 0); }
int32_t r_int(struct cols *c)
{ return (int32_t)c_int(c->s, c->st, c->i++, JUTSU_INT_NULL); }
jutsu_money_t r_money(struct cols *c)
{ return c_money(c->s, c->st, c->i++); }
double r_fixed(struct cols *c, int scale)
{ return c_fixed(c->s, c->st, c->i++, scale); }
jutsu_time_t r_time(struct cols *c)
{ return c_time(c->s, c->st, c->i++); }
jutsu_date_t r_date(struct cols *c)
{ return c_date(c->s, c->st, c->i++); }

int32_t r_bool(struct cols *c)
{
    struct jutsu_db_value v;
    if (c->s->ops->column(c->st, c->i++, JUTSU_DB_BOOL, 0, &v) != 0 || v.type == JUTSU_DB_NULL)
        return JUTSU_INT_NULL;
    return v.v.i != 0;
}

double r_double(struct cols *c)
{
    struct jutsu_db_value v;
    if (c->s->ops->column(c->st, c->i++, JUTSU_DB_DOUBLE, 0, &v) != 0 ||
        v.type == JUTSU_DB_NULL)
        return NAN;
    return v.v.f;
}

/* Steps a bound statement, handing each row to fn; finalizes it (also
 * when binding failed, which is then the result). */
int read_each(struct binds *b, const char *what, row_reader rd, void *row,
                     jutsu_row_fn fn, void *arg)
{
    jutsu_dbs *s = b->s;
    jutsu_stmt *st = b->st;
    int rc;
    if (b->rc) {
        q_done(s, st);
        return b->rc;
    }
    while ((rc = s->ops->step(st)) == JUTSU_DB_ROW) {
        struct cols c = { s, st, 0, 0 };
        rd(&c, row);
        int stop = fn(row, arg);
        if (stop) {
            q_done(s, st);
            return stop;
        }
    }
    if (rc < 0)
        rc = q_fail(s, rc, what);
    q_done(s, st);
    return rc < 0 ? rc : 0;
}

/* Reads the first row of a bound statement into `row`; JUTSU_ENOENT with
 * no message when there is none (the caller names what was missing). */
int read_one(struct binds *b, const char *what, row_reader rd, void *row)
{
    jutsu_dbs *s = b->s;
    jutsu_stmt *st = b->st;
    if (b->rc) {
        q_done(s, st);
        return b->rc;
    }
    int rc = s->ops->step(st);
    if (rc == JUTSU_DB_ROW) {
        struct cols c = { s, st, 0, 1 };
        rd(&c, row);
        rc = 0;
    } else if (rc == JUTSU_DB_DONE) {
        rc = JUTSU_ENOENT;
    } else {
        rc = q_fail(s, rc, what);
    }
    q_done(s, st);
    return rc;
}

/* Runs a bound write (the caller is inside tx_enter/tx_leave). */
int write_one(struct binds *b, const char *what)
{
    int rc = b->rc ? b->rc : q_exec(b->s, b->st, what);
    q_done(b->s, b->st);
    return rc;
}
