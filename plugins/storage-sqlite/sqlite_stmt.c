/*
 * plugins/storage-sqlite/sqlite_stmt.c — statements: prepare with the
 * per-connection cache, typed binds and column reads, step, reset.
 *
 * The host writes parameters as $1, $2 (PostgreSQL's style). SQLite reads
 * "$1" as a *named* parameter and numbers named parameters by first
 * appearance, so "$2 ... $1" would bind backwards; prepare therefore turns
 * each $N into ?N, whose index is N, outside literals and comments.
 *
 * Values map onto the STRICT schema's storage classes: DECIMAL, TIME,
 * INT64 and BOOL are INTEGERs (a DECIMAL holds its scaled integer, so money
 * round-trips and sorts exactly), DATE is TEXT 'YYYY-MM-DD', BYTES a BLOB.
 * A read asking for a type the stored value cannot be without loss (a TEXT
 * or REAL where money is expected) is refused with JUTSU_EINVAL rather
 * than converted.
 *
 * Finalized statements go back to an MRU list of at most statement_cache
 * entries, reset and with their bindings cleared; prepare() of the same SQL
 * text takes one back (found by the text's address first, see cache_take).
 * Compiling a statement costs more than running a simple one, and the data
 * API prepares the same few dozen statements all day.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "sqlite_int.h"

static uint64_t hash_sql(const char *s)
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
    return h;
}

void sq_translate_params(const char *sql, char *out)
{
    char quote = 0;           /* inside '...' or "..." */
    int line = 0, block = 0;  /* inside -- or block comments */
    const char *p = sql;
    for (; *p; p++, out++) {
        char c = *p;
        *out = c;
        if (quote) {
            quote = c == quote ? 0 : quote;   /* '' reopens at once: same result */
        } else if (line) {
            line = c != '\n';
        } else if (block) {
            if (c == '*' && p[1] == '/') {
                *++out = *++p;
                block = 0;
            }
        } else if (c == '\'' || c == '"') {
            quote = c;
        } else if (c == '-' && p[1] == '-') {
            line = 1;
        } else if (c == '/' && p[1] == '*') {
            *++out = *++p;
            block = 1;
        } else if (c == '$' && p[1] >= '0' && p[1] <= '9') {
            *out = '?';
        }
    }
    *out = '\0';
}

/* --- the two lists ------------------------------------------------------- */

static void unlink_stmt(jutsu_stmt *st)
{
    jutsu_db *db = st->db;
    if (st->prev)
        st->prev->next = st->next;
    else if (st->idle)
        db->idle = st->next;
    else
        db->live = st->next;
    if (st->next)
        st->next->prev = st->prev;
    else if (st->idle)
        db->idle_tail = st->prev;
    if (st->idle)
        db->nidle--;
    st->prev = st->next = NULL;
}

static void push_live(jutsu_stmt *st)
{
    jutsu_db *db = st->db;
    st->idle = 0;
    st->prev = NULL;
    st->next = db->live;
    if (db->live)
        db->live->prev = st;
    db->live = st;
}

static void push_idle(jutsu_stmt *st)
{
    jutsu_db *db = st->db;
    st->idle = 1;
    st->prev = NULL;
    st->next = db->idle;
    if (db->idle)
        db->idle->prev = st;
    else
        db->idle_tail = st;
    db->idle = st;
    db->nidle++;
}

static void destroy(jutsu_stmt *st)
{
    sqlite3_finalize(st->s);
    free(st);
}

void sq_stmt_drop_all(jutsu_db *db)
{
    while (db->live) {
        jutsu_stmt *st = db->live;
        unlink_stmt(st);
        destroy(st);
    }
    while (db->idle) {
        jutsu_stmt *st = db->idle;
        unlink_stmt(st);
        destroy(st);
    }
}

/*
 * The idle statement for `sql`, or NULL. The host's SQL texts are string
 * literals or tables' built texts that live as long as the process, so the
 * same query comes back at the same address: a statement last prepared
 * from that pointer is checked with strcmp (a text at a reused address may
 * differ) instead of hashing the whole text byte by byte, which cost 11%
 * of a backtest. Only on a pointer miss is the text hashed (*hash).
 */
static jutsu_stmt *cache_take(jutsu_db *db, const char *sql, uint64_t *hash)
{
    jutsu_stmt *st;
    for (st = db->idle; st; st = st->next)
        if (st->ptr == sql && strcmp(st->key, sql) == 0)
            goto found;
    *hash = hash_sql(sql);
    for (st = db->idle; st; st = st->next)
        if (st->hash == *hash && strcmp(st->key, sql) == 0)
            goto found;
    return NULL;
found:
    unlink_stmt(st);
    st->ptr = sql;
    return st;
}

/* Only whitespace, comments and semicolons may follow the statement. */
static int only_trailer(const char *p)
{
    while (*p) {
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == ';') {
            p++;
        } else if (p[0] == '-' && p[1] == '-') {
            while (*p && *p != '\n')
                p++;
        } else if (p[0] == '/' && p[1] == '*') {
            const char *end = strstr(p + 2, "*/");
            if (end == NULL)
                return 0;
            p = end + 2;
        } else {
            return 0;
        }
    }
    return 1;
}

static int compile(jutsu_db *db, const char *sql, size_t len, sqlite3_stmt **out)
{
    char small[1024], *text = len < sizeof(small) ? small : malloc(len + 1);
    const char *tail = NULL;
    unsigned flags = db->drv->cache_size > 0 ? SQLITE_PREPARE_PERSISTENT : 0;
    int rc;

    *out = NULL;
    if (text == NULL)
        return sq_fail_msg(db, JUTSU_ENOMEM, "53200", "out of memory preparing a statement");
    sq_translate_params(sql, text);
    rc = sqlite3_prepare_v3(db->h, text, (int)len + 1, flags, out, &tail);
    if (rc != SQLITE_OK) {
        rc = sq_fail(db, rc, sql);
    } else if (*out == NULL) {
        rc = sq_fail_msg(db, JUTSU_EINVAL, "42601", "empty statement: %.200s", sql);
    } else if (!only_trailer(tail)) {
        sqlite3_finalize(*out);
        *out = NULL;
        rc = sq_fail_msg(db, JUTSU_EINVAL, "42601", "prepare takes one statement (use exec "
                         "for several); extra text: %.180s", tail);
    }
    if (text != small)
        free(text);
    return rc;
}

int sq_prepare(jutsu_db *db, const char *sql, jutsu_stmt **out)
{
    if (db == NULL || out == NULL)
        return JUTSU_EINVAL;
    *out = NULL;
    if (sql == NULL)
        return sq_fail_msg(db, JUTSU_EINVAL, "42601", "prepare: no SQL");
    uint64_t hash = 0;
    jutsu_stmt *st = cache_take(db, sql, &hash);
    if (st == NULL) {
        size_t len = strlen(sql);
        sqlite3_stmt *s;
        if (len >= INT_MAX)
            return sq_fail_msg(db, JUTSU_EINVAL, "54000", "statement too long");
        int rc = compile(db, sql, len, &s);
        if (rc != 0)
            return rc;
        st = calloc(1, sizeof(*st) + len + 1);
        if (st == NULL) {
            sqlite3_finalize(s);
            return sq_fail_msg(db, JUTSU_ENOMEM, "53200", "out of memory preparing a statement");
        }
        st->db = db;
        st->s = s;
        st->key = (char *)(st + 1);
        memcpy(st->key, sql, len + 1);
        st->hash = hash;
        st->ptr = sql;
        st->readonly = sqlite3_stmt_readonly(s);
    }
    st->started = st->done = st->ncols = 0;
    st->changes = st->returned = 0;
    push_live(st);
    *out = st;
    return 0;
}

void sq_finalize(jutsu_stmt *st)
{
    if (st == NULL)
        return;
    jutsu_db *db = st->db;
    unlink_stmt(st);
    if (db->drv->cache_size <= 0) {
        destroy(st);
        return;
    }
    /* reset's code repeats the last step's error, already reported */
    sqlite3_reset(st->s);
    sqlite3_clear_bindings(st->s);
    push_idle(st);
    while (db->nidle > db->drv->cache_size) {
        jutsu_stmt *old = db->idle_tail;
        unlink_stmt(old);
        destroy(old);
    }
}

/* --- binding ------------------------------------------------------------- */

static int bind_failed(jutsu_stmt *st, int rc, int idx)
{
    if (rc == SQLITE_RANGE)
        return sq_fail_msg(st->db, JUTSU_EINVAL, "22023", "parameter $%d does not exist: the "
                           "statement has %d", idx, sqlite3_bind_parameter_count(st->s));
    if (rc == SQLITE_MISUSE)
        return sq_fail_msg(st->db, JUTSU_ESTATE, "55000", "parameter $%d: the statement is "
                           "running; reset it before binding again", idx);
    return sq_fail(st->db, rc, st->key);
}

int sq_bind_value(jutsu_stmt *st, int idx, const struct jutsu_db_value *v, int stable,
                  char *datebuf)
{
    sqlite3_stmt *s = st->s;
    sqlite3_destructor_type how = stable ? SQLITE_STATIC : SQLITE_TRANSIENT;
    char local[JUTSU_DATE_BUFSZ];
    int rc, n;

    switch (v->type) {
    case JUTSU_DB_NULL:    rc = sqlite3_bind_null(s, idx); break;
    case JUTSU_DB_INT64:
    case JUTSU_DB_DECIMAL: rc = sqlite3_bind_int64(s, idx, v->v.i); break;
    case JUTSU_DB_TIME:    rc = sqlite3_bind_int64(s, idx, v->v.t); break;
    case JUTSU_DB_BOOL:    rc = sqlite3_bind_int(s, idx, v->v.i != 0); break;
    case JUTSU_DB_DOUBLE:  rc = sqlite3_bind_double(s, idx, v->v.f); break;
    case JUTSU_DB_DATE:
        if (datebuf == NULL) {
            datebuf = local;
            how = SQLITE_TRANSIENT;
        }
        n = jutsu_date_format(v->v.d, datebuf);
        rc = sqlite3_bind_text(s, idx, datebuf, n, how);
        break;
    case JUTSU_DB_TEXT:
        if (v->len > INT_MAX)
            return sq_fail_msg(st->db, JUTSU_ERANGE, "54000", "parameter $%d: text too long", idx);
        /* a NULL pointer would bind SQL NULL; an empty string is not NULL */
        rc = sqlite3_bind_text(s, idx, v->v.s ? v->v.s : "", (int)v->len, how);
        break;
    case JUTSU_DB_BYTES:
        if (v->len > INT_MAX)
            return sq_fail_msg(st->db, JUTSU_ERANGE, "54000", "parameter $%d: bytes too long", idx);
        rc = v->len == 0 ? sqlite3_bind_zeroblob(s, idx, 0)
                         : sqlite3_bind_blob(s, idx, v->v.b, (int)v->len, how);
        break;
    default:
        return sq_fail_msg(st->db, JUTSU_EINVAL, "22023", "parameter $%d: unknown value type %u",
                           idx, v->type);
    }
    return rc == SQLITE_OK ? 0 : bind_failed(st, rc, idx);
}

int sq_bind(jutsu_stmt *st, int idx, const struct jutsu_db_value *v)
{
    if (st == NULL || v == NULL)
        return JUTSU_EINVAL;
    return sq_bind_value(st, idx, v, 0, NULL);
}

/* --- stepping ------------------------------------------------------------ */

int sq_step(jutsu_stmt *st)
{
    if (st == NULL)
        return JUTSU_EINVAL;
    sqlite3 *h = st->db->h;
    if (!st->started || st->done) {   /* SQLite restarts a finished statement */
        st->started = 1;
        st->done = 0;
        st->total_before = sqlite3_total_changes64(h);
        st->changes = st->returned = 0;
    }
    int rc = sqlite3_step(st->s);
    st->ncols = rc == SQLITE_ROW ? sqlite3_data_count(st->s) : 0;
    if (rc == SQLITE_ROW) {
        /* RETURNING: the rows written are the rows returned until DONE */
        if (!st->readonly)
            st->changes = ++st->returned;
        return JUTSU_DB_ROW;
    }
    if (rc == SQLITE_DONE) {
        st->done = 1;
        /* the difference, unlike sqlite3_changes(), is 0 for DDL */
        st->changes = st->readonly ? 0 : sqlite3_total_changes64(h) - st->total_before;
        return JUTSU_DB_DONE;
    }
    return sq_fail(st->db, rc, st->key);
}

int64_t sq_changes(jutsu_stmt *st)
{
    return st ? st->changes : 0;
}

int sq_reset(jutsu_stmt *st)
{
    if (st == NULL)
        return JUTSU_EINVAL;
    sqlite3_reset(st->s);   /* its code is the last step's, already reported */
    st->started = st->done = st->ncols = 0;
    st->returned = 0;
    return 0;
}

/* --- reading ------------------------------------------------------------- */

static const char *storage_name(int t)
{
    switch (t) {
    case SQLITE_INTEGER: return "INTEGER";
    case SQLITE_FLOAT:   return "REAL";
    case SQLITE_TEXT:    return "TEXT";
    case SQLITE_BLOB:    return "BLOB";
    default:             return "NULL";
    }
}

static const char *type_name(uint32_t type)
{
    static const char *const names[] = { "NULL", "INT64", "TEXT", "BOOL", "BYTES",
                                         "DECIMAL", "TIME", "DATE", "DOUBLE" };
    return type < sizeof(names) / sizeof(names[0]) ? names[type] : "an unknown type";
}

static int wrong_type(jutsu_stmt *st, int col, int stored, uint32_t type)
{
    return sq_fail_msg(st->db, JUTSU_EINVAL, "42804", "column %d (%s) holds %s, which cannot "
                       "be read as %s", col, sqlite3_column_name(st->s, col),
                       storage_name(stored), type_name(type));
}

int sq_column(jutsu_stmt *st, int col, uint32_t type, uint32_t scale,
              struct jutsu_db_value *out)
{
    if (st == NULL || out == NULL)
        return JUTSU_EINVAL;
    sqlite3_stmt *s = st->s;
    *out = (struct jutsu_db_value){ 0 };
    if (col < 0 || col >= st->ncols)
        return sq_fail_msg(st->db, JUTSU_EINVAL, "22023", "column %d does not exist (the row "
                           "has %d)", col, st->ncols);
    /* One lookup of the column, then its value read directly: each
     * sqlite3_column_* call looks the column up again and checks the
     * connection's state, which was most of a wide row's read (a daily
     * row has 45 columns). The value lives until the next step, and the
     * connection is this thread's alone, so reading it unprotected is
     * what sqlite3_column_* would do. */
    sqlite3_value *v = sqlite3_column_value(s, col);
    int stored = sqlite3_value_type(v);
    if (stored == SQLITE_NULL)
        return 0;                                  /* out->type is JUTSU_DB_NULL */
    switch (type) {
    case JUTSU_DB_INT64:
    case JUTSU_DB_DECIMAL:
    case JUTSU_DB_TIME:
    case JUTSU_DB_BOOL:
        if (stored != SQLITE_INTEGER)
            return wrong_type(st, col, stored, type);
        out->v.i = sqlite3_value_int64(v);
        if (type == JUTSU_DB_BOOL)
            out->v.i = out->v.i != 0;
        out->scale = type == JUTSU_DB_DECIMAL ? scale : 0;
        break;
    case JUTSU_DB_DATE: {
        if (stored != SQLITE_TEXT)
            return wrong_type(st, col, stored, type);
        const char *text = (const char *)sqlite3_value_text(v);
        int n = sqlite3_value_bytes(v);
        if (text == NULL || jutsu_date_parse(text, n, &out->v.d) != 0)
            return sq_fail_msg(st->db, JUTSU_EINVAL, "22007", "column %d (%s): \"%.*s\" is not "
                               "a date YYYY-MM-DD", col, sqlite3_column_name(s, col),
                               text ? (n > 40 ? 40 : n) : 0, text ? text : "");
        break;
    }
    case JUTSU_DB_TEXT:
        out->v.s = (const char *)sqlite3_value_text(v);
        out->len = (uint32_t)sqlite3_value_bytes(v);
        if (out->v.s == NULL)
            return sq_fail_msg(st->db, JUTSU_ENOMEM, "53200", "out of memory reading column %d",
                               col);
        break;
    case JUTSU_DB_BYTES:
        out->v.b = sqlite3_value_blob(v);
        out->len = (uint32_t)sqlite3_value_bytes(v);
        break;
    case JUTSU_DB_DOUBLE:
        if (stored != SQLITE_FLOAT && stored != SQLITE_INTEGER)
            return wrong_type(st, col, stored, type);
        out->v.f = sqlite3_value_double(v);
        break;
    default:
        return sq_fail_msg(st->db, JUTSU_EINVAL, "22023", "column %d: unknown value type %u",
                           col, type);
    }
    out->type = type;
    return 0;
}
