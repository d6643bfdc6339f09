/*
 * core/store/row_sql.c — statement texts built from a table's columns
 * (struct jutsu_sql, row.h).
 *
 * Built once per statement and kept: the drivers cache prepared
 * statements by their text, so every use must hand them the same string,
 * and building it each time would cost a few microseconds a row on paths
 * that write thousands (an EOD backfill). The texts live as long as the
 * process, like the static tables they come from.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/buf.h"
#include "store/row.h"

/* The text being built; `bad` once an allocation failed. */
struct sb {
    struct jutsu_buf b;
    int              bad;
};

static void add(struct sb *b, const char *fmt, ...) JUTSU_PRINTF(2, 3);
static void add(struct sb *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (!b->bad && jutsu_buf_vprintf(&b->b, SIZE_MAX, fmt, ap) != 0)
        b->bad = 1;
    va_end(ap);
}

enum item { NAME, SET_EXCLUDED, DISTINCT };

/* The columns `pick` says yes to, separated by sep, each as `item`
 * says: its name, "c = excluded.c", or "t.c IS DISTINCT FROM excluded.c". */
static int list(struct sb *b, const struct jutsu_sql *q, const char *sep,
                int (*pick)(const struct jutsu_sql *, const struct jutsu_col *), enum item item)
{
    int n = 0;
    for (size_t i = 0; i < q->table->ncols; i++) {
        const char *c = q->table->cols[i].name;
        if (!pick(q, &q->table->cols[i]))
            continue;
        add(b, "%s", n++ ? sep : "");
        if (item == NAME)
            add(b, "%s", c);
        else if (item == SET_EXCLUDED)
            add(b, "%s = excluded.%s", c, c);
        else
            add(b, "%s.%s IS DISTINCT FROM excluded.%s", q->table->name, c, c);
    }
    return n;
}

static int pick_read(const struct jutsu_sql *q, const struct jutsu_col *c)
{
    size_t i = (size_t)(c - q->table->cols);
    return jutsu_sql_reads(c) && (q->only == NULL || (i < 64 && ((q->only_mask >> i) & 1)));
}

/* The set of the columns q->only names, into q->only_mask; -1 for a name
 * the table does not have (or a column past the 64th). */
static int only_mask(struct jutsu_sql *q)
{
    uint64_t m = 0;
    for (const char *p = q->only; *p;) {
        size_t n = strcspn(p, " ");
        size_t i = 0;
        while (i < q->table->ncols &&
               !(strlen(q->table->cols[i].name) == n && strncmp(q->table->cols[i].name, p, n) == 0))
            i++;
        if (n > 0 && (i == q->table->ncols || i >= 64))
            return -1;
        if (n > 0)
            m |= UINT64_C(1) << i;
        p += n + (p[n] == ' ');
    }
    q->only_mask = m;
    return 0;
}

static int pick_bound(const struct jutsu_sql *q, const struct jutsu_col *c)
{
    return jutsu_sql_binds(q->kind, c);
}

static int pick_key(const struct jutsu_sql *q, const struct jutsu_col *c)
{
    (void)q;
    return (c->flags & JUTSU_COL_KEY) != 0;
}

/* What an upsert's DO UPDATE sets: the written columns but the key and
 * those the first insert keeps. */
static int pick_updated(const struct jutsu_sql *q, const struct jutsu_col *c)
{
    return jutsu_sql_binds(q->kind, c) && !(c->flags & (JUTSU_COL_KEY | JUTSU_COL_KEEP));
}

/* What decides whether a row changed: the updated columns but the time
 * the write itself stamps. */
static int pick_compared(const struct jutsu_sql *q, const struct jutsu_col *c)
{
    return pick_updated(q, c) && !(c->flags & (JUTSU_COL_NOW | JUTSU_COL_STAMP));
}

static void build(struct sb *b, const struct jutsu_sql *q)
{
    const char *t = q->table->name;
    if (q->kind == JUTSU_SQL_SELECT) {
        add(b, "SELECT ");
        list(b, q, ", ", pick_read, NAME);
        add(b, " FROM %s", t);
    } else if (q->kind == JUTSU_SQL_UPDATE) {
        add(b, "UPDATE %s SET ", t);
        int n = 0;
        for (size_t i = 0; i < q->table->ncols; i++)
            if (jutsu_sql_binds(q->kind, &q->table->cols[i]))
                add(b, "%s%s = $%d", n ? ", " : "", q->table->cols[i].name, n + 1), n++;
        add(b, " WHERE id = $%d", n + 1);
    } else {
        add(b, "INSERT INTO %s (", t);
        int n = list(b, q, ", ", pick_bound, NAME);
        add(b, ") VALUES (");
        for (int i = 1; i <= n; i++)
            add(b, "%s$%d", i > 1 ? ", " : "", i);
        add(b, ")");
        if (q->kind == JUTSU_SQL_UPSERT || q->kind == JUTSU_SQL_UPSERT_CHANGED) {
            add(b, " ON CONFLICT (");
            list(b, q, ", ", pick_key, NAME);
            add(b, ") DO UPDATE SET ");
            list(b, q, ", ", pick_updated, SET_EXCLUDED);
        }
        if (q->kind == JUTSU_SQL_UPSERT_CHANGED) {
            add(b, " WHERE ");
            list(b, q, " OR ", pick_compared, DISTINCT);
        }
    }
    if (q->tail)
        add(b, " %s", q->tail);
}

static pthread_mutex_t build_lock = PTHREAD_MUTEX_INITIALIZER;

const char *jutsu_sql_text(struct jutsu_sql *sql)
{
    char *text = atomic_load_explicit(&sql->text, memory_order_acquire);
    if (text != NULL)
        return text;
    pthread_mutex_lock(&build_lock);
    text = atomic_load_explicit(&sql->text, memory_order_relaxed);
    if (text == NULL) {
        struct sb b = { 0 };
        if (sql->only != NULL && only_mask(sql) != 0)
            b.bad = 1;
        build(&b, sql);
        if (b.bad)
            jutsu_buf_free(&b.b);
        else
            atomic_store_explicit(&sql->text, text = b.b.p, memory_order_release);
    }
    pthread_mutex_unlock(&build_lock);
    return text;
}
