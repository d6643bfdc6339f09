/*
 * plugins/storage-postgres/pg_stmt.c — prepared statements: a cache per
 * connection keyed by the SQL text, text-format parameters, typed reads.
 *
 * prepare() hands out a cached statement when the same SQL was prepared
 * on this connection before and is not in use (a second user of the same
 * SQL at the same time gets its own server-side statement). The server
 * forgets prepared statements when a connection is reset, so each one
 * remembers the connection generation it was prepared in and is prepared
 * again, transparently, before it next runs.
 *
 * step() runs the statement on its first call and buffers the whole result
 * (PQexecPrepared); later calls walk its rows. Buffering is what makes the
 * retry after a lost connection safe: a statement either ran completely or
 * not at all as far as the caller can see.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_int.h"

#define STMT_CACHE_MAX 256      /* beyond this, finalize deallocates */
#define BOOLOID  16
#define BYTEAOID 17

static uint32_t hash_sql(const char *s)
{
    uint32_t h = 2166136261u;           /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static void drop_result(struct jutsu_stmt *st)
{
    PQclear(st->res);
    st->res = NULL;
    st->executed = 0;
    st->row = -1;
    st->nrows = 0;
}

static void clear_binds(struct jutsu_stmt *st)
{
    for (int i = 0; i < st->nparams; i++) {
        st->vals[i] = NULL;
        st->lens[i] = st->fmts[i] = 0;
    }
}

static void stmt_free(struct jutsu_stmt *st)
{
    drop_result(st);
    for (int i = 0; i < st->nparams; i++)
        free(st->p[i].heap);
    for (int i = 0; i < st->ncols; i++)
        free(st->cols[i].p);
    free(st->cols);
    free(st->p);
    free(st->vals);
    free(st->lens);
    free(st->fmts);
    free(st->sql);
    free(st);
}

static PGresult *prepare_fn(struct jutsu_db *db, void *arg)
{
    struct jutsu_stmt *st = arg;
    PGresult *r = PQprepare(db->conn, st->name, st->sql, 0, NULL);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        return r;
    PQclear(r);
    st->gen = db->gen;
    return PQdescribePrepared(db->conn, st->name);
}

static int alloc_params(struct jutsu_stmt *st, int n)
{
    st->nparams = n;
    if (n == 0)
        return 0;
    st->p = calloc((size_t)n, sizeof(*st->p));
    st->vals = calloc((size_t)n, sizeof(*st->vals));
    st->lens = calloc((size_t)n, sizeof(*st->lens));
    st->fmts = calloc((size_t)n, sizeof(*st->fmts));
    if (st->p && st->vals && st->lens && st->fmts)
        return 0;
    st->nparams = 0;        /* so that stmt_free does not walk st->p */
    return JUTSU_ENOMEM;
}

/*
 * A free statement for `sql`, or NULL. By the text's address first: the
 * host's texts are literals or built once, so the same query comes back at
 * the same address, and strcmp is far cheaper than hashing the whole text
 * byte by byte; the address alone is not enough (a caller's buffer may hold
 * another text next time). Only on an address miss is the text hashed (*h).
 */
static struct jutsu_stmt *cache_find(struct jutsu_db *db, const char *sql, uint32_t *h)
{
    struct jutsu_stmt *st;
    for (st = db->stmts; st; st = st->next)
        if (!st->busy && st->ptr == sql && strcmp(st->sql, sql) == 0)
            return st;
    *h = hash_sql(sql);
    for (st = db->stmts; st; st = st->next)
        if (!st->busy && st->hash == *h && strcmp(st->sql, sql) == 0) {
            st->ptr = sql;
            return st;
        }
    return NULL;
}

int pg_prepare(jutsu_db *db, const char *sql, jutsu_stmt **out)
{
    struct jutsu_stmt *st;
    PGresult *r = NULL;
    int rc;

    *out = NULL;
    if (sql == NULL || *sql == '\0')
        return pg_err_set(db, JUTSU_EINVAL, "", "prepare: no SQL");
    if (db->copying)
        return pg_err_set(db, JUTSU_ESTATE, "", "a bulk load is in progress on this connection");
    uint32_t h = 0;
    if ((st = cache_find(db, sql, &h)) != NULL) {
        st->busy = 1;
        drop_result(st);
        clear_binds(st);
        *out = st;
        return 0;
    }
    if ((st = calloc(1, sizeof(*st))) == NULL || (st->sql = strdup(sql)) == NULL) {
        rc = pg_err_set(db, JUTSU_ENOMEM, "", "out of memory preparing a statement");
        goto fail;
    }
    st->db = db;
    st->hash = h;
    st->ptr = sql;
    st->row = -1;
    snprintf(st->name, sizeof(st->name), "jutsu_%u", db->next_name++);
    if ((rc = pg_command(db, prepare_fn, st, &r)) != 0)
        goto fail;
    rc = alloc_params(st, PQnparams(r));
    PQclear(r);
    if (rc != 0) {
        pg_err_set(db, rc, "", "out of memory preparing a statement");
        goto fail;
    }
    st->busy = 1;
    st->next = db->stmts;
    db->stmts = st;
    db->nstmts++;
    *out = st;
    return 0;
fail:
    if (st)
        stmt_free(st);
    return rc;
}

/* Copies n bytes into the parameter's own buffer (plus a NUL). */
static int param_copy(struct pg_param *p, const void *src, size_t n)
{
    if (n + 1 > p->cap) {
        size_t cap = n + 1 < 64 ? 64 : n + 1;
        char *heap = realloc(p->heap, cap);
        if (heap == NULL)
            return JUTSU_ENOMEM;
        p->heap = heap;
        p->cap = cap;
    }
    if (n)
        memcpy(p->heap, src, n);
    p->heap[n] = '\0';
    p->val = p->heap;
    p->len = (int)n;
    return 0;
}

/* Text form of a scalar value into p->small. */
static int param_scalar(struct pg_param *p, const struct jutsu_db_value *v)
{
    switch (v->type) {
    case JUTSU_DB_INT64:   p->len = pg_fmt_int(v->v.i, p->small); break;
    case JUTSU_DB_BOOL:    p->len = snprintf(p->small, sizeof(p->small), v->v.i ? "t" : "f"); break;
    case JUTSU_DB_DECIMAL:
        if (v->scale > 18)
            return JUTSU_EINVAL;
        p->len = pg_fmt_decimal(v->v.i, v->scale, p->small);
        break;
    case JUTSU_DB_TIME:    p->len = pg_fmt_time(v->v.t, p->small); break;
    case JUTSU_DB_DATE:    p->len = pg_fmt_date(v->v.d, p->small); break;
    case JUTSU_DB_DOUBLE:  p->len = pg_fmt_double(v->v.f, p->small); break;
    default:               return JUTSU_EINVAL;
    }
    p->val = p->small;
    return 0;
}

int pg_bind(jutsu_stmt *st, int idx, const struct jutsu_db_value *v)
{
    struct jutsu_db *db = st->db;
    int rc = 0;
    if (v == NULL)
        return pg_err_set(db, JUTSU_EINVAL, "", "bind $%d: no value", idx);
    if (idx < 1 || idx > st->nparams)
        return pg_err_set(db, JUTSU_EINVAL, "42P02", "bind $%d: the statement has %d "
                          "parameter(s)", idx, st->nparams);
    struct pg_param *p = &st->p[idx - 1];
    p->fmt = 0;
    switch (v->type) {
    case JUTSU_DB_NULL:
        p->val = NULL;
        p->len = 0;
        break;
    case JUTSU_DB_TEXT:
        if (v->len && memchr(v->v.s, '\0', v->len))
            return pg_err_set(db, JUTSU_EINVAL, "22021", "bind $%d: text holds a NUL byte, "
                              "which PostgreSQL text cannot store (use BYTES)", idx);
        rc = param_copy(p, v->v.s, v->len);
        break;
    case JUTSU_DB_BYTES:
        /* raw bytes as a binary-format parameter: no escaping at all */
        rc = param_copy(p, v->v.b, v->len);
        p->fmt = 1;
        break;
    default:
        if ((rc = param_scalar(p, v)) == JUTSU_EINVAL)
            return pg_err_set(db, JUTSU_EINVAL, "", "bind $%d: value type %u (scale %u) is "
                              "not supported", idx, v->type, v->scale);
        break;
    }
    if (rc != 0)
        return pg_err_set(db, rc, "", "bind $%d: out of memory", idx);
    st->vals[idx - 1] = p->val;
    st->lens[idx - 1] = p->len;
    st->fmts[idx - 1] = p->fmt;
    return 0;
}

static PGresult *exec_fn(struct jutsu_db *db, void *arg)
{
    struct jutsu_stmt *st = arg;
    if (st->gen != db->gen) {
        /* the connection was reset since: the server forgot the statement */
        PGresult *r = PQprepare(db->conn, st->name, st->sql, 0, NULL);
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            return r;
        PQclear(r);
        st->gen = db->gen;
    }
    return PQexecPrepared(db->conn, st->name, st->nparams, st->vals, st->lens, st->fmts, 0);
}

static int64_t written_rows(const PGresult *r)
{
    const char *tag = PQcmdStatus((PGresult *)r);
    if (strncmp(tag, "SELECT", 6) == 0)
        return 0;
    return strtoll(PQcmdTuples((PGresult *)r), NULL, 10);
}

int pg_step(jutsu_stmt *st)
{
    struct jutsu_db *db = st->db;
    if (db->copying)
        return pg_err_set(db, JUTSU_ESTATE, "", "a bulk load is in progress on this connection");
    if (!st->executed) {
        PGresult *r;
        drop_result(st);
        int rc = pg_command(db, exec_fn, st, &r);
        if (rc != 0)
            return rc;
        if (PQresultStatus(r) == PGRES_COPY_IN) {
            PQclear(r);
            PQputCopyEnd(db->conn, "COPY FROM STDIN is not supported in a statement");
            while ((r = PQgetResult(db->conn)) != NULL)
                PQclear(r);
            pg_track_tx(db);
            return pg_err_set(db, JUTSU_ENOTSUP, "0A000", "statements cannot run COPY FROM "
                              "STDIN; use bulk_begin");
        }
        st->res = r;
        st->executed = 1;
        st->nrows = PQntuples(r);
        st->changes = written_rows(r);
    }
    if (st->row + 1 < st->nrows) {
        st->row++;
        return JUTSU_DB_ROW;
    }
    st->row = st->nrows;
    return JUTSU_DB_DONE;
}

static const char *type_name(uint32_t type)
{
    static const char *const names[] = {
        "NULL", "INT64", "TEXT", "BOOL", "BYTES", "DECIMAL", "TIME", "DATE", "DOUBLE"
    };
    return type < sizeof(names) / sizeof(names[0]) ? names[type] : "an unknown type";
}

/* bytea text into the column's own buffer, valid until the next step. */
static int read_bytes(struct jutsu_stmt *st, int col, const char *s, size_t n,
                      struct jutsu_db_value *out)
{
    int nf = PQnfields(st->res);
    if (st->ncols < nf) {
        struct pg_colbuf *c = realloc(st->cols, (size_t)nf * sizeof(*c));
        if (c == NULL)
            return JUTSU_ENOMEM;
        memset(c + st->ncols, 0, (size_t)(nf - st->ncols) * sizeof(*c));
        st->cols = c;
        st->ncols = nf;
    }
    struct pg_colbuf *b = &st->cols[col];
    size_t need = n / 2 + 1, len = 0;
    if (need > b->cap) {
        unsigned char *p = realloc(b->p, need);
        if (p == NULL)
            return JUTSU_ENOMEM;
        b->p = p;
        b->cap = need;
    }
    int rc = pg_hex_decode(s, n, b->p, &len);
    if (rc == 0) {
        out->type = JUTSU_DB_BYTES;
        out->v.b = b->p;
        out->len = (uint32_t)len;
    }
    return rc;
}

static int read_value(struct jutsu_stmt *st, int col, uint32_t type, uint32_t scale,
                      const char *s, size_t n, struct jutsu_db_value *out)
{
    Oid oid = PQftype(st->res, col);
    int rc = 0, b;
    char *end;

    out->type = type;
    switch (type) {
    case JUTSU_DB_INT64:
        rc = pg_parse_decimal(s, n, 0, &out->v.i);
        if (rc != 0 && oid == BOOLOID && pg_parse_bool(s, n, &b) == 0) {
            out->v.i = b;
            rc = 0;
        }
        return rc;
    case JUTSU_DB_BOOL:
        rc = pg_parse_bool(s, n, &b);
        out->v.i = b;
        return rc;
    case JUTSU_DB_TEXT:
        out->v.s = s;
        out->len = (uint32_t)n;
        return 0;
    case JUTSU_DB_BYTES:
        if (oid == BYTEAOID)
            return read_bytes(st, col, s, n, out);
        out->v.b = s;
        out->len = (uint32_t)n;
        return 0;
    case JUTSU_DB_DECIMAL:
        out->scale = scale;
        return pg_parse_decimal(s, n, scale, &out->v.i);
    case JUTSU_DB_TIME:
        return pg_parse_time(s, n, &out->v.t);
    case JUTSU_DB_DATE:
        return pg_parse_date(s, n, &out->v.d);
    case JUTSU_DB_DOUBLE:
        out->v.f = strtod(s, &end);
        return end == s + n && n > 0 ? 0 : JUTSU_EINVAL;
    default:
        return JUTSU_EINVAL;
    }
}

int pg_column(jutsu_stmt *st, int col, uint32_t type, uint32_t scale,
              struct jutsu_db_value *out)
{
    struct jutsu_db *db = st->db;
    memset(out, 0, sizeof(*out));
    if (st->res == NULL || st->row < 0 || st->row >= st->nrows)
        return pg_err_set(db, JUTSU_ESTATE, "", "column %d: no current row (step first)", col);
    if (col < 0 || col >= PQnfields(st->res))
        return pg_err_set(db, JUTSU_EINVAL, "42703", "column %d: the result has %d column(s)",
                          col, PQnfields(st->res));
    if (PQgetisnull(st->res, st->row, col)) {
        out->type = JUTSU_DB_NULL;
        return 0;
    }
    if (type == JUTSU_DB_DECIMAL && scale > 18)
        return pg_err_set(db, JUTSU_EINVAL, "", "column %d: DECIMAL scale %u is beyond 18",
                          col, scale);
    const char *s = PQgetvalue(st->res, st->row, col);
    size_t n = (size_t)PQgetlength(st->res, st->row, col);
    int rc = read_value(st, col, type, scale, s, n, out);
    if (rc == 0)
        return 0;
    memset(out, 0, sizeof(*out));
    if (rc == JUTSU_ENOMEM)
        return pg_err_set(db, rc, "", "column %d: out of memory", col);
    if (type == JUTSU_DB_DECIMAL)
        return pg_err_set(db, JUTSU_EINVAL, "22003", "column %d (%s): \"%.64s\" is not an exact "
                          "decimal with at most %u places within int64", col,
                          PQfname(st->res, col), s, scale);
    return pg_err_set(db, JUTSU_EINVAL, "22P02", "column %d (%s): \"%.64s\" cannot be read as %s",
                      col, PQfname(st->res, col), s, type_name(type));
}

int64_t pg_changes(jutsu_stmt *st)
{
    return st->executed ? st->changes : 0;
}

int pg_reset(jutsu_stmt *st)
{
    drop_result(st);
    return 0;
}

/* Unlinks st from its connection's cache. */
static void unlink_stmt(struct jutsu_db *db, struct jutsu_stmt *st)
{
    for (struct jutsu_stmt **pp = &db->stmts; *pp; pp = &(*pp)->next)
        if (*pp == st) {
            *pp = st->next;
            db->nstmts--;
            return;
        }
}

void pg_finalize(jutsu_stmt *st)
{
    if (st == NULL)
        return;
    struct jutsu_db *db = st->db;
    st->busy = 0;
    drop_result(st);
    if (db->nstmts <= STMT_CACHE_MAX)
        return;
    /* Callers that generate SQL would grow the cache without bound. The
     * server-side statement can only be dropped outside a failed
     * transaction; otherwise it lives until the session ends. */
    unlink_stmt(db, st);
    if (st->gen == db->gen && !db->copying && PQstatus(db->conn) == CONNECTION_OK &&
        PQtransactionStatus(db->conn) != PQTRANS_INERROR) {
        char sql[48];
        snprintf(sql, sizeof(sql), "DEALLOCATE %s", st->name);
        PQclear(PQexec(db->conn, sql));
    }
    stmt_free(st);
}

void pg_stmts_release(struct jutsu_db *db)
{
    for (struct jutsu_stmt *st = db->stmts; st; st = st->next) {
        st->busy = 0;
        drop_result(st);
    }
}

void pg_stmts_free(struct jutsu_db *db)
{
    struct jutsu_stmt *st = db->stmts, *next;
    for (; st; st = next) {
        next = st->next;
        stmt_free(st);
    }
    db->stmts = NULL;
    db->nstmts = 0;
}
