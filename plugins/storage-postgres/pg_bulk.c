/*
 * plugins/storage-postgres/pg_bulk.c — bulk loading through COPY.
 *
 * The contract: a row whose key exists already, or repeats an earlier row
 * of the same load, is skipped and counted. The safe way is the temp-table
 * path: COPY the rows (text format) into a per-connection temp table, then
 *
 *   INSERT INTO t (cols) SELECT cols FROM tmp ON CONFLICT (key) DO NOTHING
 *
 * where a later row of the load conflicts with the one this very statement
 * inserted, and a sequential scan of a fresh temp table yields rows in
 * load order, so the earlier row wins. It costs about a third more server
 * time than a COPY straight into the table (every row is written twice and
 * inserted one by one), and the big loads, backfills, rarely conflict.
 *
 * So a load with a key starts on the direct path: COPY into the target
 * inside a savepoint, keeping the COPY text, and hashing each row's key as
 * it streams. A key repeated inside the load, kept text beyond
 * DIRECT_MAX, or a unique violation at the end (a key already stored)
 * sends it to the temp-table path: roll back to the savepoint and replay
 * the kept text into the temp table. Rows the direct COPY wrote before
 * failing are dead tuples for VACUUM; the common small overlapping sync
 * fails on its first rows.
 *
 * bulk_row formats into one buffer that only grows (and shrinks again at
 * the next bulk_begin); no allocation per row.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_int.h"

#define COPY_CHUNK (64 * 1024)
#define DIRECT_MAX ((size_t)256 << 20)   /* COPY text kept for a replay */
#define SET_KEEP   (1u << 16)            /* key-set slots kept between loads */
#define BEGIN_LEN  7                     /* strlen("BEGIN; ") */

enum { PATH_DIRECT = 1, PATH_TEMP = 2 };

struct jutsu_bulk {
    struct jutsu_db *db;
    struct pg_tmp   *tmp;
    int              ncols;
    int              path;      /* PATH_DIRECT or PATH_TEMP           */
    int              own_tx;    /* bulk_begin opened the transaction  */
    int              in_copy;   /* the COPY protocol is running       */
    int              failed;    /* an error ended it; only bulk_end remains */
    int              fail_rc;
    int64_t          rows;
    char            *buf;       /* COPY text; on the direct path all of it */
    size_t           len, sent, cap;
    uint64_t        *set;       /* open addressing; 0 = empty slot    */
    size_t           setcap, setn;
    int              repeats;   /* a key repeated, or we cannot tell  */
};

/* ---- the key set ----------------------------------------------------------- */

static int set_put(uint64_t *set, size_t cap, uint64_t h)
{
    size_t i = (size_t)h & (cap - 1);
    while (set[i] != 0) {
        if (set[i] == h)
            return 1;
        i = (i + 1) & (cap - 1);
    }
    set[i] = h;
    return 0;
}

static int set_grow(struct jutsu_bulk *b)
{
    size_t cap = b->setcap ? b->setcap * 2 : 1024;
    uint64_t *set = calloc(cap, sizeof(*set));
    if (set == NULL)
        return -1;
    for (size_t i = 0; i < b->setcap; i++)
        if (b->set[i])
            set_put(set, cap, b->set[i]);
    free(b->set);
    b->set = set;
    b->setcap = cap;
    return 0;
}

/* Notes the row's key. A hash collision only costs the direct path. */
static void note_key(struct jutsu_bulk *b, const struct jutsu_db_value *values)
{
    if (b->repeats)
        return;
    if (2 * (b->setn + 1) > b->setcap && set_grow(b) != 0) {
        b->repeats = 1;
        return;
    }
    if (set_put(b->set, b->setcap, pg_key_hash(b->tmp, values)))
        b->repeats = 1;
    else
        b->setn++;
}

/* Empties the key set and text buffer; one huge load should not keep its
 * memory for the small ones after it. */
static void loader_reset(struct jutsu_bulk *b)
{
    if (b->setcap > SET_KEEP) {
        free(b->set);
        b->set = NULL;
        b->setcap = 0;
    } else if (b->set) {
        memset(b->set, 0, b->setcap * sizeof(*b->set));
    }
    b->setn = 0;
    if (b->cap > 4 * COPY_CHUNK) {
        char *p = realloc(b->buf, 2 * COPY_CHUNK);
        if (p) {
            b->buf = p;
            b->cap = 2 * COPY_CHUNK;
        }
    }
    b->len = b->sent = 0;
    b->rows = 0;
    b->failed = b->fail_rc = 0;
}

/* ---- sending --------------------------------------------------------------- */

/* A send that failed: the connection is gone or the COPY was refused. */
static int send_failed(struct jutsu_bulk *b)
{
    struct jutsu_db *db = b->db;
    b->failed = 1;
    b->fail_rc = pg_err_result(db, NULL);
    if (PQstatus(db->conn) == CONNECTION_BAD) {
        b->fail_rc = JUTSU_ETRANSIENT;
        b->in_copy = 0;
        if (b->own_tx)
            db->in_tx = 0;
        else
            db->tx_lost = 1;
    }
    return b->fail_rc;
}

/* Records a failure that ends the load (db->err already says why). */
static int fail(struct jutsu_bulk *b, int rc)
{
    if (rc != 0 && !b->failed) {
        b->failed = 1;
        b->fail_rc = rc;
    }
    return rc;
}

static int send_range(struct jutsu_bulk *b, size_t from, size_t to)
{
    while (from < to) {
        size_t n = to - from > COPY_CHUNK ? COPY_CHUNK : to - from;
        if (PQputCopyData(b->db->conn, b->buf + from, (int)n) != 1)
            return send_failed(b);
        from += n;
    }
    return 0;
}

/* Sends what is not sent yet; the direct path keeps it for a replay. */
static int flush(struct jutsu_bulk *b)
{
    int rc = send_range(b, b->sent, b->len);
    if (rc != 0)
        return rc;
    b->sent = b->len;
    if (b->path == PATH_TEMP)
        b->len = b->sent = 0;
    return 0;
}

/* Ends the COPY (errmsg != NULL: abandons it) and reads its outcome. */
static int copy_finish(struct jutsu_bulk *b, const char *errmsg)
{
    struct jutsu_db *db = b->db;
    PGresult *r;
    int rc = 0;

    if (PQputCopyEnd(db->conn, errmsg) != 1)
        rc = send_failed(b);
    while ((r = PQgetResult(db->conn)) != NULL) {
        if (rc == 0 && errmsg == NULL && PQresultStatus(r) != PGRES_COMMAND_OK)
            rc = pg_err_result(db, r);
        PQclear(r);
    }
    b->in_copy = 0;
    if (PQstatus(db->conn) == CONNECTION_BAD)
        return b->failed ? b->fail_rc : send_failed(b);
    pg_track_tx(db);
    return rc;
}

/* Ends a COPY nobody wants any more, keeping db->err as it is. */
static void abandon(struct jutsu_bulk *b, const char *why)
{
    struct jutsu_db_error saved = b->db->err;
    if (b->in_copy)
        copy_finish(b, why);
    b->db->err = saved;
}

/* Several statements in one round trip; *inserted from an INSERT's tag. */
static int run_multi(struct jutsu_bulk *b, const char *sql, int64_t *inserted)
{
    struct jutsu_db *db = b->db;
    PGresult *r;
    int rc = 0;

    if (!PQsendQuery(db->conn, sql))
        return PQstatus(db->conn) == CONNECTION_BAD ? send_failed(b) : pg_err_result(db, NULL);
    while ((r = PQgetResult(db->conn)) != NULL) {
        ExecStatusType s = PQresultStatus(r);
        if (s == PGRES_COPY_IN) {
            b->in_copy = 1;
        } else if (s != PGRES_COMMAND_OK) {
            if (rc == 0)
                rc = pg_err_result(db, r);
        } else if (inserted && strncmp(PQcmdStatus(r), "INSERT", 6) == 0) {
            *inserted = strtoll(PQcmdTuples(r), NULL, 10);
        }
        PQclear(r);
        if (b->in_copy)
            break;          /* the COPY's data comes from us now */
    }
    if (PQstatus(db->conn) == CONNECTION_BAD)
        return b->failed ? b->fail_rc : send_failed(b);
    pg_track_tx(db);
    return rc;
}

/* From the direct path to the temp table: back to the savepoint, then
 * the kept text again, into the temp table. */
static int to_temp(struct jutsu_bulk *b)
{
    abandon(b, "jutsu: continuing through a temp table");
    int rc = run_multi(b, b->tmp->to_temp, NULL);
    if (rc == 0 && !b->in_copy)
        rc = pg_err_set(b->db, JUTSU_EDB, "", "COPY into %s did not start", b->tmp->name);
    if (rc != 0)
        return fail(b, rc);
    b->path = PATH_TEMP;
    b->sent = 0;
    return fail(b, flush(b));
}

/* ---- the ops ----------------------------------------------------------------- */

static struct jutsu_bulk *loader_of(struct jutsu_db *db)
{
    if (db->bulk == NULL) {
        struct jutsu_bulk *b = calloc(1, sizeof(*b));
        if (b == NULL || (b->buf = malloc(2 * COPY_CHUNK)) == NULL) {
            free(b);
            return NULL;
        }
        b->cap = 2 * COPY_CHUNK;
        b->db = db;
        db->bulk = b;
    }
    return db->bulk;
}

int pg_bulk_begin(jutsu_db *db, const char *table, const char *const *columns, int ncolumns,
                  const char *const *conflict, int nconflict, jutsu_bulk **out)
{
    struct pg_tmp *tmp = NULL;
    struct jutsu_bulk *b;
    int rc;

    *out = NULL;
    if (db->copying)
        return pg_err_set(db, JUTSU_ESTATE, "", "a bulk load is already in progress on this "
                          "connection");
    if (db->tx_lost)
        return pg_err_tx_lost(db);
    if ((rc = pg_tmp_find(db, table, columns, ncolumns, conflict, nconflict, &tmp)) != 0)
        return rc;
    if ((b = loader_of(db)) == NULL)
        return pg_err_set(db, JUTSU_ENOMEM, "", "out of memory");
    loader_reset(b);
    b->tmp = tmp;
    b->ncols = ncolumns;
    b->own_tx = !db->in_tx;
    b->repeats = tmp->nk == 0;
    b->path = tmp->nk > 0 ? PATH_DIRECT : PATH_TEMP;
    const char *sql = b->path == PATH_DIRECT ? tmp->direct : tmp->create_copy;
    PGresult *r;
    /* outside a transaction a lost connection is retried here, not later */
    rc = pg_simple(db, sql + (b->own_tx ? 0 : BEGIN_LEN), &r);
    if (rc == 0 && PQresultStatus(r) != PGRES_COPY_IN)
        rc = pg_err_set(db, JUTSU_EDB, "", "COPY for %s did not start (%s)", table,
                        PQresStatus(PQresultStatus(r)));
    PQclear(r);
    if (rc != 0) {
        if (b->own_tx && db->in_tx)
            pg_rollback(db);
        return rc;
    }
    b->in_copy = 1;
    db->copying = 1;
    *out = b;
    return 0;
}

/* The most bytes a value can take in COPY text, plus its separator. */
static size_t value_room(const struct jutsu_db_value *v)
{
    switch (v->type) {
    case JUTSU_DB_TEXT:  return 2 * (size_t)v->len + 1;
    case JUTSU_DB_BYTES: return 3 + 2 * (size_t)v->len + 1;
    default:             return PG_NUM_BUFSZ + 1;
    }
}

static int grow(struct jutsu_bulk *b, size_t need)
{
    if (b->len + need <= b->cap)
        return 0;
    size_t cap = b->cap;
    while (cap < b->len + need)
        cap *= 2;
    char *p = realloc(b->buf, cap);
    if (p == NULL)
        return JUTSU_ENOMEM;
    b->buf = p;
    b->cap = cap;
    return 0;
}

/* One value in COPY text form at p; returns the end, or NULL if the
 * value cannot be loaded. */
static char *put_value(char *p, const struct jutsu_db_value *v)
{
    static const char hex[] = "0123456789abcdef";
    switch (v->type) {
    case JUTSU_DB_NULL:    *p++ = '\\'; *p++ = 'N'; return p;
    case JUTSU_DB_INT64:   return p + pg_fmt_int(v->v.i, p);
    case JUTSU_DB_BOOL:    *p++ = v->v.i ? 't' : 'f'; return p;
    case JUTSU_DB_DECIMAL: return v->scale > 18 ? NULL : p + pg_fmt_decimal(v->v.i, v->scale, p);
    case JUTSU_DB_TIME:    return p + pg_fmt_time(v->v.t, p);
    case JUTSU_DB_DATE:    return p + pg_fmt_date(v->v.d, p);
    case JUTSU_DB_DOUBLE:  return p + pg_fmt_double(v->v.f, p);
    case JUTSU_DB_TEXT:
        if (v->len && memchr(v->v.s, '\0', v->len))
            return NULL;
        return p + pg_copy_escape(v->v.s, v->len, p);
    case JUTSU_DB_BYTES: {
        const unsigned char *b = v->v.b;
        *p++ = '\\'; *p++ = '\\'; *p++ = 'x';
        for (uint32_t i = 0; i < v->len; i++) {
            *p++ = hex[b[i] >> 4];
            *p++ = hex[b[i] & 15];
        }
        return p;
    }
    default:
        return NULL;
    }
}

int pg_bulk_row(jutsu_bulk *b, const struct jutsu_db_value *values)
{
    struct jutsu_db *db = b->db;
    size_t need = 0, start = b->len;

    if (!db->copying || b->failed)
        return pg_err_set(db, JUTSU_ESTATE, "", "bulk_row: no bulk load in progress%s",
                          b->failed ? " (it failed: end it with bulk_end)" : "");
    for (int i = 0; i < b->ncols; i++)
        need += value_room(&values[i]);
    if (grow(b, need) != 0)
        return pg_err_set(db, JUTSU_ENOMEM, "", "bulk_row: out of memory");
    char *p = b->buf + b->len;
    for (int i = 0; i < b->ncols; i++) {
        if (i)
            *p++ = '\t';
        if ((p = put_value(p, &values[i])) == NULL) {
            b->len = start;          /* the row is not loaded; the load goes on */
            return pg_err_set(db, JUTSU_EINVAL, "22P02", "bulk_row %lld, column %d: value of "
                              "type %u cannot be loaded (text with a NUL byte, or a bad "
                              "scale or type)", (long long)b->rows + 1, i + 1, values[i].type);
        }
    }
    *p++ = '\n';
    b->len = (size_t)(p - b->buf);
    b->rows++;
    note_key(b, values);
    if (b->path == PATH_DIRECT && (b->repeats || b->len > DIRECT_MAX))
        return to_temp(b);
    return b->len - b->sent >= COPY_CHUNK ? flush(b) : 0;
}

/* Commits (commit != 0, rc == 0) or rolls back a transaction bulk_begin
 * opened; returns rc or the commit's error. */
static int end_own_tx(struct jutsu_bulk *b, int rc, int commit)
{
    struct jutsu_db *db = b->db;
    if (!b->own_tx || PQstatus(db->conn) == CONNECTION_BAD)
        return rc;
    if (rc != 0 || !commit) {
        pg_rollback(db);
        return rc;
    }
    PGresult *r = PQexec(db->conn, "COMMIT");
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        rc = pg_err_result(db, r);
    PQclear(r);
    pg_track_tx(db);
    return rc;
}

/* keep = 0: nothing is written, and the caller's transaction stays usable. */
static int discard(struct jutsu_bulk *b)
{
    char sql[64];
    int rc;
    if (b->own_tx) {
        abandon(b, "jutsu: bulk load abandoned");
        return 0;       /* end_own_tx rolls the rest back */
    }
    if (b->path == PATH_DIRECT) {
        abandon(b, "jutsu: bulk load abandoned");
        return run_multi(b, "ROLLBACK TO SAVEPOINT jutsu_bulk; RELEASE SAVEPOINT jutsu_bulk",
                         NULL);
    }
    b->len = b->sent = 0;
    if ((rc = copy_finish(b, NULL)) != 0)
        return rc;
    snprintf(sql, sizeof(sql), "TRUNCATE %s", b->tmp->name);
    return run_multi(b, sql, NULL);
}

/* Writes the load; *ins is how many rows went in. */
static int finish(struct jutsu_bulk *b, int64_t *ins)
{
    int rc = flush(b);
    if (rc == 0)
        rc = copy_finish(b, NULL);
    if (b->path == PATH_DIRECT) {
        if (rc == 0) {
            *ins = b->rows;
            return run_multi(b, "RELEASE SAVEPOINT jutsu_bulk", NULL);
        }
        /* a key that is stored already: the temp table sorts it out */
        if (rc != JUTSU_ECONSTRAINT || strcmp(b->db->err.sqlstate, "23505") != 0 ||
            (rc = to_temp(b)) != 0 || (rc = flush(b)) != 0 || (rc = copy_finish(b, NULL)) != 0)
            return rc;
    }
    return rc != 0 ? rc : run_multi(b, b->tmp->move, ins);
}

int pg_bulk_end(jutsu_bulk *b, int keep, int64_t *inserted, int64_t *skipped)
{
    struct jutsu_db *db = b->db;
    int64_t ins = 0;
    int rc;

    if (inserted)
        *inserted = 0;
    if (skipped)
        *skipped = 0;
    if (!db->copying)
        return pg_err_set(db, JUTSU_ESTATE, "", "bulk_end: no bulk load in progress");
    if (b->failed) {
        rc = b->fail_rc;
        abandon(b, "jutsu: bulk load abandoned after an error");
    } else {
        rc = keep ? finish(b, &ins) : discard(b);
        if (rc != 0)
            abandon(b, "jutsu: bulk load failed");
    }
    db->copying = 0;
    rc = end_own_tx(b, rc, keep);
    if (rc == 0 && keep) {
        if (inserted)
            *inserted = ins;
        if (skipped)
            *skipped = b->rows - ins;
    }
    return rc;
}

void pg_bulk_abort(struct jutsu_db *db)
{
    struct jutsu_bulk *b = db->bulk;
    if (b == NULL || !db->copying)
        return;
    abandon(b, "jutsu: bulk load abandoned (connection given back or rolled back)");
    db->copying = 0;
    if (b->own_tx && PQstatus(db->conn) == CONNECTION_OK) {
        PQclear(PQexec(db->conn, "ROLLBACK"));
        pg_track_tx(db);
    }
}

void pg_bulk_free(struct jutsu_db *db)
{
    if (db->bulk) {
        free(db->bulk->set);
        free(db->bulk->buf);
        free(db->bulk);
        db->bulk = NULL;
    }
}
