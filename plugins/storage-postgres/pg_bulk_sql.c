/*
 * plugins/storage-postgres/pg_bulk_sql.c — the temp tables and SQL behind
 * bulk loads, made once per connection and load shape.
 *
 * The temp table is made with CREATE TEMP TABLE ... AS SELECT cols FROM t
 * WITH NO DATA rather than LIKE t: it then has exactly the loaded columns
 * with their types, no NOT NULL on columns the load leaves to defaults,
 * and no defaults to evaluate (LIKE ... INCLUDING DEFAULTS would draw a
 * sequence value for `id` on every row only to throw it away). It is
 * created IF NOT EXISTS in the same round trip as the COPY, which also
 * covers a temp table whose creating transaction was rolled back.
 *
 * The statements, all made once per connection and load shape:
 *   direct       SAVEPOINT jutsu_bulk; COPY t (cols) FROM STDIN
 *   to_temp      ROLLBACK TO SAVEPOINT jutsu_bulk; RELEASE ...;
 *                CREATE TEMP TABLE IF NOT EXISTS tmp ...; COPY tmp FROM STDIN
 *   create_copy  CREATE TEMP TABLE IF NOT EXISTS tmp ...; COPY tmp FROM STDIN
 *   move         INSERT INTO t (cols) SELECT cols FROM tmp
 *                ON CONFLICT (key) DO NOTHING; TRUNCATE tmp
 * (direct and create_copy start with "BEGIN; " for a load outside a
 * transaction; the loader skips those 7 bytes inside one). Only names that
 * pass pg_ident_ok reach the SQL, double-quoted.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_int.h"

#define KEY_MAX 8192

int pg_ident_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    static const char head[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_";
    if (n == 0 || n > 63 || strchr(head, s[0]) == NULL)
        return 0;
    return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789") == n;
}

static int key_of(char *key, const char *table, const char *const *cols, int n,
                  const char *const *conflict, int nc)
{
    size_t len = (size_t)snprintf(key, KEY_MAX, "%s\n", table);
    for (int i = 0; i < n && len < KEY_MAX; i++)
        len += (size_t)snprintf(key + len, KEY_MAX - len, "%s,", cols[i]);
    if (len < KEY_MAX)
        len += (size_t)snprintf(key + len, KEY_MAX - len, "\n");
    for (int i = 0; i < nc && len < KEY_MAX; i++)
        len += (size_t)snprintf(key + len, KEY_MAX - len, "%s,", conflict[i]);
    return len < KEY_MAX ? 0 : -1;
}

/* `"a", "b", "c"` */
static char *name_list(const char *const *names, int n)
{
    size_t size = 1;
    for (int i = 0; i < n; i++)
        size += strlen(names[i]) + 4;
    char *s = malloc(size), *p = s;
    if (s == NULL)
        return NULL;
    *p = '\0';
    for (int i = 0; i < n; i++)
        p += sprintf(p, "%s\"%s\"", i ? ", " : "", names[i]);
    return s;
}

static void tmp_free(struct pg_tmp *t)
{
    if (t == NULL)
        return;
    free(t->key);
    free(t->direct);
    free(t->to_temp);
    free(t->create_copy);
    free(t->move);
    free(t->kpos);
    free(t);
}

/* Where each conflict column sits among the loaded ones; 0 if one is not
 * loaded (or there is no key): then repeats cannot be seen as rows stream. */
static int key_positions(struct pg_tmp *t, const char *const *cols, int n,
                         const char *const *conflict, int nc)
{
    if (nc == 0 || (t->kpos = calloc((size_t)nc, sizeof(int))) == NULL)
        return 0;
    for (int k = 0; k < nc; k++) {
        t->kpos[k] = -1;
        for (int i = 0; i < n; i++)
            if (strcmp(cols[i], conflict[k]) == 0)
                t->kpos[k] = i;
        if (t->kpos[k] < 0)
            return 0;
    }
    return nc;
}

/* asprintf that leaves *out NULL on failure; 0 or -1. */
static int xasprintf(char **out, const char *fmt, ...) JUTSU_PRINTF(2, 3);
static int xasprintf(char **out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(out, fmt, ap);
    va_end(ap);
    if (n < 0)
        *out = NULL;
    return n < 0 ? -1 : 0;
}

static int make_sql(struct pg_tmp *t, const char *table, const char *cl, const char *kl,
                    int nc)
{
    const char *nm = t->name;
    char *create = NULL;
    int rc = -1;
    if (xasprintf(&create, "CREATE TEMP TABLE IF NOT EXISTS %s ON COMMIT DELETE ROWS AS "
                  "SELECT %s FROM \"%s\" WITH NO DATA; COPY %s FROM STDIN", nm, cl, table, nm))
        return -1;
    if (xasprintf(&t->direct, "BEGIN; SAVEPOINT jutsu_bulk; COPY \"%s\" (%s) FROM STDIN",
                  table, cl) ||
        xasprintf(&t->to_temp, "ROLLBACK TO SAVEPOINT jutsu_bulk; RELEASE SAVEPOINT "
                  "jutsu_bulk; %s", create) ||
        xasprintf(&t->create_copy, "BEGIN; %s", create) ||
        xasprintf(&t->move, "INSERT INTO \"%s\" (%s) SELECT %s FROM %s ON CONFLICT %s%s%s "
                  "DO NOTHING; TRUNCATE %s", table, cl, cl, nm, nc ? "(" : "", kl,
                  nc ? ")" : "", nm))
        goto out;
    rc = 0;
out:
    free(create);
    return rc;
}

static struct pg_tmp *tmp_make(struct jutsu_db *db, const char *key, const char *table,
                               const char *const *cols, int n,
                               const char *const *conflict, int nc)
{
    struct pg_tmp *t = calloc(1, sizeof(*t));
    char *cl = name_list(cols, n), *kl = name_list(conflict, nc);
    int ok = t && cl && kl && (t->key = strdup(key)) != NULL;

    if (ok) {
        snprintf(t->name, sizeof(t->name), "jutsu_bulk_%u", db->next_tmp++);
        t->nk = key_positions(t, cols, n, conflict, nc);
        ok = make_sql(t, table, cl, kl, nc) == 0;
    }
    free(cl);
    free(kl);
    if (!ok) {
        tmp_free(t);
        return NULL;
    }
    t->next = db->tmps;
    db->tmps = t;
    return t;
}

void pg_tmps_free(struct jutsu_db *db)
{
    struct pg_tmp *t = db->tmps, *next;
    for (; t; t = next) {
        next = t->next;
        tmp_free(t);
    }
    db->tmps = NULL;
}

static int check_names(struct jutsu_db *db, const char *table, const char *const *cols, int n,
                       const char *const *conflict, int nc)
{
    if (!pg_ident_ok(table))
        return pg_err_set(db, JUTSU_EINVAL, "42602", "bulk_begin: \"%.64s\" is not a plain "
                          "table name", table ? table : "");
    if (cols == NULL || n < 1 || n > 1600 || nc < 0 || (nc > 0 && conflict == NULL))
        return pg_err_set(db, JUTSU_EINVAL, "", "bulk_begin %s: %d columns, %d conflict "
                          "columns", table, n, nc);
    for (int i = 0; i < n + nc; i++) {
        const char *c = i < n ? cols[i] : conflict[i - n];
        if (!pg_ident_ok(c))
            return pg_err_set(db, JUTSU_EINVAL, "42602", "bulk_begin %s: \"%.64s\" is not a "
                              "plain column name", table, c ? c : "");
    }
    return 0;
}

int pg_tmp_find(struct jutsu_db *db, const char *table, const char *const *cols, int n,
                const char *const *conflict, int nc, struct pg_tmp **out)
{
    char *key;
    int rc = check_names(db, table, cols, n, conflict, nc);
    if (rc != 0)
        return rc;
    if ((key = malloc(KEY_MAX)) == NULL)
        return pg_err_set(db, JUTSU_ENOMEM, "", "out of memory");
    if (key_of(key, table, cols, n, conflict, nc) != 0) {
        rc = pg_err_set(db, JUTSU_EINVAL, "", "bulk_begin %s: too many columns", table);
        goto out;
    }
    for (*out = db->tmps; *out; *out = (*out)->next)
        if (strcmp((*out)->key, key) == 0)
            goto out;
    if ((*out = tmp_make(db, key, table, cols, n, conflict, nc)) == NULL)
        rc = pg_err_set(db, JUTSU_ENOMEM, "", "out of memory");
out:
    free(key);
    return rc;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * UINT64_C(1099511628211);
    return h;
}

uint64_t pg_key_hash(const struct pg_tmp *t, const struct jutsu_db_value *values)
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (int k = 0; k < t->nk; k++) {
        const struct jutsu_db_value *v = &values[t->kpos[k]];
        h = fnv(h, &v->type, sizeof(v->type));
        if (v->type == JUTSU_DB_TEXT || v->type == JUTSU_DB_BYTES) {
            h = fnv(h, &v->len, sizeof(v->len));
            h = fnv(h, v->v.b, v->len);
        } else if (v->type == JUTSU_DB_DOUBLE) {
            h = fnv(h, &v->v.f, sizeof(v->v.f));
        } else if (v->type == JUTSU_DB_DATE) {
            h = fnv(h, &v->v.d, sizeof(v->v.d));
        } else if (v->type != JUTSU_DB_NULL) {
            h = fnv(h, &v->scale, sizeof(v->scale));
            h = fnv(h, &v->v.i, sizeof(v->v.i));
        }
    }
    return h ? h : 1;
}
