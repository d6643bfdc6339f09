/*
 * plugins/frontend-http/fe_metrics.c — GET /metrics in the Prometheus text
 * format, on a listener of its own (setting `metrics`: "off", the default,
 * or ADDRESS:PORT). It has no authentication: it binds where the operator
 * says, which should be loopback or an address only the scraper reaches.
 *
 * The body is the host's registry (engine->metrics_text: bus, jobs, sync,
 * EOD, sessions, auth, process) followed by this frontend's gauges and
 * cache counters. The request counters and latency histograms are kept in
 * the host's registry too (fe_metrics_request, on every answer): labelled
 * by the route's pattern, never the raw path, so that their number is
 * bounded by the route table. Without the engine (a host older than ABI
 * 1.3, or one that runs no engine) /metrics answers 503.
 *
 * One thread (libmicrohttpd's internal one, polling), a few connections.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "jutsu/buf.h"
#include "jutsu/error.h"
#include "fe.h"

#define TEXT_MAX  (16u << 20)
#define CTYPE     "text/plain; version=0.0.4; charset=utf-8"

struct fe_metrics {
    struct MHD_Daemon *daemon;
};

const struct jutsu_engine *fe_engine_of(const struct fe *fe)
{
    const struct jutsu_host *h = fe->host;
    return h->abi_minor >= 3 && h->engine ? h->engine(fe->ctx) : NULL;
}

static const char *method_label(const char *m)
{
    static const char *const known[] = { "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD",
                                         "OPTIONS", NULL };
    for (int i = 0; known[i]; i++)
        if (strcmp(m, known[i]) == 0)
            return known[i];
    return "other";
}

void fe_metrics_request(struct fe *fe, const struct fe_route *rt, const char *method,
                        int status, int64_t micros)
{
    const struct jutsu_engine *e = fe_engine_of(fe);
    char labels[FE_PATH_MAX / 2];
    const char *route = rt ? rt->pattern : "none";
    if (e == NULL)
        return;
    snprintf(labels, sizeof(labels), "route=\"%s\",method=\"%s\",status=\"%d\"", route,
             method_label(method), status);
    e->metric_add(fe->ctx, "jutsu_http_requests_total", labels, 1);
    snprintf(labels, sizeof(labels), "route=\"%s\"", route);
    e->metric_observe(fe->ctx, "jutsu_http_request_duration_seconds", labels, micros);
}

static int own_metrics(struct fe *fe, struct jutsu_buf *b)
{
    int64_t entries, bytes, hits, misses, limited, tracked;
    fe_cache_stats(fe, &entries, &bytes, &hits, &misses);
    fe_ratelimit_stats(fe, &limited, &tracked);
    return jutsu_buf_printf(b, TEXT_MAX,
        "# HELP jutsu_http_sse_streams_open Server-Sent Events streams open now.\n"
        "# TYPE jutsu_http_sse_streams_open gauge\n"
        "jutsu_http_sse_streams_open %lld\n"
        "# HELP jutsu_http_cache_entries Answers kept in the frontend's cache.\n"
        "# TYPE jutsu_http_cache_entries gauge\n"
        "jutsu_http_cache_entries %lld\n"
        "# HELP jutsu_http_cache_bytes Memory the kept answers take.\n"
        "# TYPE jutsu_http_cache_bytes gauge\n"
        "jutsu_http_cache_bytes %lld\n"
        "# HELP jutsu_http_cache_hits_total Cacheable requests answered from the cache.\n"
        "# TYPE jutsu_http_cache_hits_total counter\n"
        "jutsu_http_cache_hits_total %lld\n"
        "# HELP jutsu_http_cache_misses_total Cacheable requests that ran their handler.\n"
        "# TYPE jutsu_http_cache_misses_total counter\n"
        "jutsu_http_cache_misses_total %lld\n"
        "# HELP jutsu_http_login_rate_limited_total Sign-in attempts refused with 429 "
        "(login_rate_per_min).\n"
        "# TYPE jutsu_http_login_rate_limited_total counter\n"
        "jutsu_http_login_rate_limited_total %lld\n"
        "# HELP jutsu_http_login_rate_addresses Client addresses the sign-in limit tracks.\n"
        "# TYPE jutsu_http_login_rate_addresses gauge\n"
        "jutsu_http_login_rate_addresses %lld\n",
        (long long)fe_events_open(fe), (long long)entries, (long long)bytes,
        (long long)hits, (long long)misses, (long long)limited, (long long)tracked);
}

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned status, const char *ctype,
                                 const char *text, size_t len)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, (void *)text,
                                                                MHD_RESPMEM_MUST_COPY);
    if (resp == NULL)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    enum MHD_Result ok = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    struct fe *fe = cls;
    static const char no_engine[] =
        "503: this host runs without its engine, so there is no metrics registry to show "
        "(run the API under `jutsu serve`)\n";
    (void)version;
    (void)upload;
    if (*con_cls == NULL) {   /* headers only so far: answer once the request is whole */
        *con_cls = (void *)1;
        return MHD_YES;
    }
    if (*upload_size != 0) {  /* a body is not wanted: dropped */
        *upload_size = 0;
        return MHD_YES;
    }
    if (strcmp(url, "/metrics") != 0)
        return send_text(c, 404, "text/plain", "404: only /metrics is served here\n", 34);
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return send_text(c, 405, "text/plain", "405: GET /metrics\n", 18);
    const struct jutsu_engine *e = fe_engine_of(fe);
    if (e == NULL)
        return send_text(c, 503, "text/plain", no_engine, sizeof(no_engine) - 1);
    struct jutsu_buf b = { 0 };
    int rc = e->metrics_text(fe->ctx, &b);
    if (rc == 0)
        rc = own_metrics(fe, &b);
    enum MHD_Result ok = rc == 0 ? send_text(c, 200, CTYPE, b.p, b.len)
                                 : send_text(c, 500, "text/plain", "500: out of memory\n", 19);
    jutsu_buf_free(&b);
    return ok;
}

/* fmt is libmicrohttpd's own format */
static void __attribute__((format(printf, 2, 0)))
mhd_log(void *cls, const char *fmt, va_list ap)
{
    struct fe *fe = cls;
    char line[512];
    vsnprintf(line, sizeof(line), fmt, ap);
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    fe->host->log(fe->ctx, JUTSU_LOG_WARN, "libmicrohttpd (metrics): %s", line);
}

/* "host:port" or "[v6]:port" into a socket address. */
static int parse_addr(const char *l, struct sockaddr_storage *ss, int *v6)
{
    char host[64];
    const char *colon;
    size_t hl;
    memset(ss, 0, sizeof(*ss));
    *v6 = l[0] == '[';
    if (*v6) {
        const char *close = strchr(l, ']');
        if (close == NULL || close[1] != ':' || (hl = (size_t)(close - l - 1)) == 0 ||
            hl >= sizeof(host))
            return -1;
        memcpy(host, l + 1, hl);
        colon = close + 1;
    } else {
        colon = strrchr(l, ':');
        if (colon == NULL || (hl = (size_t)(colon - l)) == 0 || hl >= sizeof(host))
            return -1;
        memcpy(host, l, hl);
    }
    host[hl] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end != '\0' || end == colon + 1 || port < 0 || port > 65535)
        return -1;
    if (*v6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        return inet_pton(AF_INET6, host, &a->sin6_addr) == 1 ? 0 : -1;
    }
    struct sockaddr_in *a = (struct sockaddr_in *)ss;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    return inet_pton(AF_INET, host, &a->sin_addr) == 1 ? 0 : -1;
}

int fe_metrics_start(struct fe *fe)
{
    struct sockaddr_storage ss;
    int v6;
    if (fe->metrics == NULL || strcmp(fe->metrics, "off") == 0)
        return 0;
    if (parse_addr(fe->metrics, &ss, &v6) != 0)
        return fe->host->cfg_error(fe->ctx, "metrics", "metrics is \"%s\": want \"off\" or "
                                   "ADDRESS:PORT with a numeric address (127.0.0.1:9464)",
                                   fe->metrics);
    struct fe_metrics *m = calloc(1, sizeof(*m));
    if (m == NULL)
        return JUTSU_ENOMEM;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG |
                     (v6 ? MHD_USE_IPv6 : 0);
    m->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, fe,
                                 MHD_OPTION_EXTERNAL_LOGGER, mhd_log, fe,
                                 MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                                 MHD_OPTION_CONNECTION_LIMIT, 16u,
                                 MHD_OPTION_CONNECTION_TIMEOUT, 10u,
                                 MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16384,
                                 MHD_OPTION_END);
    if (m->daemon == NULL) {
        free(m);
        fe->host->set_error(fe->ctx, "cannot listen on %s for /metrics (in use, or not an "
                            "address of this machine)", fe->metrics);
        return JUTSU_EIO;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(m->daemon, MHD_DAEMON_INFO_BIND_PORT);
    fe->host->log(fe->ctx, JUTSU_LOG_INFO, "metrics on %s (port %u): /metrics, no "
                  "authentication", fe->metrics, di ? (unsigned)di->port : 0u);
    fe->metrics_l = m;
    return 0;
}

void fe_metrics_stop(struct fe *fe)
{
    if (fe->metrics_l == NULL)
        return;
    MHD_stop_daemon(fe->metrics_l->daemon);
    free(fe->metrics_l);
    fe->metrics_l = NULL;
}
