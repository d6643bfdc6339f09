/*
 * core/store/session.c — data sessions: one driver connection per thread, the
 * transaction discipline, and typed bind/read helpers that map the data
 * API's NULL conventions onto SQL NULL.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "store/store.h"

int jutsu_dbs_open(const struct jutsu_store *store, jutsu_dbs **out)
{
    *out = NULL;
    jutsu_dbs *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return JUTSU_ENOMEM;
    s->store = *store;
    s->ops = store->ops;
    int rc = s->ops->connect(store->state, &s->db);
    if (rc != 0) {
        free(s);
        return rc;
    }
    *out = s;
    return 0;
}

jutsu_time_t jutsu_dbs_now(jutsu_dbs *s)
{
    return s->store.now(s->store.now_arg);
}

void jutsu_dbs_close(jutsu_dbs *s)
{
    if (s == NULL)
        return;
    if (s->tx_depth > 0)
        s->ops->rollback(s->db);   /* an abandoned transaction is not committed */
    s->ops->disconnect(s->db);
    dbs_arena_reset(s);
    free(s);
}

int jutsu_dbs_fail(jutsu_dbs *s, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err, sizeof(s->err), fmt, ap);
    va_end(ap);
    return rc;
}

const char *jutsu_dbs_error(jutsu_dbs *s)
{
    return s->err;
}

int q_fail(jutsu_dbs *s, int rc, const char *what)
{
    const struct jutsu_db_error *e = s->ops->last_error(s->db);
    if (e == NULL || e->message[0] == '\0')
        return jutsu_dbs_fail(s, rc, "%s: %s", what, jutsu_strerror(rc));
    return jutsu_dbs_fail(s, rc, "%s: %s%s%s%s%s%s", what, e->message,
                          e->detail[0] ? " (" : "", e->detail, e->detail[0] ? ")" : "",
                          e->hint[0] ? "; hint: " : "", e->hint);
}

int jutsu_dbs_begin(jutsu_dbs *s)
{
    if (s->tx_depth > 0)
        return jutsu_dbs_fail(s, JUTSU_ESTATE, "begin: a transaction is already open");
    int rc = s->ops->begin(s->db);
    if (rc != 0)
        return q_fail(s, rc, "begin");
    s->tx_depth = 1;
    return 0;
}

int jutsu_dbs_commit(jutsu_dbs *s)
{
    if (s->tx_depth == 0)
        return jutsu_dbs_fail(s, JUTSU_ESTATE, "commit: no transaction is open");
    s->tx_depth = 0;
    int rc = s->ops->commit(s->db);
    return rc ? q_fail(s, rc, "commit") : 0;
}

int jutsu_dbs_rollback(jutsu_dbs *s)
{
    if (s->tx_depth == 0)
        return 0;
    s->tx_depth = 0;
    int rc = s->ops->rollback(s->db);
    return rc ? q_fail(s, rc, "rollback") : 0;
}

int tx_enter(jutsu_dbs *s, int *own)
{
    *own = 0;
    if (s->tx_depth > 0)
        return 0;
    int rc = s->ops->begin(s->db);
    if (rc != 0)
        return q_fail(s, rc, "begin");
    /* nested data calls must see the transaction and join it */
    s->tx_depth = 1;
    *own = 1;
    return 0;
}

int tx_leave(jutsu_dbs *s, int own, int rc)
{
    if (!own)
        return rc;
    s->tx_depth = 0;
    if (rc != 0) {
        s->ops->rollback(s->db);
        return rc;
    }
    int crc = s->ops->commit(s->db);
    return crc ? q_fail(s, crc, "commit") : 0;
}

int q_prepare(jutsu_dbs *s, const char *sql, jutsu_stmt **st)
{
    int rc = s->ops->prepare(s->db, sql, st);
    return rc ? q_fail(s, rc, "prepare") : 0;
}

int q_exec(jutsu_dbs *s, jutsu_stmt *st, const char *what)
{
    int rc = s->ops->step(st);
    if (rc < 0)
        return q_fail(s, rc, what);
    return 0;
}

void q_done(jutsu_dbs *s, jutsu_stmt *st)
{
    if (st)
        s->ops->finalize(st);
}

int q_range(jutsu_dbs *s, jutsu_stmt *st, q_emit_fn emit, jutsu_row_fn fn, void *arg,
            const char *what)
{
    int rc;
    while ((rc = s->ops->step(st)) == JUTSU_DB_ROW) {
        int stop = emit(s, st, fn, arg);
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

/* --- binding ------------------------------------------------------------ */

static int bind(jutsu_dbs *s, jutsu_stmt *st, int i, struct jutsu_db_value v)
{
    int rc = s->ops->bind(st, i, &v);
    return rc ? q_fail(s, rc, "bind") : 0;
}

int b_text(jutsu_dbs *s, jutsu_stmt *st, int i, const char *v)
{
    if (v == NULL || *v == '\0')
        return bind(s, st, i, jutsu_db_null());
    return bind(s, st, i, jutsu_db_text(v, (uint32_t)strlen(v)));
}

int b_int(jutsu_dbs *s, jutsu_stmt *st, int i, int64_t v)
{
    return bind(s, st, i, jutsu_db_int(v));
}

int b_int_null(jutsu_dbs *s, jutsu_stmt *st, int i, int32_t v)
{
    return bind(s, st, i, v == JUTSU_INT_NULL ? jutsu_db_null() : jutsu_db_int(v));
}

int b_id_null(jutsu_dbs *s, jutsu_stmt *st, int i, int64_t v)
{
    return bind(s, st, i, v == 0 ? jutsu_db_null() : jutsu_db_int(v));
}

int b_bool(jutsu_dbs *s, jutsu_stmt *st, int i, int v)
{
    return bind(s, st, i, jutsu_db_bool(v));
}

int b_money(jutsu_dbs *s, jutsu_stmt *st, int i, jutsu_money_t v)
{
    return bind(s, st, i, v == JUTSU_MONEY_NULL ? jutsu_db_null() : jutsu_db_money(v));
}

static const double pow10_tab[] = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10 };

int b_fixed(jutsu_dbs *s, jutsu_stmt *st, int i, double v, int scale)
{
    if (isnan(v))
        return bind(s, st, i, jutsu_db_null());
    /* round half to even at the column's scale; range was checked before */
    double units = nearbyint(v * pow10_tab[scale]);
    return bind(s, st, i, jutsu_db_decimal((int64_t)units, (uint32_t)scale));
}

int b_time(jutsu_dbs *s, jutsu_stmt *st, int i, jutsu_time_t v)
{
    return bind(s, st, i, jutsu_db_time(v));
}

int b_time_null(jutsu_dbs *s, jutsu_stmt *st, int i, jutsu_time_t v)
{
    return bind(s, st, i, v == 0 ? jutsu_db_null() : jutsu_db_time(v));
}

int b_date(jutsu_dbs *s, jutsu_stmt *st, int i, jutsu_date_t v)
{
    return bind(s, st, i, jutsu_db_date(v));
}

int b_bytes(jutsu_dbs *s, jutsu_stmt *st, int i, const void *p, size_t n)
{
    if (p == NULL)
        return bind(s, st, i, jutsu_db_null());
    return bind(s, st, i, jutsu_db_bytes(p, (uint32_t)n));
}

/* --- reading ------------------------------------------------------------- */

struct dbs_block {
    struct dbs_block *next;
    char              data[];
};

void dbs_arena_reset(jutsu_dbs *s)
{
    while (s->arena) {
        struct dbs_block *b = s->arena;
        s->arena = b->next;
        free(b);
    }
}

/* Always NUL-terminated, so text and bytes share it. */
static const void *arena_copy(jutsu_dbs *s, const void *p, size_t n)
{
    struct dbs_block *b = malloc(sizeof(*b) + n + 1);
    if (b == NULL)
        return NULL;
    memcpy(b->data, p, n);
    b->data[n] = '\0';
    b->next = s->arena;
    s->arena = b;
    return b->data;
}

const char *c_text(jutsu_dbs *s, jutsu_stmt *st, int col, int copy)
{
    struct jutsu_db_value v;
    if (s->ops->column(st, col, JUTSU_DB_TEXT, 0, &v) != 0 || v.type == JUTSU_DB_NULL)
        return NULL;
    if (!copy) {
        /* drivers hand out NUL-terminated text; rely on it but keep len */
        return v.v.s;
    }
    return arena_copy(s, v.v.s, v.len);
}

int64_t c_int(jutsu_dbs *s, jutsu_stmt *st, int col, int64_t if_null)
{
    struct jutsu_db_value v;
    if (s->ops->column(st, col, JUTSU_DB_INT64, 0, &v) != 0 || v.type == JUTSU_DB_NULL)
        return if_null;
    return v.v.i;
}

jutsu_money_t c_money(jutsu_dbs *s, jutsu_stmt *st, int col)
{
    struct jutsu_db_value v;
    if (s->ops->column(st, col, JUTSU_DB_DECIMAL, JUTSU_MONEY_DB_SCALE, &v) != 0 ||
        v.type == JUTSU_DB_NULL)
        return JUTSU_MONEY_NULL;
    return v.v.i;
}

double c_fixed(jutsu_dbs *s, jutsu_stmt *st, int col, int scale)
{
    struct jutsu_db_value v;
    if (s->ops->column(st, col, JUTSU_DB_DECIMAL, (uint32_t)scale, &v) != 0 ||
        v.type == JUTSU_DB_NULL)
        return NAN;
    return (double)v.v.i / pow10_tab[scale];
}

jutsu_time_t c_time(jutsu_dbs *s, jutsu_stmt *st, int col)
{
    struct jutsu_db_value v;
    if (s->ops->column(st, col, JUTSU_DB_TIME, 0, &v) != 0 || v.type == JUTSU_DB_NULL)
        return 0;
    return v.v.t;
}

jutsu_date_t c_date(jutsu_dbs *s, jutsu_stmt *st, int col)
{
    struct jutsu_db_value v;
    if (s->ops->column(st, col, JUTSU_DB_DATE, 0, &v) != 0 || v.type == JUTSU_DB_NULL)
        return 0;
    return v.v.d;
}

const void *c_bytes(jutsu_dbs *s, jutsu_stmt *st, int col, size_t *len, int copy)
{
    struct jutsu_db_value v;
    *len = 0;
    if (s->ops->column(st, col, JUTSU_DB_BYTES, 0, &v) != 0 || v.type == JUTSU_DB_NULL)
        return NULL;
    *len = v.len;
    return copy ? arena_copy(s, v.v.b, v.len) : v.v.b;
}
