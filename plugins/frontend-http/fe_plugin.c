/*
 * plugins/frontend-http/fe_plugin.c — frontend-http: the REST API and the
 * dashboard (fe_static.c) over HTTP/1.1, on libmicrohttpd.
 *
 * Who may do what is not decided here: every route names a permission
 * (fe_routes.c) and the host's sessions (jutsu/session.h) say who the
 * caller is and what their role holds. This plugin owns HTTP only.
 *
 * Settings (`jutsu plugins describe frontend-http`): listen, tls_cert and
 * tls_key (PEM files; both or neither), threads, max_body, max_header,
 * max_conn_per_ip, max_connections, request_timeout, access_log,
 * cors_origins (a list; none by default: no cross-origin access), metrics
 * (fe_metrics.c), sse_* (fe_events.c), cache_* (fe_cache.c), gzip,
 * login_rate_per_min and login_burst (fe_ratelimit.c).
 *
 * start() returns once the socket listens; endpoint() then gives the real
 * address (port 0 in the config lets the kernel choose: tests do).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jutsu/error.h"
#include "jutsu/frontend.h"
#include "jutsu/plugin.h"
#include "fe.h"

#define FE struct fe
static const struct jutsu_cfg_key schema[] = {
    JUTSU_CFG_KEY_AT("listen", JUTSU_CFG_STR, "127.0.0.1:8080",
                     "Address and port: 127.0.0.1:8080, 0.0.0.0:80, [::1]:8080, [::]:8080",
                     FE, listen),
    JUTSU_CFG_PATH_AT("tls_cert", JUTSU_CFG_MUST_EXIST, "", "PEM certificate (chain); with "
                      "tls_key, serves HTTPS (relative: to the config file's directory)",
                      FE, tls_cert),
    JUTSU_CFG_PATH_AT("tls_key", JUTSU_CFG_MUST_EXIST, "", "PEM private key of tls_cert "
                      "(relative: to the config file's directory)", FE, tls_key),
    JUTSU_CFG_INT_RANGE_AT("threads", "4", 1, 256, "Worker threads (each polls with epoll)",
                           FE, threads),
    JUTSU_CFG_INT_RANGE_AT("max_body", "1048576", 1024, 67108864,
                           "Largest request body in bytes; more is refused with 413",
                           FE, max_body),
    JUTSU_CFG_INT_RANGE_AT("max_header", "32768", 4096, 1048576,
                           "Memory for a request's line and headers; more is refused with 431",
                           FE, max_header),
    JUTSU_CFG_INT_RANGE_AT("max_conn_per_ip", "128", 1, 100000,
                           "Open connections from one address; more get 429", FE,
                           max_conn_per_ip),
    JUTSU_CFG_INT_RANGE_AT("max_connections", "4096", 1, 1000000,
                           "Open connections in all; more are refused", FE, max_connections),
    JUTSU_CFG_INT_RANGE_AT("request_timeout", "30", 1, 3600,
                           "Seconds a connection may stay idle (a slow client included) before "
                           "it is closed", FE, request_timeout_s),
    JUTSU_CFG_KEY_AT("access_log", JUTSU_CFG_BOOL, "true",
                     "One log line per request at info: method, path, status, bytes, micro-"
                     "seconds, user, client", FE, access_log),
    JUTSU_CFG_KEY_AT("metrics", JUTSU_CFG_STR, "off",
                     "\"off\", or ADDRESS:PORT of a listener of its own for GET /metrics "
                     "(Prometheus text, no authentication: keep it on loopback or behind "
                     "your network rules), e.g. 127.0.0.1:9464", FE, metrics),
    JUTSU_CFG_INT_RANGE_AT("sse_heartbeat_s", "15", 1, 3600,
                           "Seconds of silence after which an event stream gets a comment line "
                           "(keeps proxies from closing it; finds clients that left)", FE,
                           sse_heartbeat_s),
    JUTSU_CFG_INT_RANGE_AT("sse_max_streams_per_user", "8", 1, 1000,
                           "Event streams (GET /api/events) one user may hold open; more get 429",
                           FE, sse_max_streams_per_user),
    JUTSU_CFG_INT_RANGE_AT("sse_max_streams", "256", 1, 100000,
                           "Event streams open in all; more get 429", FE, sse_max_streams),
    JUTSU_CFG_INT_RANGE_AT("sse_ring", "1024", 16, 1048576,
                           "Recent events kept for Last-Event-ID resumes and slow readers; a "
                           "stream that falls further behind gets `event: reset`", FE, sse_ring),
    JUTSU_CFG_INT_RANGE_AT("cache_max_entries", "4096", 0, 1000000,
                           "Answers of cacheable GET routes kept in memory; 0 turns the cache "
                           "off", FE, cache_max_entries),
    JUTSU_CFG_INT_RANGE_AT("cache_max_bytes", "67108864", 65536, 17179869184LL,
                           "Memory the kept answers may take, in bytes", FE, cache_max_bytes),
    JUTSU_CFG_INT_RANGE_AT("cache_check_ms", "100", 0, 60000,
                           "How often (at most) the cache reads the database's data version, "
                           "to see writes of other processes (a CLI backfill); 0: on every "
                           "cacheable request", FE, cache_check_ms),
    JUTSU_CFG_KEY_AT("gzip", JUTSU_CFG_BOOL, "true",
                     "Compress JSON answers over 1 KiB for clients that send Accept-Encoding: "
                     "gzip", FE, gzip),
    JUTSU_CFG_INT_RANGE_AT("login_rate_per_min", "10", 0, 100000,
                           "Sign-in attempts (login, login-2fa, refresh, passkey authenticate, "
                           "invitation accept) one client address may make a minute; more get "
                           "429 with Retry-After; 0 turns the limit off", FE, login_rate_per_min),
    JUTSU_CFG_INT_RANGE_AT("login_burst", "20", 1, 100000,
                           "Sign-in attempts one address may make at once before "
                           "login_rate_per_min applies", FE, login_burst),
    { .name = "cors_origins", .type = JUTSU_CFG_LIST, .elem = JUTSU_CFG_STR,
      .help = "Origins allowed to call the API from a browser page of another origin "
              "(https://app.example.com); none by default" },
    JUTSU_CFG_END
};
#undef FE

static char *read_file(const char *path, char *why, size_t whysz)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;
    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || n > 1048576 ||
        fseek(f, 0, SEEK_SET) != 0 || (buf = malloc((size_t)n + 1)) == NULL ||
        fread(buf, 1, (size_t)n, f) != (size_t)n) {
        snprintf(why, whysz, "cannot read %s", path);
        free(buf);
        buf = NULL;
    } else {
        buf[n] = '\0';
    }
    if (f)
        (void)fclose(f);    /* read only: nothing to lose */
    return buf;
}

/* "host:port" or "[v6]:port" into fe->host_part, fe->port, fe->ipv6. */
static int parse_listen(struct fe *fe)
{
    const char *l = fe->listen, *colon;
    size_t hl;
    if (l[0] == '[') {
        const char *close = strchr(l, ']');
        if (close == NULL || close[1] != ':')
            return -1;
        hl = (size_t)(close - l - 1);
        if (hl == 0 || hl >= sizeof(fe->host_part))
            return -1;
        memcpy(fe->host_part, l + 1, hl);
        fe->host_part[hl] = '\0';
        fe->ipv6 = 1;
        colon = close + 1;
    } else {
        colon = strrchr(l, ':');
        if (colon == NULL || (hl = (size_t)(colon - l)) == 0 || hl >= sizeof(fe->host_part))
            return -1;
        memcpy(fe->host_part, l, hl);
        fe->host_part[hl] = '\0';
    }
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end != '\0' || end == colon + 1 || port < 0 || port > 65535)
        return -1;
    fe->port = (int)port;
    return 0;
}

static void fe_free(struct fe *fe)
{
    if (fe == NULL)
        return;
    free(fe->cert_pem);
    free(fe->key_pem);
    for (char **o = fe->cors; o && *o; o++)
        free(*o);
    free(fe->cors);
    pthread_mutex_destroy(&fe->ip_lock);
    free(fe);
}

static int fe_read_cors(struct fe *fe)
{
    int n = fe->host->cfg_count(fe->ctx, "cors_origins");
    if (n <= 0)
        return 0;
    if ((fe->cors = calloc((size_t)n + 1, sizeof(char *))) == NULL)
        return JUTSU_ENOMEM;
    for (int i = 0; i < n; i++) {
        char path[40];
        const char *o;
        snprintf(path, sizeof(path), "cors_origins[%d]", i);
        if (fe->host->cfg_str(fe->ctx, path, &o) != 0 || (fe->cors[i] = strdup(o)) == NULL)
            return JUTSU_ENOMEM;
    }
    return 0;
}

static int fe_init(const struct jutsu_host *host, jutsu_ctx *ctx, void **state)
{
    struct fe *fe = calloc(1, sizeof(*fe));
    char why[256];
    int rc;
    if (fe == NULL)
        return JUTSU_ENOMEM;
    fe->host = host;
    fe->ctx = ctx;
    pthread_mutex_init(&fe->ip_lock, NULL);
    if ((rc = host->cfg_fill(ctx, fe)) != 0 || (rc = fe_read_cors(fe)) != 0)
        goto fail;
    if (parse_listen(fe) != 0) {
        rc = host->cfg_error(ctx, "listen", "listen is \"%s\": want ADDRESS:PORT with a "
                             "numeric address (127.0.0.1:8080, [::1]:8080)", fe->listen);
        goto fail;
    }
    if ((*fe->tls_cert != '\0') != (*fe->tls_key != '\0')) {
        rc = host->cfg_error(ctx, *fe->tls_cert ? "tls_key" : "tls_cert",
                             "tls_cert and tls_key go together: give both for HTTPS, or neither");
        goto fail;
    }
    if (*fe->tls_cert) {
        if ((fe->cert_pem = read_file(fe->tls_cert, why, sizeof(why))) == NULL ||
            (fe->key_pem = read_file(fe->tls_key, why, sizeof(why))) == NULL) {
            rc = host->cfg_error(ctx, fe->cert_pem ? "tls_key" : "tls_cert", "%s", why);
            goto fail;
        }
    }
    snprintf(fe->endpoint, sizeof(fe->endpoint), "%s://%s%s%s:%d",
             fe->cert_pem ? "https" : "http", fe->ipv6 ? "[" : "", fe->host_part,
             fe->ipv6 ? "]" : "", fe->port);
    *state = fe;
    return 0;
fail:
    fe_free(fe);
    return rc;
}

static void fe_destroy(void *state)
{
    fe_free(state);
}

/* The bus feeds the event ring and the cache before the first request can
 * come; the metrics listener comes last and goes first. */
static int fe_start(void *state)
{
    struct fe *fe = state;
    int rc;
    if ((rc = fe_events_start(fe)) != 0 || (rc = fe_cache_start(fe)) != 0) {
        fe->host->set_error(fe->ctx, "cannot subscribe to the bus (%s)", jutsu_strerror(rc));
        goto fail;
    }
    if ((rc = fe_ratelimit_start(fe)) != 0) {
        fe->host->set_error(fe->ctx, "cannot make the sign-in rate limit's table (%s)",
                            jutsu_strerror(rc));
        goto fail;
    }
    if ((rc = fe_static_start(fe)) != 0) {
        fe->host->set_error(fe->ctx, "cannot prepare the dashboard's files (%s)",
                            jutsu_strerror(rc));
        goto fail;
    }
    if ((rc = fe_server_start(fe)) != 0) {
        fe->host->set_error(fe->ctx, "cannot listen on %s (in use, or not an address of this "
                            "machine; see the log)", fe->listen);
        goto fail;
    }
    if ((rc = fe_metrics_start(fe)) != 0) {
        fe_server_stop(fe);
        goto fail;
    }
    fe->host->log(fe->ctx, JUTSU_LOG_INFO, "listening on %s", fe->endpoint);
    fe->host->log(fe->ctx, JUTSU_LOG_INFO, "the dashboard: %s/", fe->endpoint);
    return 0;
fail:
    fe_ratelimit_stop(fe);
    fe_static_stop(fe);
    fe_cache_stop(fe);
    fe_events_stop(fe);
    return rc;
}

/* Event streams end first (libmicrohttpd must not stop with a connection
 * suspended), then the server, then what fed it. */
static void fe_stop(void *state)
{
    struct fe *fe = state;
    fe_metrics_stop(fe);
    fe_events_quiesce(fe);
    fe_server_stop(fe);
    fe_events_stop(fe);
    fe_cache_stop(fe);
    fe_static_stop(fe);
    fe_ratelimit_stop(fe);
}

static const char *fe_endpoint(void *state)
{
    return ((struct fe *)state)->endpoint;
}

static const struct jutsu_frontend_ops ops = {
    .size     = sizeof(struct jutsu_frontend_ops),
    .endpoint = fe_endpoint,
};

static const struct jutsu_plugin desc = {
    JUTSU_PLUGIN_HEADER,
    .kind        = JUTSU_KIND_FRONTEND,
    .name        = "frontend-http",
    .version     = "1.0.0",
    .description = "The REST API over HTTP(S), on libmicrohttpd",
    .schema      = schema,
    .init        = fe_init,
    .destroy     = fe_destroy,
    .start       = fe_start,
    .stop        = fe_stop,
    .ops         = &ops,
};

JUTSU_PLUGIN_DECLARE(desc)
