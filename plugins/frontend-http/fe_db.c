/*
 * plugins/frontend-http/fe_db.c — each worker thread's own data session.
 *
 * A data session is one connection and is not thread-safe, so every
 * libmicrohttpd worker keeps its own in thread-local storage: opened on the
 * thread's first request that reads a table, kept for the next ones (no
 * connect per request), closed by the key's destructor when the thread
 * ends (the daemon joins its workers when the frontend stops, before the
 * plugin is unloaded). A session that lost its connection for good
 * (JUTSU_ETRANSIENT after the driver's own reconnects) is dropped by
 * fe_db_fail and the next request opens a fresh one.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "jutsu/error.h"
#include "fe.h"

/* What the thread holds: the session, and who opened it (a process may run
 * two frontends, each on its own daemon, but a thread serves one). */
struct slot {
    const struct jutsu_data *data;
    jutsu_ctx               *ctx;
    jutsu_dbs               *s;
};

static pthread_key_t  key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static int            key_rc;

static void slot_free(void *p)
{
    struct slot *sl = p;
    if (sl->s)
        sl->data->close(sl->s);
    free(sl);
}

static void key_make(void)
{
    key_rc = pthread_key_create(&key, slot_free);
}

static int unavailable(struct fe_req *r, const char *why)
{
    fe_error(r, 503, "unavailable", why, "the server's log says why; retry shortly");
    return 0;
}

/* The thread's session for `fe`, opened when it has none: NULL with the
 * reason in *why. */
static jutsu_dbs *thread_dbs(struct fe *fe, const char **why)
{
    const struct jutsu_data *data = fe->host->data ? fe->host->data(fe->ctx) : NULL;
    if (data == NULL) {
        *why = "no storage is configured";
        return NULL;
    }
    if (pthread_once(&key_once, key_make) != 0 || key_rc != 0) {
        *why = "cannot keep a database session for this thread";
        return NULL;
    }
    struct slot *sl = pthread_getspecific(key);
    if (sl && sl->s && sl->ctx == fe->ctx)
        return sl->s;
    if (sl == NULL) {
        if ((sl = calloc(1, sizeof(*sl))) == NULL || pthread_setspecific(key, sl) != 0) {
            free(sl);
            *why = "out of memory";
            return NULL;
        }
    } else if (sl->s) {
        sl->data->close(sl->s);
        sl->s = NULL;
    }
    sl->data = data;
    sl->ctx = fe->ctx;
    int rc = data->open(fe->ctx, &sl->s);
    if (rc != 0) {
        sl->s = NULL;
        fe->host->log(fe->ctx, JUTSU_LOG_ERROR, "cannot open a database session: %s",
                      jutsu_strerror(rc));
        *why = "the database cannot be reached";
        return NULL;
    }
    return sl->s;
}

jutsu_dbs *fe_dbs(struct fe_req *r)
{
    const char *why = NULL;
    jutsu_dbs *s = thread_dbs(r->fe, &why);
    if (s == NULL)
        unavailable(r, why);
    return s;
}

jutsu_dbs *fe_dbs_thread(struct fe *fe)
{
    const char *why = NULL;
    return thread_dbs(fe, &why);
}

int fe_db_fail(struct fe_req *r, jutsu_dbs *s, int rc, const char *what)
{
    const struct jutsu_data *data = r->fe->host->data(r->fe->ctx);
    const char *line = data && s ? data->last_error(s) : "";
    char msg[256];
    switch (rc) {
    case JUTSU_ENOENT:
        snprintf(msg, sizeof(msg), "no %s", what);
        return fe_error(r, 404, "not_found", msg, NULL);
    case JUTSU_EINVAL:
    case JUTSU_ERANGE:
        return fe_error(r, 400, "bad_parameter", line && *line ? line : what, NULL);
    case JUTSU_ETRANSIENT: {
        struct slot *sl = pthread_getspecific(key);
        r->fe->host->log(r->fe->ctx, JUTSU_LOG_WARN, "%s: the database connection was lost: %s",
                         what, line);
        if (sl && sl->s == s) {
            sl->data->close(sl->s);
            sl->s = NULL;
        }
        return fe_error(r, 503, "unavailable", "the database connection was lost",
                        "retry shortly");
    }
    default:
        r->fe->host->log(r->fe->ctx, JUTSU_LOG_ERROR, "%s: %s (%s)", what, jutsu_strerror(rc),
                         line);
        snprintf(msg, sizeof(msg), "reading %s failed", what);
        return fe_error(r, 500, "internal", msg, "the server's log has the details");
    }
}

const struct jutsu_data *fe_data(struct fe_req *r)
{
    const struct jutsu_data *d = r->fe->host->data ? r->fe->host->data(r->fe->ctx) : NULL;
    if (d == NULL)
        fe_error(r, 503, "unavailable", "no storage is configured", NULL);
    else if (!JUTSU_OPS_HAS(d, jutsu_data, bars_page))
        fe_error(r, 503, "unavailable", "this host's data API predates the listing reads "
                 "(ABI 1.3)", "run a jutsu as new as this plugin");
    return d && JUTSU_OPS_HAS(d, jutsu_data, bars_page) ? d : NULL;
}
