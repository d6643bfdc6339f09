/*
 * core/store/session.c — data sessions: one driver connection per thread,
 * the transaction discipline, the last error in its parts, and the arena
 * that single-row gets copy their text into.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "base/metrics.h"
#include "store/store.h"

#define OPEN_GAUGE "jutsu_db_sessions_open"

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
    jutsu_metrics_gauge_add(NULL, OPEN_GAUGE, NULL, 1);
    *out = s;
    return 0;
}

void jutsu_dbs_close(jutsu_dbs *s)
{
    if (s == NULL)
        return;
    if (s->tx_depth > 0)
        s->ops->rollback(s->db);   /* an abandoned transaction is not committed */
    s->ops->disconnect(s->db);
    jutsu_dbs_arena_reset(s);
    free(s);
    jutsu_metrics_gauge_add(NULL, OPEN_GAUGE, NULL, -1);
}

const char *jutsu_dbs_describe(jutsu_dbs *s)
{
    return s->ops->describe(s->store.state);
}

jutsu_time_t jutsu_dbs_now(jutsu_dbs *s)
{
    return s->store.now(s->store.now_arg);
}

/* --- errors -------------------------------------------------------------- */

int jutsu_dbs_fail(jutsu_dbs *s, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err.message, sizeof(s->err.message), fmt, ap);
    va_end(ap);
    s->err.detail[0] = s->err.hint[0] = '\0';
    return rc;
}

int jutsu_dbs_fail_driver(jutsu_dbs *s, int rc, const char *what)
{
    const struct jutsu_db_error *e = s->ops->last_error(s->db);
    if (e == NULL || e->message[0] == '\0')
        return jutsu_dbs_fail(s, rc, "%s: %s", what, jutsu_strerror(rc));
    jutsu_dbs_fail(s, rc, "%s: %s", what, e->message);
    snprintf(s->err.detail, sizeof(s->err.detail), "%s", e->detail);
    snprintf(s->err.hint, sizeof(s->err.hint), "%s", e->hint);
    return rc;
}

void jutsu_dbs_error_clear(jutsu_dbs *s)
{
    s->err.message[0] = s->err.detail[0] = s->err.hint[0] = '\0';
}

void jutsu_dbs_error_prefix(jutsu_dbs *s, const char *prefix)
{
    size_t pl = strlen(prefix), cap = sizeof(s->err.message);
    if (pl >= cap)
        return;
    size_t keep = strnlen(s->err.message, cap - pl - 1);
    memmove(s->err.message + pl, s->err.message, keep);
    memcpy(s->err.message, prefix, pl);
    s->err.message[pl + keep] = '\0';
}

const char *jutsu_dbs_error(jutsu_dbs *s)
{
    return s->err.message;
}

const char *jutsu_dbs_error_detail(jutsu_dbs *s)
{
    return s->err.detail;
}

const char *jutsu_dbs_error_hint(jutsu_dbs *s)
{
    return s->err.hint;
}

const char *jutsu_dbs_error_line(jutsu_dbs *s)
{
    const struct jutsu_dbs_error *e = &s->err;
    snprintf(s->err.line, sizeof(s->err.line), "%s%s%s%s%s%s", e->message,
             e->detail[0] ? " (" : "", e->detail, e->detail[0] ? ")" : "",
             e->hint[0] ? "; hint: " : "", e->hint);
    return s->err.line;
}

/* --- transactions -------------------------------------------------------- */

int jutsu_dbs_begin(jutsu_dbs *s)
{
    if (s->tx_depth > 0)
        return jutsu_dbs_fail(s, JUTSU_ESTATE, "begin: a transaction is already open");
    int rc = s->ops->begin(s->db);
    if (rc != 0)
        return jutsu_dbs_fail_driver(s, rc, "begin");
    s->tx_depth = 1;
    return 0;
}

int jutsu_dbs_commit_driver(jutsu_dbs *s, const char *what)
{
    int rc = s->ops->commit(s->db);
    if (rc == 0)
        return 0;
    /* the error first: the rollback must not be what the caller reads */
    jutsu_dbs_fail_driver(s, rc, what);
    s->ops->rollback(s->db);
    return rc;
}

int jutsu_dbs_commit(jutsu_dbs *s)
{
    if (s->tx_depth == 0)
        return jutsu_dbs_fail(s, JUTSU_ESTATE, "commit: no transaction is open");
    s->tx_depth = 0;
    return jutsu_dbs_commit_driver(s, "commit");
}

int jutsu_dbs_rollback(jutsu_dbs *s)
{
    if (s->tx_depth == 0)
        return 0;
    s->tx_depth = 0;
    int rc = s->ops->rollback(s->db);
    return rc ? jutsu_dbs_fail_driver(s, rc, "rollback") : 0;
}

int jutsu_dbs_tx_enter(jutsu_dbs *s, int *own)
{
    *own = 0;
    if (s->tx_depth > 0)
        return 0;
    int rc = s->ops->begin(s->db);
    if (rc != 0)
        return jutsu_dbs_fail_driver(s, rc, "begin");
    /* nested data calls must see the transaction and join it */
    s->tx_depth = 1;
    *own = 1;
    return 0;
}

int jutsu_dbs_tx_leave(jutsu_dbs *s, int own, int rc)
{
    if (!own)
        return rc;
    s->tx_depth = 0;
    if (rc != 0) {
        s->ops->rollback(s->db);
        return rc;
    }
    return jutsu_dbs_commit_driver(s, "commit");
}

/* --- the arena ------------------------------------------------------------ */

struct dbs_block {
    struct dbs_block *next;
    char              data[];
};

void jutsu_dbs_arena_reset(jutsu_dbs *s)
{
    while (s->arena) {
        struct dbs_block *b = s->arena;
        s->arena = b->next;
        free(b);
    }
}

/* Always NUL-terminated, so text and bytes share it. */
const void *jutsu_dbs_arena_copy(jutsu_dbs *s, const void *p, size_t n)
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
