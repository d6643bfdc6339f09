/*
 * plugins/frontend-http/fe_conn.c — a deadline per request, for clients
 * that send slowly on purpose.
 *
 * libmicrohttpd's connection timeout counts idle time only: a client that
 * sends a header byte every second is never idle, and holds its
 * connection for as long as max_header bytes last (9 hours at the
 * default), so a few hundred of them take every connection there is. Here
 * each connection has a deadline instead: its request's headers must be
 * whole within request_timeout of the connection opening (or of the
 * previous answer, on a kept-alive one), and its body within
 * request_timeout of its headers. While an answer is being sent there is
 * none (an event stream lasts as long as it likes; a reader that stops
 * reading meets the idle timeout).
 *
 * A thread of its own looks at the deadlines four times a second and shuts
 * down (never closes: libmicrohttpd owns the descriptor) the socket of a
 * connection past its own; libmicrohttpd then sees the connection end and
 * closes it as usual. The list is under one lock, taken by the
 * connection's start and end notifications too, and libmicrohttpd ends a
 * connection (NOTIFY_CLOSED) before it closes its descriptor: the thread
 * never shuts down a descriptor another connection reuses.
 *
 * Also here: the framing checks of a request's headers (fe_conn_bad_framing).
 */
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "jutsu/error.h"
#include "fe.h"

#define SCAN_MS 250

struct fe_conn {
    struct fe_conn *prev, *next;
    int64_t         deadline_us;   /* monotonic; 0: none */
    int             fd;
    int             over_ip;
};

struct fe_conns {
    pthread_mutex_t lock;
    pthread_cond_t  wake;
    pthread_t       thread;
    int             stopping;
    struct fe_conn  head;          /* a ring: head.next is the first */
    int64_t         reaped;
};

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void *reaper(void *arg)
{
    struct fe_conns *cs = arg;
    pthread_mutex_lock(&cs->lock);
    while (!cs->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += SCAN_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&cs->wake, &cs->lock, &until);
        int64_t now = mono_us();
        for (struct fe_conn *c = cs->head.next; c != &cs->head; c = c->next)
            if (c->deadline_us != 0 && now > c->deadline_us) {
                (void)shutdown(c->fd, SHUT_RDWR);   /* fails only if already gone */
                c->deadline_us = 0;
                cs->reaped++;
            }
    }
    pthread_mutex_unlock(&cs->lock);
    return NULL;
}

int fe_conns_start(struct fe *fe)
{
    struct fe_conns *cs = calloc(1, sizeof(*cs));
    pthread_condattr_t ca;
    if (cs == NULL)
        return JUTSU_ENOMEM;
    cs->head.next = cs->head.prev = &cs->head;
    if (pthread_condattr_init(&ca) != 0) {
        free(cs);
        return JUTSU_ENOMEM;
    }
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    int ok = pthread_mutex_init(&cs->lock, NULL) == 0 && pthread_cond_init(&cs->wake, &ca) == 0;
    pthread_condattr_destroy(&ca);
    if (!ok || pthread_create(&cs->thread, NULL, reaper, cs) != 0) {
        free(cs);
        return JUTSU_ENOMEM;
    }
    fe->conns = cs;
    return 0;
}

void fe_conns_stop(struct fe *fe)
{
    struct fe_conns *cs = fe->conns;
    if (cs == NULL)
        return;
    pthread_mutex_lock(&cs->lock);
    cs->stopping = 1;
    pthread_cond_signal(&cs->wake);
    pthread_mutex_unlock(&cs->lock);
    pthread_join(cs->thread, NULL);
    pthread_cond_destroy(&cs->wake);
    pthread_mutex_destroy(&cs->lock);
    free(cs);
    fe->conns = NULL;
}

void *fe_conn_open(struct fe *fe, struct MHD_Connection *c, int over_ip)
{
    struct fe_conns *cs = fe->conns;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    struct fe_conn *k = malloc(sizeof(*k));
    if (k == NULL)
        return NULL;   /* no deadline for it: libmicrohttpd's idle timeout still holds */
    k->fd = ci ? ci->connect_fd : -1;
    k->over_ip = over_ip;
    k->deadline_us = k->fd >= 0 ? mono_us() + fe->request_timeout_s * 1000000 : 0;
    pthread_mutex_lock(&cs->lock);
    k->next = &cs->head;
    k->prev = cs->head.prev;
    k->prev->next = k;
    cs->head.prev = k;
    pthread_mutex_unlock(&cs->lock);
    return k;
}

void fe_conn_close(struct fe *fe, void *conn)
{
    struct fe_conns *cs = fe->conns;
    struct fe_conn *k = conn;
    if (k == NULL)
        return;
    pthread_mutex_lock(&cs->lock);
    k->prev->next = k->next;
    k->next->prev = k->prev;
    pthread_mutex_unlock(&cs->lock);
    free(k);
}

static struct fe_conn *conn_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

void fe_conn_deadline(struct fe *fe, struct MHD_Connection *c, int on)
{
    struct fe_conn *k = conn_of(c);
    if (k == NULL || k->fd < 0)
        return;
    pthread_mutex_lock(&fe->conns->lock);
    k->deadline_us = on ? mono_us() + fe->request_timeout_s * 1000000 : 0;
    pthread_mutex_unlock(&fe->conns->lock);
}

int fe_conn_over_ip(struct MHD_Connection *c)
{
    struct fe_conn *k = conn_of(c);
    return k != NULL && k->over_ip;
}

/* --- the request's framing ---------------------------------------------- */

struct framing {
    int         te, cl;
    int         te_chunked;
    const char *cl_first;
    int         cl_differ;
};

static enum MHD_Result framing_of(void *cls, enum MHD_ValueKind kind, const char *key,
                                  size_t key_size, const char *value, size_t value_size)
{
    struct framing *f = cls;
    (void)kind;
    (void)key_size;
    (void)value_size;
    if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
        f->te++;
        f->te_chunked = value != NULL && strcasecmp(value, "chunked") == 0;
    } else if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) {
        if (f->cl++ == 0)
            f->cl_first = value;
        else if (value == NULL || f->cl_first == NULL || strcmp(value, f->cl_first) != 0)
            f->cl_differ = 1;
    }
    return MHD_YES;
}

const char *fe_conn_bad_framing(struct MHD_Connection *c)
{
    struct framing f = { 0 };
    MHD_get_connection_values_n(c, MHD_HEADER_KIND, framing_of, &f);
    /* RFC 9112 6.1 and 6.3: where two readers of one request could find
     * different ends of its body, a proxy in front and this server would
     * see different requests (request smuggling) */
    if (f.te && f.cl)
        return "the request has both Content-Length and Transfer-Encoding";
    if (f.te > 1 || (f.te && !f.te_chunked))
        return "the request's Transfer-Encoding is not just \"chunked\"";
    if (f.cl_differ)
        return "the request has Content-Length headers with different values";
    return NULL;
}
