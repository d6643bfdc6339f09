/*
 * core/store/query.c — one statement in use (struct jutsu_q, store.h):
 * parameters bound in order, columns read in order, the first failure
 * kept, the statement finalized by the call that ends the query.
 *
 * Keeping the first failure lets a data function bind a row's dozens of
 * parameters without a check after each: one look at the end says whether
 * any failed, and which message to show is the first one's.
 */
#include <math.h>
#include <string.h>

#include "jutsu/error.h"
#include "store/row.h"
#include "store/store.h"

int jutsu_q_prepare(struct jutsu_q *q, jutsu_dbs *s, const char *sql, const char *what)
{
    memset(q, 0, sizeof(*q));
    q->s = s;
    q->what = what;
    int rc = s->ops->prepare(s->db, sql, &q->st);
    if (rc != 0) {
        q->st = NULL;
        q->rc = jutsu_dbs_fail_driver(s, rc, "prepare");
    }
    return q->rc;
}

int jutsu_q_prepare_sql(struct jutsu_q *q, jutsu_dbs *s, struct jutsu_sql *sql, const char *what)
{
    const char *text = jutsu_sql_text(sql);
    if (text == NULL) {
        memset(q, 0, sizeof(*q));
        q->s = s;
        q->what = what;
        /* a JUTSU_SQL_ONLY naming a column its table lacks is a bug, and
         * the one other way to get here */
        q->rc = jutsu_dbs_fail(s, sql->only ? JUTSU_EINVAL : JUTSU_ENOMEM, "%s: %s", what,
                               sql->only ? "cannot build the statement (out of memory, or a "
                                           "column it names is not in the table)"
                                         : "out of memory building the statement");
        return q->rc;
    }
    int rc = jutsu_q_prepare(q, s, text, what);
    q->only = sql->only ? sql->only_mask : 0;   /* set before the text was published */
    return rc;
}

/* --- parameters ----------------------------------------------------------- */

void jutsu_q_value(struct jutsu_q *q, struct jutsu_db_value v)
{
    if (q->rc != 0)
        return;
    int rc = q->s->ops->bind(q->st, ++q->param, &v);
    if (rc != 0)
        q->rc = jutsu_dbs_fail_driver(q->s, rc, "bind");
}

void jutsu_q_null(struct jutsu_q *q)
{
    jutsu_q_value(q, jutsu_db_null());
}

void jutsu_q_text(struct jutsu_q *q, const char *v)
{
    if (v == NULL || *v == '\0')
        jutsu_q_value(q, jutsu_db_null());
    else
        jutsu_q_value(q, jutsu_db_text(v, (uint32_t)strlen(v)));
}

void jutsu_q_int(struct jutsu_q *q, int64_t v)
{
    jutsu_q_value(q, jutsu_db_int(v));
}

void jutsu_q_bool(struct jutsu_q *q, int v)
{
    jutsu_q_value(q, jutsu_db_bool(v));
}

void jutsu_q_money(struct jutsu_q *q, jutsu_money_t v)
{
    jutsu_q_value(q, v == JUTSU_MONEY_NULL ? jutsu_db_null() : jutsu_db_money(v));
}

void jutsu_q_time(struct jutsu_q *q, jutsu_time_t v)
{
    jutsu_q_value(q, jutsu_db_time(v));
}

void jutsu_q_date(struct jutsu_q *q, jutsu_date_t v)
{
    jutsu_q_value(q, jutsu_db_date(v));
}

void jutsu_q_bytes(struct jutsu_q *q, const void *p, size_t n)
{
    jutsu_q_value(q, p == NULL ? jutsu_db_null() : jutsu_db_bytes(p, (uint32_t)n));
}

/* --- rows ----------------------------------------------------------------- */

int jutsu_q_step(struct jutsu_q *q)
{
    if (q->rc != 0)
        return q->rc;
    int rc = q->s->ops->step(q->st);
    q->col = 0;
    if (rc < 0)
        q->rc = jutsu_dbs_fail_driver(q->s, rc, q->what);
    return rc;
}

struct jutsu_db_value jutsu_q_column(struct jutsu_q *q, uint32_t type, uint32_t scale)
{
    struct jutsu_db_value v;
    if (q->s->ops->column(q->st, q->col++, type, scale, &v) != 0)
        v = jutsu_db_null();
    return v;
}

const char *jutsu_q_col_text(struct jutsu_q *q)
{
    struct jutsu_db_value v = jutsu_q_column(q, JUTSU_DB_TEXT, 0);
    if (v.type == JUTSU_DB_NULL)
        return NULL;
    /* drivers hand out NUL-terminated text */
    return q->copy ? jutsu_dbs_arena_copy(q->s, v.v.s, v.len) : v.v.s;
}

int64_t jutsu_q_col_int(struct jutsu_q *q, int64_t if_null)
{
    struct jutsu_db_value v = jutsu_q_column(q, JUTSU_DB_INT64, 0);
    return v.type == JUTSU_DB_NULL ? if_null : v.v.i;
}

jutsu_money_t jutsu_q_col_money(struct jutsu_q *q)
{
    struct jutsu_db_value v = jutsu_q_column(q, JUTSU_DB_DECIMAL, JUTSU_MONEY_DB_SCALE);
    return v.type == JUTSU_DB_NULL ? JUTSU_MONEY_NULL : v.v.i;
}

jutsu_time_t jutsu_q_col_time(struct jutsu_q *q)
{
    struct jutsu_db_value v = jutsu_q_column(q, JUTSU_DB_TIME, 0);
    return v.type == JUTSU_DB_NULL ? 0 : v.v.t;
}

/* --- ends ----------------------------------------------------------------- */

int jutsu_q_done(struct jutsu_q *q)
{
    if (q->st) {
        q->s->ops->finalize(q->st);
        q->st = NULL;
    }
    return q->rc;
}

int jutsu_q_exec(struct jutsu_q *q)
{
    jutsu_q_step(q);
    return jutsu_q_done(q);
}

int jutsu_q_exec_changes(struct jutsu_q *q, int64_t *changes)
{
    if (jutsu_q_step(q) >= 0 && q->rc == 0 && changes)
        *changes = q->s->ops->changes(q->st);
    return jutsu_q_done(q);
}

int jutsu_q_exec_changed(struct jutsu_q *q)
{
    int64_t n = 0;
    int rc = jutsu_q_exec_changes(q, &n);
    return rc == 0 && n == 0 ? JUTSU_ENOENT : rc;
}

int jutsu_q_insert_id(struct jutsu_q *q, int64_t *id)
{
    int rc = jutsu_q_step(q);
    if (q->rc == 0 && rc != JUTSU_DB_ROW)
        q->rc = jutsu_dbs_fail(q->s, JUTSU_EDB, "%s: the database returned no id", q->what);
    if (q->rc == 0) {
        int64_t v = jutsu_q_col_int(q, 0);
        jutsu_q_step(q);    /* to the end: RETURNING gives one row */
        if (q->rc == 0 && id)
            *id = v;
    }
    return jutsu_q_done(q);
}
